import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { projectRoot } from '../project-root.js';
import { extractTree } from './asset-cache.js';

/**
 * The files fazt ships with and reads at run time (schemas/, boards/, the
 * default rules and checks, the dashboard, package.json), named by their path
 * in the checkout. Inside the single executable (scripts/package.ts) they are
 * its embedded assets, listed in ASSET_LIST_KEY; elsewhere the checkout's
 * files. The one place that knows the difference.
 */
export const ASSET_LIST_KEY = 'fazt/asset-list.json';

let listed: ReadonlySet<string> | undefined;

function embedded(): ReadonlySet<string> {
  listed ??= new Set(JSON.parse(getAsset(ASSET_LIST_KEY, 'utf8')) as string[]);
  return listed;
}

function cleanRel(rel: string): string {
  const clean = rel.replace(/\/+$/, '');
  if (clean.startsWith('/') || clean.split('/').includes('..')) throw new RangeError(`a shipped file is named by its path in the checkout, got '${rel}'`);
  return clean;
}

/** True inside the single executable. */
export function isSingleExecutable(): boolean {
  return isSea();
}

/** The bytes of the shipped file `rel` (e.g. 'schemas/event.schema.json'); throws ENOENT as readFileSync does when it is absent. */
export function readShippedFile(rel: string): Buffer {
  const key = cleanRel(rel);
  if (!isSea()) return readFileSync(join(projectRoot(), key));
  if (!embedded().has(key)) throw Object.assign(new Error(`ENOENT: no such file in this executable, '${key}'`), { code: 'ENOENT' });
  return Buffer.from(getAsset(key));
}

/** The names of the files directly in the shipped folder `rel`, sorted; [] when there is no such folder. */
export function listShippedDir(rel: string): string[] {
  const dir = cleanRel(rel);
  if (!isSea()) {
    const abs = join(projectRoot(), dir);
    return existsSync(abs)
      ? readdirSync(abs, { withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => d.name)
          .sort()
      : [];
  }
  const prefix = `${dir}/`;
  return [...embedded()]
    .filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'))
    .map((k) => k.slice(prefix.length))
    .sort();
}

/** How messages name the shipped file `rel`: its path in the checkout, or `fazt:<rel>` inside the executable. */
export function shippedFileName(rel: string): string {
  const key = cleanRel(rel);
  return isSea() ? `fazt:${key}` : join(projectRoot(), key);
}

/**
 * The shipped folder `rel` as a folder on disk, for readers that take one
 * (the dashboard): the checkout's, or inside the executable its files
 * extracted once to the private cache under a name made of their hash.
 */
export function shippedDirOnDisk(rel: string): string {
  const dir = cleanRel(rel);
  if (!isSea()) return join(projectRoot(), dir);
  const prefix = `${dir}/`;
  const files = [...embedded()].filter((k) => k.startsWith(prefix)).map((k) => ({ rel: k.slice(prefix.length), bytes: Buffer.from(getAsset(k)) }));
  return extractTree(dir.replaceAll('/', '-'), files);
}
