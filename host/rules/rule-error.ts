import { FaztError, nameError } from '../../hal/contracts/errors.js';

export type RuleErrorCode =
  | 'schema' // the document fails schemas/rule.schema.json
  | 'invalid' // valid JSON shape, impossible content (a bad cron, an unknown zone, duplicate trigger ids)
  | 'unknown-node'
  | 'ambiguous-node'
  | 'unknown-output'
  | 'not-an-output' // a pin no output of the node is configured on
  | 'input-only'
  | 'strapping-pin'
  | 'reserved-pin'
  | 'unknown-pin'
  | 'capability'
  | 'unknown-rule'; // no rule with that id on the hub

/** A rule document refused: `path` is the JSON Pointer into the document of what was wrong. */
export class RuleError extends FaztError {
  readonly path: string;
  constructor(code: RuleErrorCode, path: string, message: string) {
    super(code, `rule: ${path || '/'} ${message}`);
    nameError(this, 'RuleError');
    this.path = path;
  }
}
