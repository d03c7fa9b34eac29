import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';

/**
 * The layer rules in .dependency-cruiser.cjs (checked on the tree by `npm run lint`) can fail:
 * a small tree written here breaks each rule once, beside imports the rules allow, and every
 * rule must name exactly its own violations.
 */
const config = createRequire(import.meta.url)('../.dependency-cruiser.cjs') as IConfiguration;

const tree: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowJs: true } }),
  'hal/contracts/io.ts': 'export const io = 1;',
  'hal/drivers/chip.ts': "import { io } from '../contracts/io.js'; import '../sim/backend.js'; export const chip = io;",
  'hal/sim/backend.ts': "import '../linux/backend.js'; import { t } from '../../firmware/event/time.js'; export const sim = t;",
  'firmware/event/time.ts': 'export const t = 1;',
  'hal/linux/backend.ts': "import 'node:fs'; export const linux = 1;",
  'hal/moddable/backend.ts': 'export const moddable = 1;',
  'firmware/event/reading.ts': "import { chip } from '../../hal/drivers/chip.js'; import 'node:crypto'; export const up = chip;",
  'firmware/node/app.ts': "import '../../hal/moddable/backend.js'; import '../../host/hub/hub.js'; import './gone.js';",
  'firmware/device/main.ts': "import '../../hal/moddable/backend.js'; import 'embedded:io/digital'; import '../node/app.js';",
  'host/hub/hub.ts': "import '../../sim/world/board.js'; import '../../test/helpers/rig.js'; import './a.js';",
  'host/hub/a.ts': "import './b.js'; export const a = 1;",
  'host/hub/b.ts': "import './a.js'; export const b = 1;",
  'host/cli/commands/start.ts': "import '../../../sim/world/board.js';",
  'sim/world/board.ts': "import '../../hal/sim/backend.js'; import '../../host/hub/b.js';",
  'test/helpers/rig.ts': 'export const rig = 1;',
};

const expected: Record<string, string[]> = {
  'no-circular': ['host/hub/a.ts → host/hub/b.ts'],
  'hal-imports-nothing-above-it': ['hal/sim/backend.ts → firmware/event/time.ts'],
  'firmware-stays-on-the-node': ['firmware/node/app.ts → host/hub/hub.ts'],
  'only-device-entries-pick-a-backend': ['firmware/node/app.ts → hal/moddable/backend.ts'],
  'portable-hal-knows-no-backend': ['hal/drivers/chip.ts → hal/sim/backend.ts'],
  'backends-stand-apart': ['hal/sim/backend.ts → hal/linux/backend.ts'],
  'portable-code-uses-no-node-builtins': ['firmware/event/reading.ts → crypto'],
  'host-reaches-sim-only-to-simulate': ['host/hub/hub.ts → sim/world/board.ts'],
  'production-never-imports-tests': ['host/hub/hub.ts → test/helpers/rig.ts'],
  resolvable: ['firmware/node/app.ts → ./gone.js'],
};

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-layers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${text}\n`);
  }

  it('each rule catches its own violation, and only that', async () => {
    const cwd = process.cwd();
    process.chdir(dir); // the rules' paths are relative to the base folder
    let result: ICruiseResult;
    try {
      const r = await cruise(['hal', 'firmware', 'host', 'sim', 'test'], {
        ...config.options,
        ruleSet: { forbidden: config.forbidden },
        baseDir: dir,
        validate: true,
      });
      result = r.output as ICruiseResult;
    } finally {
      process.chdir(cwd);
    }
    const found: Record<string, string[]> = {};
    for (const v of result.summary.violations) (found[v.rule.name] ??= []).push(`${v.from} → ${v.to}`);
    for (const k of Object.keys(found)) found[k].sort();
    assert.deepEqual(Object.keys(found).sort(), Object.keys(expected).sort(), JSON.stringify(found, null, 1));
    assert.deepEqual(found, expected);
  });

  it('every rule in the configuration is exercised here', () => {
    assert.deepEqual(config.forbidden?.map((r) => r.name).sort(), Object.keys(expected).sort());
  });
});
