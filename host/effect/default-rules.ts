import { RuleError } from '../rules/index.js';
import { listShippedDir, readShippedFile, shippedFileName } from '../assets/shipped-files.js';

/** Where the rules `fazt start` ships with live (README "npm start"). */
const DEFAULT_RULES_DIR = 'host/effect/default-rules';

/**
 * The shipped rule documents (*.json, in name order), for the hub's
 * `rules.defaults`: each is added once, on the first start that has not seen
 * its id. A file that is not JSON fails here, naming it; the hub checks the
 * documents against the rule schema when it adds them.
 */
export function loadDefaultRules(): unknown[] {
  return listShippedDir(DEFAULT_RULES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const file = `${DEFAULT_RULES_DIR}/${f}`;
      try {
        return JSON.parse(readShippedFile(file).toString('utf8')) as unknown;
      } catch (e) {
        throw new Error(`default rule ${shippedFileName(file)}: ${(e as Error).message}`);
      }
    });
}

// What a default can be refused for only until its nodes have enrolled and booted.
const WAIT_FOR_NODES = new Set<string>(['unknown-node', 'unknown-output', 'not-an-output']);

/**
 * The defaults the hub has never seen (a default the owner removed stays
 * removed), waiting for the nodes and outputs they name: the demo's nodes
 * enrol after the hub starts, and declare their outputs when they boot.
 */
export class PendingDefaults {
  private waiting: unknown[];

  constructor(docs: readonly unknown[], seen: (id: string) => boolean) {
    this.waiting = docs.filter((doc) => {
      const id = (doc as { id?: unknown })?.id;
      return typeof id === 'string' && !seen(id);
    });
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Records those whose nodes and outputs are known; those that name others wait on, the rest go to `refused`. */
  add(record: (doc: unknown) => void, refused: (e: unknown) => void): void {
    const still: unknown[] = [];
    for (const doc of this.waiting) {
      try {
        record(doc);
      } catch (e) {
        if (e instanceof RuleError && WAIT_FOR_NODES.has(e.code)) still.push(doc);
        else refused(e);
      }
    }
    this.waiting = still;
  }
}
