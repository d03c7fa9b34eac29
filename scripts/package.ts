/**
 * `npm run package`: dist/fazt-linux-<arch> (and the link dist/fazt), one
 * executable made with Node's single-executable-application support: the
 * CommonJS bundle of the CLI and hub (scripts/sea-bundle.ts) injected with
 * postject into a copy of this Node, with the files fazt reads at run time,
 * better-sqlite3's addon and, where built for this architecture, the linux
 * backend's hardware packages as embedded assets. ggwave's WASM is inline in
 * its JavaScript, so the bundle carries it. Built for the architecture it is
 * built on. Run after npm run build (the dashboard comes from dist/dashboard).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ASSET_LIST_KEY } from '../host/assets/shipped-files.js';
import { SQLITE_ADDON_KEY } from '../host/assets/native-addon.js';
import { builtFor, nativePackages, shippedFiles, totalBytes } from './sea-assets.js';
import { buildSeaBundle } from './sea-bundle.js';

/** The fuse Node's binary carries for postject to flip (Node's single-executable docs). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist');
const work = join(out, 'sea');
const started = performance.now();
if (process.platform !== 'linux') throw new Error(`npm run package builds a Linux executable; this is ${process.platform}`);
const arch = process.arch;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

await buildSeaBundle(join(root, 'host/cli/main.ts'), join(work, 'fazt.cjs'));

const require = createRequire(import.meta.url);
const sqliteAddon = join(require.resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
if (!existsSync(sqliteAddon) || !builtFor(sqliteAddon, arch))
  throw new Error(`${sqliteAddon} is missing or not built for ${arch}: run npm rebuild better-sqlite3`);

const shipped = shippedFiles(root);
const native = nativePackages(root, arch);
const assets = new Map([...shipped, ...native.assets, [SQLITE_ADDON_KEY, sqliteAddon]]);
const listFile = join(work, 'asset-list.json');
writeFileSync(listFile, `${JSON.stringify([...assets.keys()].sort())}\n`);
assets.set(ASSET_LIST_KEY, listFile);

const seaConfig = join(work, 'sea-config.json');
const blob = join(work, 'fazt.blob');
writeFileSync(
  seaConfig,
  `${JSON.stringify(
    { main: join(work, 'fazt.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets: Object.fromEntries(assets) },
    null,
    2,
  )}\n`,
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });

const exe = join(out, `fazt-linux-${arch}`);
rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
const postject = require.resolve('postject/dist/cli.js');
execFileSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'inherit'] });
rmSync(join(out, 'fazt'), { force: true });
symlinkSync(`fazt-linux-${arch}`, join(out, 'fazt'));

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
console.log(
  `packaged dist/fazt-linux-${arch} (${mib(statSync(exe).size)}; Node ${process.version} ${mib(statSync(process.execPath).size)}, bundle ${mib(statSync(join(work, 'fazt.cjs')).size)}, ` +
    `${shipped.size} shipped files ${mib(totalBytes(shipped))}, addons: better-sqlite3${native.packages.map((p) => `, ${p}`).join('')}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
