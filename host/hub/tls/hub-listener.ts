import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { HttpError } from '../http-error.js';
import { sendError } from '../reply.js';
import type { HubCertificate } from './hub-certificate.js';
import { isLoopback } from './loopback.js';
import { plainAllowed } from './plain-allowed.js';

const KEEP_ALIVE_MS = 30_000;
/** The first byte of every TLS connection: a handshake record (RFC 8446 §5.1, content type 22). */
const TLS_HANDSHAKE = 0x16;
const HANDSHAKE_MS = 10_000;

/** The socket the hub listens on and the connections it keeps. */
export interface HubListener {
  readonly server: Server;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/** The https URL of the request's own path on this same port, from its Host header when that is a plain host[:port]. */
function httpsUrl(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return `https://${host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : fallback}${(req.url ?? '/').split('?')[0]}`;
}

/** Plain HTTP from beyond loopback reaches only the node routes (plain-allowed.ts); the rest answers 403 https-required. */
function plainGuard(handler: RequestListener, fallback: string): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://hub').pathname;
    if (isLoopback(req.socket.remoteAddress ?? '') || plainAllowed(path, req.method ?? '')) return handler(req, res);
    const url = httpsUrl(req, fallback);
    sendError(
      res,
      new HttpError(403, 'https-required', `this route needs HTTPS: ${url} (pin the certificate fingerprint fazt hub prints)`),
      !req.readableEnded,
    );
    if (!req.readableEnded) res.once('finish', () => req.socket.destroySoon());
  };
}

/**
 * The server side of TLS on an accepted socket. TLS reads a net.Socket's
 * handle directly and would miss the byte already read to tell TLS from
 * HTTP, so it gets the socket as a stream, that byte included; the peer's
 * address stays readable (rate limits, logs). The handshake has
 * HANDSHAKE_MS to finish.
 */
function secureSocket(socket: Socket, context: SecureContext, ready: (t: TLSSocket) => void): void {
  const t = new TLSSocket(Duplex.from({ readable: socket, writable: socket }), { isServer: true, secureContext: context });
  Object.defineProperties(t, {
    remoteAddress: { value: socket.remoteAddress },
    remotePort: { value: socket.remotePort },
    remoteFamily: { value: socket.remoteFamily },
  });
  const timer = setTimeout(() => socket.destroy(), HANDSHAKE_MS);
  t.once('error', () => socket.destroy()); // a failed handshake: the client was told by TLS, nothing to log
  t.once('close', () => clearTimeout(timer));
  t.once('secure', () => {
    clearTimeout(timer);
    ready(t);
  });
}

function plainListener(handler: RequestListener): HubListener {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return { server, closeIdleConnections: () => server.closeIdleConnections(), closeAllConnections: () => server.closeAllConnections() };
}

/**
 * The hub's listening socket. On loopback: plain HTTP, every route. Beyond
 * loopback (`tls` given): one port answers both, told apart by each
 * connection's first byte — TLS 1.3 with the hub's certificate, every route;
 * plain HTTP, the node routes only, unless the client is on loopback.
 * The two inner servers never listen: connections are handed to them.
 */
export function hubListener(handler: RequestListener, tls: HubCertificate | undefined, listenHost: string): HubListener {
  if (!tls) return plainListener(handler);
  const plain = createHttpServer(plainGuard(handler, listenHost));
  const secure = createHttpServer(handler);
  const context = createSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' });
  const inner: HttpServer[] = [plain, secure];
  for (const s of inner) s.keepAliveTimeout = KEEP_ALIVE_MS;
  const server = createNetServer((socket: Socket) => {
    socket.once('error', () => socket.destroy()); // a client gone before its first byte
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) secureSocket(socket, context, (t) => secure.emit('connection', t));
      else plain.emit('connection', socket);
      socket.resume();
    });
  });
  // The inner servers track their connections (closeIdleConnections) from 'listening' on; close() ends that.
  server.once('listening', () => inner.forEach((s) => s.emit('listening')));
  server.once('close', () => inner.forEach((s) => s.close(() => {})));
  return {
    server,
    closeIdleConnections: () => inner.forEach((s) => s.closeIdleConnections()),
    closeAllConnections: () => inner.forEach((s) => s.closeAllConnections()),
  };
}
