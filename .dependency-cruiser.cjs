/**
 * The layers, written down once (README "Architecture"). `npm run lint:deps` checks them in
 * `npm test`:
 *
 *   hal/       hardware abstraction: contracts, drivers, board rules, backends (sim, linux,
 *              moddable). Imports nothing above it.
 *   firmware/  everything that runs on a node, on the HAL contracts and drivers. Only its
 *              device entry points (firmware/device/) pick a backend.
 *   host/      the hub and the CLI (Node only). Reaches sim/ only from the CLI commands that
 *              start simulations.
 *   sim/       the simulated world and the far side of the sim backend; uses host/ services
 *              (Node crypto, schemas, the Chirp engine) to play the other side.
 *
 * firmware/ and the portable parts of hal/ also use no Node built-in (they run in XS).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle between files: pull the shared piece into a module both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'hal-imports-nothing-above-it',
      comment: 'hal/ is hardware abstraction only: it imports nothing from firmware/, host/ or sim/.',
      severity: 'error',
      from: { path: '^hal/' },
      to: { path: '^(firmware|host|sim)/' },
    },
    {
      name: 'firmware-stays-on-the-node',
      comment: 'firmware/ runs on a node: it imports only firmware/ and hal/.',
      severity: 'error',
      from: { path: '^firmware/' },
      to: { path: '^(host|sim|test|bench|scripts)/' },
    },
    {
      name: 'only-device-entries-pick-a-backend',
      comment: 'Only the composition roots in firmware/device/ import a HAL backend; the rest of the firmware sees the contracts.',
      severity: 'error',
      from: { path: '^firmware/', pathNot: '^firmware/device/' },
      to: { path: '^hal/(sim|linux|moddable)/' },
    },
    {
      name: 'portable-hal-knows-no-backend',
      comment: 'Contracts, drivers and board rules are the same on every backend.',
      severity: 'error',
      from: { path: '^hal/(contracts|drivers|board)/|^hal/[^/]+\\.ts$' },
      to: { path: '^hal/(sim|linux|moddable)/' },
    },
    {
      name: 'backends-stand-apart',
      comment: 'Each HAL backend is its own adapter; one never reaches into another.',
      severity: 'error',
      from: { path: '^hal/(sim|linux|moddable)/' },
      to: { path: '^hal/(sim|linux|moddable)/', pathNot: '^hal/$1/' },
    },
    {
      name: 'portable-code-uses-no-node-builtins',
      comment: 'firmware/ and the portable hal/ run in XS: no Node built-ins (test/portability.test.ts runs them there).',
      severity: 'error',
      from: { path: '^(firmware|hal/(contracts|drivers|board))/|^hal/[^/]+\\.ts$', pathNot: '^firmware/device/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'host-reaches-sim-only-to-simulate',
      comment: 'Production code reaches sim/ only from the CLI commands that start simulations.',
      severity: 'error',
      // rules-scenario: `fazt rules test --scenario` runs the scenario's nodes (firmware in XS) against an in-process hub.
      from: { path: '^host/', pathNot: '^host/cli/commands/(start|start-demo-nodes|sim-run|sim-node|sim-node-config|sim-node-demo|i2c|rules-scenario)\\.ts$' },
      to: { path: '^sim/' },
    },
    {
      name: 'production-never-imports-tests',
      severity: 'error',
      from: { path: '^(firmware|hal|host|sim|scripts)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'resolvable',
      comment:
        "Every import resolves, except Moddable's own modules (ota included) and the project's native ones (fazt/ed25519, fazt/esp32), which exist only in a Moddable build.",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^(embedded:|mc/config$|timer$|time$|instrumentation$|crypt$|fazt/ed25519$|fazt/esp32$|ota$|preference$|wifi$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
