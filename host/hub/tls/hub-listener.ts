import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { ConnectionCap } from '../connection-cap.js';
import type { ResolvedHubLimits } from '../hub-limits.js';
import { RefusalLog } from '../refusal-log.js';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { HttpError } from '../http-error.js';
import { sendError } from '../reply.js';
import type { HubCertificate } from './hub-certificate.js';
import { isLoopback } from './loopback.js';
import { plainAllowed } from './plain-allowed.js';

/** How long an idle connection is kept, as told to clients (Keep-Alive: timeout=30). */
const KEEP_ALIVE_MS = 30_000;
/**
 * The hub closes an idle connection this much later than it told: a client that
 * reuses it near the advertised limit (its timers late on a loaded machine) would
 * otherwise write its request as the hub closes, and lose it to ECONNRESET
 * (a POST is not retried). Node 24's keepAliveTimeoutBuffer, by hand on Node 20.
 */
const KEEP_ALIVE_GRACE_MS = 5_000;
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

/** What guards the listener against slow and abusive clients (host/hub/hub-limits.ts). */
export interface ListenerGuard {
  limits: Pick<ResolvedHubLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>;
  cap: ConnectionCap;
  refusals: RefusalLog;
}

/** The guard for `limits`, its refusals logged through `log` once per address per period. */
export function listenerGuard(limits: ResolvedHubLimits, log: (record: Record<string, unknown>) => void): ListenerGuard {
  return { limits, cap: new ConnectionCap(limits.connectionsPerAddress), refusals: new RefusalLog(log, limits.refusalLogMs, limits.now) };
}

/** Node's own answers to a request it could not parse or that came too slowly (node:http's socketOnError), and the refusal logged. */
const CLIENT_ERROR: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large'],
};

function onClientError(refusals: RefusalLog) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    const [status, text] = CLIENT_ERROR[err.code ?? ''] ?? [400, 'Bad Request'];
    const from = (socket as Socket).remoteAddress;
    if (status === 408) refusals.note('request-timeout', from, { status, message: 'the request did not arrive in time; the connection was closed' });
    // A response already under way must not be interleaved with another (node:http keeps it on the socket).
    const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (socket.writable && !started && err.code !== 'ECONNRESET') socket.write(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\n\r\n`);
    socket.destroy();
  };
}

/** An inner HTTP server: keep-alive, the header and whole-request timeouts checked often enough to hold them, refusals logged. */
function httpServer(handler: RequestListener, guard: ListenerGuard): HttpServer {
  const { headersTimeoutMs, requestTimeoutMs } = guard.limits;
  const server = createHttpServer({
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    // node:http checks the two timeouts on this interval (default 30 s, coarser than the timeouts themselves).
    connectionsCheckingInterval: Math.max(10, Math.floor(headersTimeoutMs / 4)),
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS + KEEP_ALIVE_GRACE_MS;
  // The header Node writes says the response's _keepAliveTimeout (the server's unless set): advertise the shorter one.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    (res as ServerResponse & { _keepAliveTimeout: number })._keepAliveTimeout = KEEP_ALIVE_MS;
  });
  server.on('request', handler);
  server.on('clientError', onClientError(guard.refusals));
  return server;
}

/** A connection is counted against its address before anything is read from it; one over the cap is refused. */
function admitted(socket: Socket, guard: ListenerGuard, plain: boolean): boolean {
  if (guard.cap.admit(socket, plain)) return true;
  const from = socket.remoteAddress;
  guard.refusals.note('too-many-connections', from, { status: 503, message: 'too many open connections from this address; closed unread' });
  return false;
}

/**
 * The hub's listening socket. On loopback: plain HTTP, every route. Beyond
 * loopback (`tls` given): one port answers both, told apart by each
 * connection's first byte — TLS 1.3 with the hub's certificate, every route;
 * plain HTTP, the node routes only, unless the client is on loopback.
 * The two inner servers never listen: connections are handed to them.
 */
export function hubListener(handler: RequestListener, tls: HubCertificate | undefined, listenHost: string, guard: ListenerGuard): HubListener {
  if (!tls) return plainListener(handler, guard);
  const plain = httpServer(plainGuard(handler, listenHost), guard);
  const secure = httpServer(handler, guard);
  const context = createSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.3' });
  const inner: HttpServer[] = [plain, secure];
  const server = createNetServer((socket: Socket) => {
    if (!admitted(socket, guard, false)) return;
    socket.once('error', () => socket.destroy()); // a client gone before its first byte
    // A client that connects and never sends its first byte is held no longer than one that never ends its headers.
    const silent = setTimeout(() => socket.destroy(), guard.limits.headersTimeoutMs);
    socket.once('close', () => clearTimeout(silent));
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      socket.pause();
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) secureSocket(socket, context, (t) => secure.emit('connection', t));
      else plain.emit('connection', socket);
      socket.resume();
    });
  });
  return fronted(server, inner);
}

/** Plain HTTP on loopback, behind the same per-address cap. */
function plainListener(handler: RequestListener, guard: ListenerGuard): HubListener {
  const plain = httpServer(handler, guard);
  const server = createNetServer((socket: Socket) => {
    if (admitted(socket, guard, true)) plain.emit('connection', socket);
  });
  return fronted(server, [plain]);
}

/** The listening socket in front of inner servers that never listen themselves. */
function fronted(server: Server, inner: HttpServer[]): HubListener {
  // The inner servers track their connections (closeIdleConnections, the timeouts) from 'listening' on; close() ends that.
  server.once('listening', () => inner.forEach((s) => s.emit('listening')));
  server.once('close', () => inner.forEach((s) => s.close(() => {})));
  return {
    server,
    closeIdleConnections: () => inner.forEach((s) => s.closeIdleConnections()),
    closeAllConnections: () => inner.forEach((s) => s.closeAllConnections()),
  };
}
