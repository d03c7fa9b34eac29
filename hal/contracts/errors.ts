/**
 * The error taxonomy (STYLE.md habit 9). Caller mistakes throw the built-in
 * TypeError/RangeError naming the parameter. Everything the outside world can
 * get wrong (bytes, documents, signatures, pins) throws a FaztError subclass
 * carrying a stable `code` that tests and the hub's API match on. The base
 * and the errors the HAL raises (IoError, BoardError) live here, with the
 * contracts; the firmware's own (codec, schema, verification) in
 * firmware/errors.ts.
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
export function nameError(e: Error, name: string): void {
  Object.defineProperty(e, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** A pin or bus request the board cannot satisfy. */
export class BoardError extends FaztError {
  constructor(code: BoardErrorCode, message: string) {
    super(code, message);
    nameError(this, 'BoardError');
  }
}

export type BoardErrorCode = 'unknown-pin' | 'input-only' | 'reserved-pin' | 'strapping-pin' | 'pin-in-use' | 'capability' | 'bus-pins' | 'unknown-board';

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
