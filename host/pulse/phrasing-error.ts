import { FaztError, nameError } from '../../hal/contracts/errors.js';

export type PhrasingErrorCode =
  | 'refused' // 401 or 403: the endpoint wants a (different) key
  | 'http' // any other answer than 2xx
  | 'timeout' // no whole answer within timeoutMs
  | 'unreachable' // no connection, or it broke
  | 'not-json' // the answer's body does not parse
  | 'no-content' // no choices[0].message.content, or it is empty
  | 'too-large'; // the answer is over the size the hub reads

/** The model endpoint could not phrase a beat. Messages never hold the api key. */
export class PhrasingError extends FaztError {
  constructor(code: PhrasingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    nameError(this, 'PhrasingError');
  }
}
