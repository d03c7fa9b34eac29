/**
 * Builds the two bundles:
 *  dist/fazt.js           the host (CLI, hub): Node platform, packages external
 *  dist/firmware.xs.js    the portable core for XS: neutral platform, es2020, IIFE, minified
 *  dist/dashboard/        the hub's web page (host/dashboard/): index.html and content-hashed assets
 * and the XS image of the node firmware the demo's nodes start from
 * (sim/xs/xs-snapshot.ts, cached in node_modules/.cache/fazt-xs while its
 * sources are unchanged), so the first `npm start` neither bundles nor evaluates it.
 * The neutral platform makes a Node built-in in firmware/ a build error.
 */
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../host/project-root.js';
import { snapshotOf } from '../sim/xs/xs-snapshot.js';
import { buildDashboard } from './build-dashboard.js';

const root = new URL('..', import.meta.url).pathname;

await build({
  entryPoints: [`${root}host/cli/main.ts`],
  outfile: `${root}dist/fazt.js`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

await build({
  entryPoints: [`${root}firmware/index.ts`],
  outfile: `${root}dist/firmware.xs.js`,
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2020',
  format: 'iife',
  globalName: 'Fazt',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

await buildDashboard(`${root}host/dashboard/main.ts`, `${root}dist/dashboard`);

// The entry XsNode.boot() starts (sim/node/xs-node.ts); without XS the demo runs the firmware on Node, so no image is no error.
const image = await snapshotOf(join(projectRoot(), 'sim/xs/entries/node-entry.ts')).catch((e: Error) => {
  console.warn(`no XS image of the node firmware (${e.message}): fazt start makes it or runs the firmware on Node`);
});

const kb = (f: string) => (statSync(`${root}dist/${f}`).size / 1024).toFixed(1);
console.log(
  `built dist/fazt.js (${kb('fazt.js')} KiB), dist/firmware.xs.js (${kb('firmware.xs.js')} KiB)${image ? `, the node firmware's XS image (${(image.snapshot.byteLength / 1024).toFixed(1)} KiB)` : ''}`,
);
