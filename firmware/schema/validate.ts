import type { SchemaError } from '../errors.js';
import type { FirmwareSchemaName } from './schema-names.js';
import { schemaErrorFrom } from './schema-error.js';
import * as generated from './validators.generated.js';

/**
 * The node's validators: ajv standalone code generated from schemas/ (no ajv
 * runtime on the node). Documents are checked in their JSON form, i.e. byte
 * strings as {"$bytes": …} (see codec/json-form.ts).
 */
export function checkDocument(name: FirmwareSchemaName, doc: unknown): SchemaError | null {
  // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the node keeps every validator; nothing to tree-shake.
  const v = generated[name];
  return v(doc) ? null : schemaErrorFrom(name, v.errors);
}

export function validateDocument(name: FirmwareSchemaName, doc: unknown): void {
  const err = checkDocument(name, doc);
  if (err) throw err;
}
