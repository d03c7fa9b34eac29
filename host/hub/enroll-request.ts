import { fromHex } from '../../firmware/codec/text-encodings.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { SchemaError } from '../../firmware/errors.js';
import { enrollProofMessage } from '../../firmware/node/enroll-request.js';
import { HttpError } from './http-error.js';

export interface EnrollRequest {
  token: string;
  publicKey: Uint8Array;
  proof: Uint8Array;
  name?: string;
  board?: string;
}

const FIELDS: Record<string, { pattern: RegExp; required: boolean; what: string }> = {
  token: { pattern: /^[\x21-\x7e]{1,128}$/, required: true, what: '1 to 128 printable ASCII characters' },
  publicKey: { pattern: /^[0-9a-fA-F]{64}$/, required: true, what: '32 bytes in hex' },
  proof: { pattern: /^[0-9a-fA-F]{128}$/, required: true, what: 'a 64-byte Ed25519 signature in hex' },
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a name may not hold.
  name: { pattern: /^[^\x00-\x1f\x7f]{1,64}$/u, required: false, what: '1 to 64 characters, no control characters' },
  board: { pattern: /^[a-z0-9][a-z0-9-]{0,63}$/, required: false, what: 'a board id such as esp32-c3-devkitm-1' },
};

function refuse(path: string, rule: string, message: string): never {
  throw new SchemaError('enroll', path, rule, message);
}

/** The JSON body of POST /v1/enroll, checked field by field (SchemaError with path and rule → 422). */
export function parseEnrollRequest(doc: unknown): EnrollRequest {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) refuse('', 'type', 'must be an object');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS[k]) refuse(`/${k}`, 'additionalProperties', 'is not a field of an enrolment');
  for (const [k, f] of Object.entries(FIELDS)) {
    const v = o[k];
    if (v === undefined) {
      if (f.required) refuse(`/${k}`, 'required', 'is required');
      continue;
    }
    if (typeof v !== 'string') refuse(`/${k}`, 'type', 'must be a string');
    if (!f.pattern.test(v)) refuse(`/${k}`, 'pattern', `must be ${f.what}`);
  }
  const req: EnrollRequest = { token: o.token as string, publicKey: fromHex(o.publicKey as string), proof: fromHex(o.proof as string) };
  if (o.name !== undefined) req.name = o.name as string;
  if (o.board !== undefined) req.board = o.board as string;
  return req;
}

/** The key holder signed this token: else 401 bad-proof. */
export function checkEnrollProof(req: EnrollRequest, crypto: CryptoProvider): void {
  if (!crypto.verify(req.proof, enrollProofMessage(req.token, req.publicKey), req.publicKey)) {
    throw new HttpError(401, 'bad-proof', 'the proof is not a signature by this key over ["fazt/enroll/v1", token, publicKey]');
  }
}
