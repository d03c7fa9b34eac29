import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { isSea } from 'node:sea';
import { FaztError } from '../../hal/contracts/errors.js';
import { projectRoot } from '../project-root.js';

/**
 * The program a service runs, as absolute paths: the single executable
 * itself (dist/fazt, made with Node's single-executable support) when that
 * is what runs now, else this Node and the checkout's built CLI
 * (dist/fazt.js), however it was reached (bin/fazt.js, npx, a symlink).
 */
export function serviceProgram(): string[] {
  if (isSea()) return [realpathSync(process.execPath)];
  const cli = join(projectRoot(), 'dist', 'fazt.js');
  if (!existsSync(cli)) throw new FaztError('io', `${cli} is missing: run npm run build before installing the service`);
  return [realpathSync(process.execPath), realpathSync(cli)];
}
