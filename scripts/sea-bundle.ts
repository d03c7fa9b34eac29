import { build, type Plugin } from 'esbuild';

/**
 * The CLI and hub as one CommonJS file for Node's single-executable support,
 * which runs CommonJS only and whose require() loads built-in modules only.
 * So every package is bundled in, except:
 *  - esbuild: it bundles firmware for XS and needs its own binary; the
 *    single executable gets a stand-in that says what to do instead;
 *  - msgpackr-extract, msgpackr's optional native speed-up: a stand-in that
 *    is absent, so msgpackr uses its JavaScript (and Node prints no warning
 *    about a require() it cannot serve);
 * (The linux backend's hardware packages, pigpio, i2c-bus and node-ble, are
 * loaded by name at run time, never imported: the executable loads its
 * embedded copies from disk, host/assets/native-packages.ts.)
 * import.meta.url becomes the executable's file URL, and
 * __non_webpack_require__ (better-sqlite3 loads its nativeBinding path with
 * it) a require() that reads the file system.
 */
const ESBUILD_STAND_IN = `
const refuse = () => { throw new Error('needs the npm install (esbuild and the XS engine are not in the single executable): run it from a checkout with npm install'); };
module.exports = { build: refuse, stop: () => {} };
`;
const STAND_INS: Record<string, string> = { esbuild: ESBUILD_STAND_IN, 'msgpackr-extract': 'module.exports = null;' };

const standIns: Plugin = {
  name: 'fazt-sea-stand-ins',
  setup(b) {
    b.onResolve({ filter: /^(esbuild|msgpackr-extract)$/ }, (a) => ({ path: a.path, namespace: 'fazt-stand-in' }));
    b.onLoad({ filter: /.*/, namespace: 'fazt-stand-in' }, (a) => ({ contents: STAND_INS[a.path], loader: 'js' }));
  },
};

const BANNER = [
  "const __faztModuleUrl = require('node:url').pathToFileURL(__filename).href;",
  "const __non_webpack_require__ = require('node:module').createRequire(__filename);",
].join('\n');

export async function buildSeaBundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    plugins: [standIns],
    define: { 'import.meta.url': '__faztModuleUrl' },
    banner: { js: BANNER },
    legalComments: 'none',
    logLevel: 'warning',
  });
}
