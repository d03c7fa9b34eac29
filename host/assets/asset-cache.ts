import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { serviceCacheRoot } from '../cache-folder.js';

/**
 * The private cache where the single executable puts what must exist as a
 * file (native addons, which only load from disk, and the dashboard folder):
 * $CACHE_DIRECTORY under systemd (CacheDirectory=), else $XDG_CACHE_HOME/fazt,
 * else ~/.cache/fazt; never /tmp, which may be mounted noexec. Mode 0700.
 * Every entry is named by the sha256 of its content, written under a
 * temporary name and renamed into place, and checked against its hash
 * before each use: a changed or truncated file is written again.
 */
function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const systemd = serviceCacheRoot(env);
  const xdg = env.XDG_CACHE_HOME;
  const dir = systemd || (xdg && isAbsolute(xdg) ? join(xdg, 'fazt') : join(homedir(), '.cache', 'fazt'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new Error(`the cache folder ${dir} belongs to another user (uid ${st.uid}); fazt extracts native code only into a folder of its own`);
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return dir;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const tempName = (path: string): string => join(dirname(path), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);

/** `file` (e.g. better_sqlite3.node) with `bytes`, as `<stem>-<sha256>.<ext>` in the cache; its path. */
export function extractFile(file: string, bytes: Uint8Array, dir = cacheDir()): string {
  const hash = sha256(bytes);
  const ext = extname(file);
  const path = join(dir, `${file.slice(0, file.length - ext.length)}-${hash}${ext}`);
  if (existsSync(path) && sha256(readFileSync(path)) === hash) return path;
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, bytes, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return path;
}

export interface TreeFile {
  /** Path inside the tree, '/'-separated. */
  rel: string;
  bytes: Uint8Array;
}

/** `files` as the folder `<name>-<sha256 of them all>` in the cache; its path. */
export function extractTree(name: string, files: readonly TreeFile[], dir = cacheDir()): string {
  const sorted = [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const h = createHash('sha256');
  for (const f of sorted) h.update(`${f.rel}\0${f.bytes.length}\0`).update(f.bytes);
  const path = join(dir, `${name}-${h.digest('hex')}`);
  const intact = () => sorted.every((f) => existsSync(join(path, f.rel)) && readFileSync(join(path, f.rel)).equals(f.bytes));
  if (existsSync(path) && intact()) return path;
  const tmp = tempName(path);
  try {
    for (const f of sorted) {
      mkdirSync(dirname(join(tmp, f.rel)), { recursive: true, mode: 0o700 });
      writeFileSync(join(tmp, f.rel), f.bytes, { mode: 0o600 });
    }
    rmSync(path, { recursive: true, force: true });
    renameSync(tmp, path);
  } catch (e) {
    // Another fazt may have put the same tree in place meanwhile: use it.
    if (!(existsSync(path) && intact())) throw e;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return path;
}
