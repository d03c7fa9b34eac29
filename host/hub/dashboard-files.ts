import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Every page: scripts and styles only from the hub's own files, nothing
 * inline; images (the invite's QR) may be data: URLs, the invite's sound
 * comes from the API; no frames, no plugins, forms post only here.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

interface StaticFile {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  br: Buffer;
  etag: string;
  /** Names carrying their content hash never change: cached for a year. */
  immutable: boolean;
}

/**
 * The dashboard (dist/dashboard, built by scripts/build.ts) from memory:
 * `/` is index.html, `/assets/<name>-<hash>.<ext>` the bundles. Compressed
 * once (brotli or gzip as the client accepts). Static files are not data:
 * no sign-in is needed to load them, the API they call asks for it.
 */
export class DashboardFiles {
  private readonly files = new Map<string, StaticFile>();

  constructor(readonly dir: string) {
    if (!existsSync(join(dir, 'index.html'))) return;
    this.add('/', join(dir, 'index.html'), false);
    const assets = join(dir, 'assets');
    if (existsSync(assets)) for (const name of readdirSync(assets)) this.add(`/assets/${name}`, join(assets, name), true);
  }

  private add(path: string, file: string, immutable: boolean): void {
    const raw = readFileSync(file);
    this.files.set(path, {
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      raw,
      gzip: gzipSync(raw, { level: 9 }),
      br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`,
      immutable,
    });
  }

  /** Answers a GET or HEAD for `/` or `/assets/*`; false when the path is not the dashboard's. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname !== '/' && !pathname.startsWith('/assets/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const f = this.files.get(pathname);
    const headers: Record<string, string> = { 'x-content-type-options': 'nosniff', 'content-security-policy': CONTENT_SECURITY_POLICY };
    if (!f) {
      const text = this.files.size === 0 ? 'the dashboard is not built: run npm run build\n' : `no file ${pathname}\n`;
      res.writeHead(this.files.size === 0 ? 503 : 404, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
      return true;
    }
    headers['content-type'] = f.type;
    headers['cache-control'] = f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache';
    headers.etag = f.etag;
    headers.vary = 'accept-encoding';
    headers['referrer-policy'] = 'no-referrer';
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const accept = String(req.headers['accept-encoding'] ?? '');
    const [body, encoding] = /\bbr\b/.test(accept) ? [f.br, 'br'] : /\bgzip\b/.test(accept) ? [f.gzip, 'gzip'] : [f.raw, undefined];
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }
}
