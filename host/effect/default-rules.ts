import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

/** Where the rules `fazt start` ships with live (README "npm start"). */
function defaultRulesDir(): string {
  return join(projectRoot(), 'host', 'effect', 'default-rules');
}

/**
 * The rule documents in `dir` (*.json, in name order), for the hub's
 * `rules.defaults`: each is added once, on the first start that has not seen
 * its id. A file that is not JSON fails here, naming it; the hub checks the
 * documents against the rule schema when it adds them.
 */
export function loadDefaultRules(dir = defaultRulesDir()): unknown[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } catch (e) {
        throw new Error(`default rule ${file}: ${(e as Error).message}`);
      }
    });
}
