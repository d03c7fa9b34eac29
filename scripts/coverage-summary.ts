/**
 * Line and branch coverage per top-level folder, from c8's json-summary
 * (npm run coverage). It shows where tests are thin; it gates nothing.
 * Code that runs only inside XS (the firmware in the simulator's XS
 * workers) is not seen by V8's coverage: its Node runs are.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { projectRoot } from '../host/project-root.js';

interface Counts {
  total: number;
  covered: number;
}
type Summary = Record<string, { lines: Counts; branches: Counts }>;

const file = process.argv[2] ?? 'coverage/coverage-summary.json';
const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
const root = projectRoot();
const empty = () => ({ lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 }, files: 0 });
const folders = new Map<string, ReturnType<typeof empty>>();
const all = empty();
for (const [path, s] of Object.entries(summary)) {
  if (path === 'total') continue;
  const folder = relative(root, path).split('/')[0];
  const f = folders.get(folder) ?? empty();
  folders.set(folder, f);
  for (const t of [f, all]) {
    t.lines.total += s.lines.total;
    t.lines.covered += s.lines.covered;
    t.branches.total += s.branches.total;
    t.branches.covered += s.branches.covered;
    t.files++;
  }
}
const pct = (c: Counts) => (c.total === 0 ? '   -  ' : `${((100 * c.covered) / c.total).toFixed(1).padStart(5)}%`);
console.log('folder     files   lines             branches');
for (const [name, f] of [...[...folders.entries()].sort(([a], [b]) => a.localeCompare(b)), ['all', all] as const]) {
  console.log(
    `${name.padEnd(10)} ${String(f.files).padStart(5)}  ${pct(f.lines)} of ${String(f.lines.total).padStart(6)}  ${pct(f.branches)} of ${String(f.branches.total).padStart(5)}`,
  );
}
