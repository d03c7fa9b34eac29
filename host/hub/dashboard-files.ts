import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/** Encodings a client may get, best first, with the sibling file the build writes for each (scripts/build-dashboard.ts). */
const ENCODINGS = [
  { name: 'br', suffix: '.br', accepted: /\bbr\b/, compress: (raw: Buffer) => brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) },
  { name: 'gzip', suffix: '.gz', accepted: /\bgzip\b/, compress: (raw: Buffer) => gzipSync(raw, { level: 9 }) },
] as const;

/** The file behind a dashboard path, or undefined: `/` is index.html, `/assets/<name>` a bundle (never an encoded sibling). */
function fileOf(dir: string, pathname: string): string | undefined {
  if (pathname === '/') return join(dir, 'index.html');
  const name = pathname.slice('/assets/'.length);
  if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.') || ENCODINGS.some((e) => name.endsWith(e.suffix))) return undefined;
  return join(dir, 'assets', name);
}

/**
 * The dashboard (dist/dashboard, built by scripts/build.ts), read from disk
 * when asked for: nothing is held or compressed at start-up. `/` is
 * index.html, `/assets/<name>-<hash>.<ext>` the bundles; the build writes a
 * brotli and a gzip copy beside each (a folder without them is compressed per
 * request). Static files are not data: no sign-in is needed to load them, the
 * API they call asks for it.
 */
export class DashboardFiles {
  constructor(readonly dir: string) {}

  /** Answers a GET or HEAD for `/` or `/assets/*`; false when the path is not the dashboard's. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname !== '/' && !pathname.startsWith('/assets/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const headers: Record<string, string> = { 'x-content-type-options': 'nosniff', 'content-security-policy': CONTENT_SECURITY_POLICY };
    const refuse = (status: number, text: string) => {
      res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(text);
    };
    if (!existsSync(join(this.dir, 'index.html'))) {
      refuse(503, 'the dashboard is not built: run npm run build\n');
      return true;
    }
    const file = fileOf(this.dir, pathname);
    void (file ? readFile(file) : Promise.reject(new Error('not a file'))).then(
      async (raw) => {
        headers['content-type'] = TYPES[extname(file as string)] ?? 'application/octet-stream';
        // Names carrying their content hash never change: cached for a year.
        headers['cache-control'] = pathname === '/' ? 'no-cache' : 'public, max-age=31536000, immutable';
        headers.etag = `"${createHash('sha256').update(raw).digest('base64url').slice(0, 22)}"`;
        headers.vary = 'accept-encoding';
        headers['referrer-policy'] = 'no-referrer';
        if (req.headers['if-none-match'] === headers.etag) {
          res.writeHead(304, headers);
          res.end();
          return;
        }
        const accept = String(req.headers['accept-encoding'] ?? '');
        const encoding = ENCODINGS.find((e) => e.accepted.test(accept));
        const body = encoding ? await readFile(file + encoding.suffix).catch(() => encoding.compress(raw)) : raw;
        if (encoding) headers['content-encoding'] = encoding.name;
        headers['content-length'] = String(body.length);
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => refuse(404, `no file ${pathname}\n`),
    );
    return true;
  }
}
