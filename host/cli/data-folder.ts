import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FaztError } from '../../hal/contracts/errors.js';
import { plainSystemError } from '../system-error.js';
import { type OptionSpec, UsageError } from './command.js';

export const DATA_OPTION: OptionSpec = { type: 'string', value: 'DIR', description: 'the hub folder: its cartridge fazt.db and its key (default ./fazt-data)' };

/**
 * --data as an absolute folder. A file there is a usage mistake; a folder
 * that cannot be made, or (`create: false`) is missing, is said in a
 * sentence naming the path, never as errno text.
 */
export function dataFolder(values: Record<string, unknown>, options: { create: boolean }): string {
  const dir = resolve(typeof values.data === 'string' ? values.data : './fazt-data');
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--data ${dir} is a file, not a folder: give the hub's folder (it holds fazt.db)`);
    return dir;
  }
  if (!options.create) throw new FaztError('io', `--data ${dir} does not exist: give the folder the hub runs with (fazt hub --data DIR)`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new FaztError('io', `cannot create the folder ${dir} for --data: ${plainSystemError(e) ?? (e as Error).message}`);
  }
  return dir;
}
