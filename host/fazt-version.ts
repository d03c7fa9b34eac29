import { readShippedFile } from './assets/shipped-files.js';

let cached: string | undefined;

/** The version of this program: package.json's, read where it runs from (`fazt --version`, the hub's Pulse). */
export function faztVersion(): string {
  cached ??= (JSON.parse(readShippedFile('package.json').toString('utf8')) as { version: string }).version;
  return cached;
}
