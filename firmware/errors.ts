/**
 * The error taxonomy (STYLE.md habit 9). Caller mistakes throw the built-in
 * TypeError/RangeError naming the parameter. Everything the outside world can
 * get wrong (bytes, documents, signatures, pins) throws a FaztError subclass
 * carrying a stable `code` that tests and the hub's API match on.
 */
export class FaztError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message);
    this.code = code;
    if (options && options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/**
 * Names an error instance. A Moddable build freezes Error.prototype at link
 * time, so assigning `this.name` (which would write through to the frozen
 * prototype's property) throws there; defining an own property does not.
 */
function nameError(e: Error, name: string): void {
  Object.defineProperty(e, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

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
  | 'replay'; // every entry is already stored

/** A pin or bus request the board cannot satisfy. */
export class BoardError extends FaztError {
  constructor(code: BoardErrorCode, message: string) {
    super(code, message);
    nameError(this, 'BoardError');
  }
}

export type BoardErrorCode =
  | 'unknown-pin'
  | 'input-only'
  | 'reserved-pin'
  | 'strapping-pin'
  | 'pin-in-use'
  | 'capability'
  | 'bus-pins'
  | 'unknown-board';

/**
 * A fault on a bus or pin at run time: the device did not answer (nack), the
 * bus is held (bus-stuck), data failed its checksum (crc), the device is not
 * there (absent), the io was used after close (closed), or it did not finish
 * in time (timeout). On a network: the local port is taken (in-use), or a
 * datagram could not be sent (unreachable: no route, no interface).
 */
export class IoError extends FaztError {
  constructor(code: IoErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    nameError(this, 'IoError');
  }
}

export type IoErrorCode = 'nack' | 'bus-stuck' | 'crc' | 'absent' | 'closed' | 'timeout' | 'unsupported' | 'in-use' | 'unreachable';
