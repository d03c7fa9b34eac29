import assert from 'node:assert/strict';
import type { HttpClient, HttpClientOptions, HttpRequestHandle, HttpRequestOptions } from '../../hal/moddable/moddable-http-post.js';
import type { ModdableTimerModule } from '../../hal/moddable/moddable-time.js';

/**
 * A fake of the ECMA-419 HTTP client shape, on a fake of Moddable's `timer`
 * module, for the device's HTTP (moddable-http-post.ts and the transport on
 * it). The fake follows Moddable's client: the body goes out through onWritable
 * (never more than offered: write() beyond it throws "would block"), then
 * onHeaders, onReadable (in chunks), onDone(null); a connection failure is
 * onDone(error) for the request and then the client's onError.
 */
export interface FakeTimerHandle {
  at: number;
  seq: number;
  callback: () => void;
  cleared: boolean;
}

export class FakeTimer implements ModdableTimerModule<FakeTimerHandle> {
  now = 0;
  delays: number[] = [];
  private seq = 0;
  private queue: FakeTimerHandle[] = [];
  set(callback: () => void, interval: number): FakeTimerHandle {
    assert.ok(Number.isInteger(interval) && interval >= 0, `Timer.set takes whole ms, got ${interval}`);
    const t = { at: this.now + interval, seq: this.seq++, callback, cleared: false };
    this.queue.push(t);
    return t;
  }
  clear(timer: FakeTimerHandle): void {
    timer.cleared = true;
  }
  delay(ms: number): void {
    this.delays.push(ms);
    this.now += ms;
  }
  get pending(): number {
    return this.queue.filter((t) => !t.cleared).length;
  }
  /** Fires due timers in order, up to `until` (virtual ms). */
  run(until = Infinity): void {
    for (;;) {
      const live = this.queue.filter((t) => !t.cleared && t.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq);
      if (!live.length) break;
      const t = live[0];
      this.queue.splice(this.queue.indexOf(t), 1);
      this.now = Math.max(this.now, t.at);
      t.callback();
    }
    if (until !== Infinity) this.now = Math.max(this.now, until);
  }
}

export interface Exchange {
  /** What the hub answers; 'refuse' fails the connection, 'hang' never answers, 'reset' fails after the headers. */
  reply: { status: number; body: string | Uint8Array } | 'refuse' | 'hang' | 'reset';
  /** Bytes the socket accepts per onWritable. */
  writable?: number;
  /** Bytes per onReadable. */
  readable?: number;
}

export interface Seen {
  options: HttpClientOptions;
  request?: { method: string; path: string; headers: Map<string, string> };
  body: number[];
  closed: boolean;
  calls: string[];
}

/** A fake ECMA-419 HTTP client class driven by the fake timer. */
export function fakeClient(timer: FakeTimer, exchange: Exchange, seen: Seen[]) {
  return class FakeHttpClient implements HttpClient {
    private readonly s: Seen;
    constructor(options: HttpClientOptions) {
      if (!options.host) throw new Error('host required');
      this.s = { options, body: [], closed: false, calls: [] };
      seen.push(this.s);
    }
    request(o: HttpRequestOptions): HttpRequestHandle {
      const s = this.s;
      s.request = { method: o.method, path: o.path, headers: o.headers };
      let phase: 'body' | 'response' = 'body';
      let offered = 0;
      let unread: Uint8Array = new Uint8Array(0);
      const handle: HttpRequestHandle = {
        write(data) {
          assert.equal(phase, 'body', 'write outside the body phase');
          const bytes = Uint8Array.from(data);
          if (bytes.length > offered) throw new Error('would block');
          offered -= bytes.length;
          s.body.push(...bytes);
          return offered;
        },
        read(count) {
          if (phase !== 'response') return undefined;
          const n = Math.min(count ?? unread.length, unread.length);
          const out = unread.slice(0, n);
          unread = unread.subarray(n);
          return out.buffer;
        },
      };
      const call = (name: string, f: () => void) => {
        if (s.closed) return;
        s.calls.push(name);
        f();
      };
      const fail = () => {
        call('onDone(error)', () => o.onDone.call(handle, new Error('')));
        call('onError', () => this.s.options.onError?.());
      };
      const length = Number(o.headers.get('content-length'));
      const step = () => {
        const r = exchange.reply;
        if (r === 'refuse') return fail();
        if (r === 'hang') return;
        if (phase === 'body' && s.body.length < length) {
          offered = Math.min(exchange.writable ?? 1460, length - s.body.length);
          call('onWritable', () => o.onWritable.call(handle, offered));
          offered = 0;
          timer.set(step, 1);
          return;
        }
        phase = 'response';
        if (r === 'reset') {
          call('onHeaders', () => o.onHeaders.call(handle, 200, new Map([['content-length', '100']])));
          return fail();
        }
        const body = typeof r.body === 'string' ? new TextEncoder().encode(r.body) : r.body;
        call('onHeaders', () => o.onHeaders.call(handle, r.status, new Map([['content-length', String(body.length)]])));
        for (let i = 0; i < body.length; i += exchange.readable ?? body.length) {
          unread = body.slice(i, i + (exchange.readable ?? body.length));
          call('onReadable', () => o.onReadable.call(handle, unread.length));
        }
        call('onDone', () => o.onDone.call(handle, null));
      };
      timer.set(step, 5); // DNS and connect
      return handle;
    }
    close(): void {
      this.s.closed = true;
    }
  };
}
