import type { ServerResponse } from 'node:http';
import type { TopicMatcher } from '../../firmware/bus/topic.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import { entryToValue, sourceNode, type EventEntry } from '../../firmware/event/envelope.js';

export interface StreamFilter {
  node?: string;
  type?: TopicMatcher;
}

export interface EventStreamOptions {
  /** A comment line this often keeps proxies and clients from timing out (default 15 s). */
  heartbeatMs?: number;
  /** Concurrent streams (default 64). */
  maxSubscribers?: number;
  /** A client this far behind (bytes queued) is dropped rather than buffered without bound (default 1 MiB). */
  maxBufferedBytes?: number;
  /** A client whose socket stays unwritable (no 'drain') this long is dropped (default 30 s). */
  stallMs?: number;
  /** Told of each client dropped for not reading (the hub logs it, once per address per period). */
  onDrop?: (from: string | undefined, reason: 'buffer-full' | 'stalled') => void;
}

interface Subscriber {
  res: ServerResponse;
  filter: StreamFilter;
  /** Runs while the socket is unwritable: past stallMs the client is dropped. */
  stall?: NodeJS.Timeout;
}

/**
 * Server-sent events (the WHATWG EventSource format): every stored event,
 * as it is stored, to each stream whose filter it passes, as
 * `event: fazt` with the event's JSON form as data. Heartbeats are comments.
 */
export class EventStream {
  private readonly subscribers = new Set<Subscriber>();
  private readonly heartbeatMs: number;
  private readonly maxSubscribers: number;
  private readonly maxBufferedBytes: number;
  private readonly stallMs: number;
  private readonly onDrop: NonNullable<EventStreamOptions['onDrop']>;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: EventStreamOptions = {}) {
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxSubscribers = options.maxSubscribers ?? 64;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.stallMs = options.stallMs ?? 30_000;
    this.onDrop = options.onDrop ?? (() => undefined);
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Bytes written to the streams and not yet taken by their sockets (what slow clients cost the hub). */
  get bufferedBytes(): number {
    let n = 0;
    for (const sub of this.subscribers) n += sub.res.writableLength;
    return n;
  }

  /** Starts a stream on `res`; false when the hub already serves its maximum. */
  add(res: ServerResponse, filter: StreamFilter): boolean {
    if (this.subscribers.size >= this.maxSubscribers) return false;
    const sub: Subscriber = { res, filter };
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': fazt event stream\n\n');
    this.subscribers.add(sub);
    res.on('close', () => this.remove(sub));
    if (!this.timer) {
      this.timer = setInterval(() => this.broadcast(': heartbeat\n\n'), this.heartbeatMs);
      this.timer.unref();
    }
    return true;
  }

  publish(entries: readonly EventEntry[]): void {
    if (this.subscribers.size === 0) return;
    for (const e of entries) {
      let frame: string | undefined;
      const node = sourceNode(e.source);
      for (const sub of this.subscribers) {
        const f = sub.filter;
        if ((f.node !== undefined && f.node !== node) || (f.type && !f.type(e.type))) continue;
        frame ??= `event: fazt\ndata: ${stringifyJson(entryToValue(e))}\n\n`;
        this.send(sub, frame);
      }
    }
  }

  /** Ends every stream (the hub is stopping). */
  closeAll(): void {
    for (const sub of [...this.subscribers]) {
      this.remove(sub);
      sub.res.end();
    }
  }

  private broadcast(text: string): void {
    for (const sub of this.subscribers) this.send(sub, text);
  }

  private send(sub: Subscriber, text: string): void {
    if (sub.res.writableLength > this.maxBufferedBytes) {
      this.drop(sub, 'buffer-full');
      return;
    }
    if (sub.res.write(text) || sub.stall) return;
    // Unwritable: the client has this long to take what is queued.
    sub.stall = setTimeout(() => this.drop(sub, 'stalled'), this.stallMs);
    sub.stall.unref();
    sub.res.once('drain', () => {
      clearTimeout(sub.stall);
      sub.stall = undefined;
    });
  }

  /** A client that does not read: forgotten, its socket destroyed and what was queued for it released. */
  private drop(sub: Subscriber, reason: 'buffer-full' | 'stalled'): void {
    if (!this.subscribers.has(sub)) return;
    this.remove(sub);
    this.onDrop(sub.res.socket?.remoteAddress, reason);
    sub.res.destroy();
  }

  private remove(sub: Subscriber): void {
    clearTimeout(sub.stall);
    sub.stall = undefined;
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
