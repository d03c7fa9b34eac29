import http from 'node:http';
import type { HttpClient, HttpClientOptions, HttpProvider, HttpRequestHandle, HttpRequestOptions } from '../../hal/moddable/moddable-http-post.js';

/**
 * For tests only: the ECMA-419 HTTP client shape (`device.network.http`,
 * as Moddable's examples/io/tcp/httpclient behaves) over node:http, so the
 * device's HTTP code (moddable-http-post.ts) talks to a real hub on the
 * loopback. The body is asked for through onWritable (the content-length
 * still owed; write() beyond it throws "would block") until it is complete,
 * then sent; the reply comes as onHeaders, onReadable per chunk received,
 * onDone(null); a connection failure is onDone(error), then the client's
 * onError. Callbacks come from the event loop, never from inside request();
 * after close() none is called. Each client has its own connection (no
 * agent), as each device exchange does.
 */
export interface NodeHttpProvider extends HttpProvider {
  /** Clients made, and those not closed yet. */
  readonly made: number;
  readonly open: number;
}

export function ecma419HttpOverNode(): NodeHttpProvider {
  let made = 0;
  let open = 0;

  class NodeHttpClient implements HttpClient {
    private closed = false;
    private req: http.ClientRequest | undefined;
    constructor(private readonly o: HttpClientOptions) {
      if (typeof o.host !== 'string' || !o.host) throw new Error('host required');
      made++;
      open++;
    }

    request(r: HttpRequestOptions): HttpRequestHandle {
      const length = Number(r.headers.get('content-length') ?? 0);
      const body: Buffer[] = [];
      let written = 0;
      let phase: 'body' | 'response' | 'done' = 'body';
      const unread: Buffer[] = [];
      const live = () => !this.closed && phase !== 'done';
      const handle: HttpRequestHandle = {
        write(data) {
          if (phase !== 'body') throw new Error('write outside the body phase');
          const b = Buffer.from(data);
          if (written + b.length > length) throw new Error('would block');
          body.push(b);
          written += b.length;
          return length - written;
        },
        read(count) {
          if (phase !== 'response' || unread.length === 0) return undefined;
          const all = Buffer.concat(unread.splice(0));
          const n = Math.min(count ?? all.length, all.length);
          if (n < all.length) unread.push(all.subarray(n));
          return new Uint8Array(all.subarray(0, n)).buffer;
        },
      };
      const fail = (e: Error): void => {
        if (!live()) return;
        phase = 'done';
        r.onDone.call(handle, e);
        if (!this.closed) this.o.onError?.(e);
      };
      const send = (): void => {
        const req = http.request(
          { host: this.o.host, port: this.o.port, method: r.method, path: r.path, headers: Object.fromEntries(r.headers), agent: false },
          (res) => {
            if (!live()) return void res.resume();
            phase = 'response';
            r.onHeaders.call(handle, res.statusCode ?? 0, new Map(Object.entries(res.headers).map(([k, v]) => [k, String(v)])));
            res.on('data', (chunk: Buffer) => {
              if (!live()) return;
              unread.push(chunk);
              r.onReadable.call(handle, chunk.length);
            });
            res.on('end', () => {
              if (!live()) return;
              phase = 'done';
              r.onDone.call(handle, null);
            });
            res.on('error', fail);
          },
        );
        this.req = req;
        req.on('error', fail);
        req.end(Buffer.concat(body));
      };
      const offer = (): void => {
        if (!live()) return;
        if (written >= length) return send();
        const before = written;
        r.onWritable.call(handle, length - written);
        if (written === before) return fail(new Error('the body stalled'));
        setImmediate(offer);
      };
      setImmediate(offer);
      return handle;
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      open--;
      this.req?.destroy();
    }
  }

  return {
    io: NodeHttpClient,
    socket: { io: 'TCP (node:http)' },
    dns: { io: 'Resolver (node:http)', servers: [] },
    get made() {
      return made;
    },
    get open() {
      return open;
    },
  };
}
