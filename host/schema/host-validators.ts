import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { SchemaError } from '../../firmware/errors.js';
import { schemaErrorFrom } from '../../firmware/schema/schema-error.js';
import { readShippedFile } from '../assets/shipped-files.js';
import { AJV_OPTIONS, SCHEMA_FILES, SCHEMA_IDS, type SchemaName } from '../../firmware/schema/schema-names.js';
import { HOST_SCHEMA_FILES, HOST_SCHEMA_IDS, type HostSchemaName } from './host-schema-names.js';

/**
 * The hub's validators: ajv at run time over the same schema files and options
 * the firmware's standalone validators were generated from, and the hub's own
 * documents (host-schema-names.ts).
 */
type AnySchemaName = SchemaName | HostSchemaName;

let ajv: Ajv2020 | undefined;
const compiled = new Map<AnySchemaName, ValidateFunction>();

function schemaId(name: AnySchemaName): string {
  return name in HOST_SCHEMA_IDS ? HOST_SCHEMA_IDS[name as HostSchemaName] : SCHEMA_IDS[name as SchemaName];
}

function validatorFor(name: AnySchemaName): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv2020({ ...AJV_OPTIONS });
      for (const f of [...SCHEMA_FILES, ...HOST_SCHEMA_FILES]) ajv.addSchema(JSON.parse(readShippedFile(`schemas/${f}.schema.json`).toString('utf8')));
    }
    v = ajv.getSchema(schemaId(name)) as ValidateFunction;
    compiled.set(name, v);
  }
  return v;
}

export function checkDocumentOnHost(name: AnySchemaName, doc: unknown): SchemaError | null {
  const v = validatorFor(name);
  return v(doc) ? null : schemaErrorFrom(name, v.errors);
}

export function validateOnHost(name: AnySchemaName, doc: unknown): void {
  const err = checkDocumentOnHost(name, doc);
  if (err) throw err;
}
