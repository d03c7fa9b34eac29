import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root, found by walking up from this module: the same answer
 * from the source tree and from dist/. Files fazt ships with are read through
 * host/assets/shipped-files.ts; what still asks for the checkout (the XS
 * engine's sources, the firmware build) cannot run in the single executable.
 */
const NEEDS_CHECKOUT =
  'needs the npm install (the XS engine and the sources it runs are not in the single executable): run it from a checkout with npm install';

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  if (isSea()) throw new Error(NEEDS_CHECKOUT);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fazt') return (root = dir);
    dir = dirname(dir);
  }
  throw new Error('cannot find the fazt project root above ' + fileURLToPath(import.meta.url));
}
