import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root.js';

let cached: string | undefined;

/** The version of this program: package.json's, read where it runs from (`fazt --version`, the hub's Pulse). */
export function faztVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
