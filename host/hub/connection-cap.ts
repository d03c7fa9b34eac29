import type { Socket } from 'node:net';
import { HttpError } from './http-error.js';

const BUSY_BODY = `${new HttpError(503, 'too-many-connections', 'too many open connections from this address; close some and retry').body()}\n`;
/** The whole answer to a connection over the cap: written before a byte of the request is read. */
const BUSY =
  'HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 5\r\n' +
  `content-length: ${Buffer.byteLength(BUSY_BODY)}\r\n\r\n${BUSY_BODY}`;

/**
 * Open connections per remote address (each 127.x.y.z counts on its own, as
 * simulated nodes each have one). admit() counts a new connection and
 * forgets it when it closes; one over the cap is answered 503 (plain HTTP)
 * or simply closed (`plain` false: the first byte may be TLS), unread.
 */
export class ConnectionCap {
  private readonly open = new Map<string, number>();

  constructor(private readonly perAddress: number) {
    if (!Number.isSafeInteger(perAddress) || perAddress < 1) throw new RangeError(`perAddress must be a whole number of at least 1, got ${perAddress}`);
  }

  /** Open connections from `address`. */
  count(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** True when `socket` may be served; false when it was refused (and is closing). */
  admit(socket: Socket, plain: boolean): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const n = this.count(address);
    if (n >= this.perAddress) {
      socket.on('error', () => socket.destroy()); // the client may be gone already
      if (plain) socket.end(BUSY);
      else socket.destroy();
      return false;
    }
    this.open.set(address, n + 1);
    socket.once('close', () => {
      const left = this.count(address) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
    return true;
  }
}
