import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (where boards/ and schemas/ live), found by walking up
 * from this module: the same answer from the source tree and from dist/.
 */
let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fazt') return (root = dir);
    dir = dirname(dir);
  }
  throw new Error('cannot find the fazt project root above ' + fileURLToPath(import.meta.url));
}
