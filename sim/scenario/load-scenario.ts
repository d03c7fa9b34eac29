import { readFileSync } from 'node:fs';
import { FaztError } from '../../hal/contracts/errors.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import type { Scenario } from './scenario.js';

/** Reads and validates a scenario file; errors name the file and the JSON path. */
export function loadScenario(file: string): Scenario {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FaztError('scenario', `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    validateOnHost('scenario', doc);
  } catch (e) {
    throw new FaztError('scenario', `${file}: ${(e as Error).message}`);
  }
  return doc as Scenario;
}
