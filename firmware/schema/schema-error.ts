import { SchemaError } from '../errors.js';

/** The part of an ajv ErrorObject we report (ajv's type, restated so the core needs no ajv types). */
export interface AjvErrorLike {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's first error into a SchemaError naming the JSON Pointer path and the rule. */
export function schemaErrorFrom(schema: string, errors: readonly AjvErrorLike[] | null | undefined): SchemaError {
  const e = errors && errors[0];
  if (!e) return new SchemaError(schema, '', 'unknown', 'is invalid');
  // A failed oneOf/anyOf lists its branches' errors first; the branch errors
  // alone would name one alternative as if it were the rule.
  const combinator = errors.find((x) => x.keyword === 'oneOf' || x.keyword === 'anyOf');
  if (combinator) {
    const branches = errors.filter((x) => x !== combinator && x.instancePath.indexOf(combinator.instancePath) === 0).map((x) => describe(x));
    return new SchemaError(
      schema,
      combinator.instancePath,
      combinator.keyword,
      `must match one alternative: ${branches.join(' | ') || (combinator.message ?? '')}`,
    );
  }
  const d = locate(e);
  return new SchemaError(schema, d.path, e.keyword, d.message);
}

function describe(e: AjvErrorLike): string {
  const d = locate(e);
  return `${d.path || '/'} ${d.message}`;
}

function locate(e: AjvErrorLike): { path: string; message: string } {
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
  return { path, message };
}
