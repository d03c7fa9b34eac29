import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A raw TCP client of the hub from a chosen loopback source address: everything it receives until the hub closes. */
export interface RawClient {
  socket: Socket;
  /** Resolves with the text received once the connection has closed. */
  closed: Promise<string>;
}

/** Connects from `localAddress` (any 127.x.y.z) to the hub on 127.0.0.1:`port`. */
export async function rawConnect(port: number, localAddress: string): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => undefined); // a write after the hub cut the connection (EPIPE, ECONNRESET): the close says enough
  const closed = new Promise<string>((ok) => socket.once('close', () => ok(text)));
  await new Promise<void>((ok, fail) => {
    socket.once('connect', ok);
    socket.once('error', fail);
  });
  return { socket, closed };
}

/** One GET from `localAddress` on a fresh connection: its status and body. */
export function getFrom(
  port: number,
  path: string,
  localAddress: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes; returns the stop. */
export function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable || i >= text.length) return;
    socket.write(text[i++]);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}
