import type { SchemaError } from '../../firmware/errors.js';
import { schemaErrorFrom } from '../../firmware/schema/schema-error.js';
import type { SchemaName } from '../../firmware/schema/schema-names.js';
import * as node from '../../firmware/schema/validators.generated.js';
import type { HostSchemaName } from './host-schema-names.js';
import * as hub from './validators.generated.js';

/**
 * The hub's validators: ajv standalone code generated from schemas/ with the
 * options of the firmware's (scripts/gen-validators.ts), so both judge a
 * document the same way and the hub neither loads ajv nor compiles a schema
 * at start-up. The node's documents use the node's own validators.
 */
type AnySchemaName = SchemaName | HostSchemaName;

const validators: Record<AnySchemaName, node.GeneratedValidator> = { ...node, ...hub };

export function checkDocumentOnHost(name: AnySchemaName, doc: unknown): SchemaError | null {
  const v = validators[name];
  return v(doc) ? null : schemaErrorFrom(name, v.errors);
}

export function validateOnHost(name: AnySchemaName, doc: unknown): void {
  const err = checkDocumentOnHost(name, doc);
  if (err) throw err;
}
