import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
/** The executable `npm run package` makes on this machine. */
export const EXECUTABLE = join(ROOT, 'dist', `fazt-linux-${process.arch}`);

/** What goes into the executable: a change to any of it makes the executable stale. */
const INPUTS = ['host', 'hal', 'firmware', 'sim', 'schemas', 'boards', 'scripts', 'package.json', 'package-lock.json', 'dist/dashboard'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .reduce((m, d) => Math.max(m, statSync(join(d.parentPath, d.name)).mtimeMs), st.mtimeMs);
}

/**
 * The packaged executable, made again (scripts/package.ts, after npm run
 * build) unless the one in dist/ is newer than everything it is made from.
 * Returns it and how long packaging took (0 when reused).
 */
export function packagedFazt(): { file: string; packagedMs: number } {
  if (!existsSync(join(ROOT, 'dist/dashboard/index.html'))) throw new Error('dist/dashboard is missing: run npm run build first');
  const stale = !existsSync(EXECUTABLE) || statSync(EXECUTABLE).mtimeMs < Math.max(...INPUTS.map((p) => newest(join(ROOT, p))));
  if (!stale) return { file: EXECUTABLE, packagedMs: 0 };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/package.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/package.ts failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return { file: EXECUTABLE, packagedMs: performance.now() - t0 };
}
