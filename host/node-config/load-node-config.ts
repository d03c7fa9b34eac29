import { readFileSync } from 'node:fs';
import type { JsonValue } from '../../firmware/codec/json-form.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { checkNodeConfig, describeProblems } from './node-config-check.js';

/** The node configuration file, checked as `fazt node check` checks it; errors name the file and each path. */
export function loadNodeConfig(file: string): JsonValue {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FaztError('node-config', `cannot read node configuration ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const problems = checkNodeConfig(doc);
  const schema = problems[0]?.pointer;
  if (schema !== undefined) throw new FaztError('schema', `${file}: nodeConfig: ${schema} ${problems[0].message}`);
  if (problems.length) throw new FaztError('node-config', describeProblems(problems, file).replace(/\n/g, '; '));
  return doc as JsonValue;
}
