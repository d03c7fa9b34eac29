import { Agent, request } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import { FaztError } from '../../hal/contracts/errors.js';
import { certFingerprint, type CertFingerprint } from './cert-fingerprint.js';

export interface PinnedInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  signal?: AbortSignal;
}

/**
 * TLS that trusts one certificate, named by its fingerprint, and nothing
 * else: no CA, no names, no dates (a hub's certificate is self-signed and a
 * node may not know the time). The connection is handed to the request only
 * once the certificate matched, so not a byte of it reaches another server.
 */
class PinnedAgent extends Agent {
  constructor(
    private readonly pin: CertFingerprint,
    private readonly origin: string,
  ) {
    super({ keepAlive: false });
  }

  override createConnection(options: ConnectionOptions, done?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const socket = connect({ ...options, rejectUnauthorized: false });
    socket.once('error', (e) => done?.(e, socket));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      const seen = cert ? certFingerprint(cert.raw) : 'no certificate';
      if (seen === this.pin) return done?.(null, socket);
      socket.destroy();
      done?.(new FaztError('tls-fingerprint', `${this.origin} presented certificate ${seen}, not the pinned ${this.pin}: refusing to talk to it`), socket);
    });
    return undefined;
  }
}

/**
 * An https request to a server whose certificate has the fingerprint `pin`,
 * answered as a fetch Response. A certificate that does not match rejects
 * with FaztError code 'tls-fingerprint'.
 */
export function pinnedFetch(url: string, init: PinnedInit, pin: CertFingerprint): Promise<Response> {
  const target = new URL(url);
  if (target.protocol !== 'https:') return Promise.reject(new TypeError(`a pinned certificate needs an https:// URL, got ${url}`));
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: init.method ?? 'GET',
      headers: init.headers,
      signal: init.signal,
      agent: new PinnedAgent(pin, target.origin),
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        const status = res.statusCode ?? 502;
        resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    req.end(init.body);
  });
}
