import { SchemaError } from '../errors.js';

/** The part of an ajv ErrorObject we report (ajv's type, restated so the core needs no ajv types). */
export interface AjvErrorLike {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's first error into a SchemaError naming the JSON Pointer path and the rule. */
export function schemaErrorFrom(schema: string, errors: readonly AjvErrorLike[] | null | undefined): SchemaError {
  const e = errors && errors[0];
  if (!e) return new SchemaError(schema, '', 'unknown', 'is invalid');
  let path = e.instancePath;
  let message = e.message ?? 'is invalid';
  const p = e.params;
  if (e.keyword === 'required' && typeof p.missingProperty === 'string') {
    path = `${path}/${p.missingProperty}`;
    message = 'is required';
  } else if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    path = `${path}/${p.additionalProperty}`;
    message = 'is not allowed here';
  } else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) {
    message = `must be one of ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return new SchemaError(schema, path, e.keyword, message);
}
