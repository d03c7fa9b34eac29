import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * The request body, at most `limit` bytes. A declared Content-Length over the
 * limit is refused before a byte is read; a body that grows past it is
 * refused as soon as it does, and reading stops there (the caller closes the
 * connection after the 413).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new HttpError(413, 'too-large', `body of ${declared} bytes is over the limit of ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        reject(new HttpError(413, 'too-large', `body is over the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      done();
      reject(new HttpError(400, 'aborted', `the body did not arrive: ${e.message}`));
    };
    const onClose = () => onError(new Error('the connection closed before the body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
