import { FaztError } from '../../hal/contracts/errors.js';

/**
 * Chirp's run-time failures, each with a stable code (STYLE habit 9):
 * - timeout: the listening window closed before the message was complete
 *   (`missing` lists the frames not yet heard when any frame was heard);
 * - nothing-detected: the audio held no Chirp frame at all;
 * - digest-mismatch: every frame arrived but the reassembled message does not
 *   hash to the digest its frames carry;
 * - frames-missing: the audio ended with frames still missing (`missing`);
 * - bad-wav: bytes that are not a WAV file the WAV library can read;
 * - engine: ggwave could not be loaded or refused a request (its limit of
 *   four live instances, for example).
 */
export type ChirpErrorCode = 'timeout' | 'nothing-detected' | 'digest-mismatch' | 'frames-missing' | 'bad-wav' | 'engine';

export class ChirpError extends FaztError {
  declare readonly code: ChirpErrorCode;
  /** Frame indices not received (timeout, frames-missing), ascending. */
  readonly missing: readonly number[];
  /** Frames in the message, when known. */
  readonly count: number | undefined;

  constructor(code: ChirpErrorCode, message: string, details: { missing?: readonly number[]; count?: number; cause?: unknown } = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    Object.defineProperty(this, 'name', { value: 'ChirpError', writable: true, configurable: true, enumerable: false });
    this.missing = details.missing ?? [];
    this.count = details.count;
  }
}
