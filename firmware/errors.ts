import { FaztError, nameError } from '../hal/contracts/errors.js';

/** The firmware's errors: bytes, documents and chains from the outside world (the base: hal/contracts/errors.ts). */

/** Malformed or non-canonical CBOR/JSON. `offset` is the byte where decoding stopped. */
export class CodecError extends FaztError {
  readonly offset: number;
  constructor(code: string, message: string, offset = -1) {
    super(code, offset >= 0 ? `${message} (at byte ${offset})` : message);
    nameError(this, 'CodecError');
    this.offset = offset;
  }
}

/** A document that does not satisfy its JSON Schema. `path` is a JSON Pointer. */
export class SchemaError extends FaztError {
  readonly path: string;
  readonly rule: string;
  constructor(schema: string, path: string, rule: string, message: string) {
    super('schema', `${schema}: ${path || '/'} ${message} (${rule})`);
    nameError(this, 'SchemaError');
    this.path = path;
    this.rule = rule;
  }
}

/** A batch or entry that fails verification: signature, identity, chain or sequence. */
export class VerifyError extends FaztError {
  constructor(code: VerifyErrorCode, message: string) {
    super(code, message);
    nameError(this, 'VerifyError');
  }
}

/**
 * A batch that does not continue what the receiver stored: its first seq is
 * past the receiver's head + 1 and it declares no dropped range reaching
 * back to it. `stored` is that head (seq 0 and no hash: nothing stored), so a
 * node whose receiver lost entries (a hub restored from a backup) can sign
 * for them (firmware/uplink/uplink.ts).
 */
export class GapError extends VerifyError {
  readonly stored: { seq: number; hash?: Uint8Array };
  constructor(message: string, stored: { seq: number; hash?: Uint8Array }) {
    super('gap', message);
    nameError(this, 'GapError');
    this.stored = stored;
  }
}

/**
 * A batch whose chain is not the one the receiver stored (code
 * 'chain-broken'): it does not link to the stored head, or differs from the
 * stored entry at the same seq (a node that lost its chain head and began
 * again at seq 1). `stored` is the receiver's head, so a hub can give it,
 * signed, to a node that lost its state (firmware/uplink/signed-head.ts).
 */
export class ForkError extends VerifyError {
  readonly stored: { seq: number; hash: Uint8Array };
  constructor(message: string, stored: { seq: number; hash: Uint8Array }) {
    super('chain-broken', message);
    nameError(this, 'ForkError');
    this.stored = stored;
  }
}

export type VerifyErrorCode =
  | 'malformed' // not a batch at all
  | 'key-mismatch' // node id does not derive from the key carried
  | 'bad-signature' // signature does not verify over the header
  | 'foreign-entry' // an entry from another node
  | 'tampered' // an entry's content no longer matches its id / the signed head
  | 'reordered' // seqs not ascending
  | 'gap' // a seq missing inside the batch or between stored and batch
  | 'truncated' // fewer entries than the signed range
  | 'chain-broken' // prev does not equal the hash of the entry before
  | 'replay' // every entry is already stored
  | 'unknown-dictionary'; // a compact batch names a dictionary the receiver does not hold
