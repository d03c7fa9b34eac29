import { FaztError, nameError } from '../../hal/contracts/errors.js';

export type BthomeErrorCode =
  | 'truncated' // the bytes end inside the header, an object, or the encrypted trailer
  | 'not-v2' // the device information byte names another BTHome version (or it is not BTHome at all)
  | 'unknown-object' // an object id the BTHome v2 specification does not define
  | 'unknown-event' // a button or dimmer event id the specification does not define
  | 'bad-text' // a text object (0x53) that is not UTF-8
  | 'bad-mic' // the message integrity check fails: wrong key, wrong MAC, or altered bytes
  | 'bad-key' // the key is not 16 bytes
  | 'bad-mac' // the MAC address is not six bytes written as hex
  | 'not-encrypted'; // decryption asked of a plaintext packet

/**
 * BTHome service data that does not decode. The message names the byte
 * offset (in the bytes given) and, where one was read, the object id.
 */
export class BthomeError extends FaztError {
  /** Where decoding stopped, counted in the bytes given; -1 when the fault is not in the bytes (key, MAC). */
  readonly offset: number;
  constructor(code: BthomeErrorCode, message: string, offset = -1) {
    super(code, offset >= 0 ? `${message} (at byte ${offset})` : message);
    nameError(this, 'BthomeError');
    this.offset = offset;
  }
}
