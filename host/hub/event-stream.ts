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
  /**
   * A client this far behind (bytes the hub holds for it) that took nothing since it was last
   * judged (once a turn of the event loop) is dropped rather than buffered without bound (default 1 MiB); one that reads is
   * dropped only past READING_SLACK times this (it reads, but slower than events come).
   */
  maxBufferedBytes?: number;
  /** A client whose socket stays unwritable (no 'drain') this long is dropped (default 30 s). */
  stallMs?: number;
  /** Told of each client dropped for not reading (the hub logs it, once per address per period). */
  onDrop?: (from: string | undefined, reason: 'buffer-full' | 'stalled') => void;
}

const framed = (text: string) => ({ text, bytes: Buffer.byteLength(text) });

/** How many times maxBufferedBytes a client that does read may fall behind before it is dropped. */
const READING_SLACK = 4;
/** The most the stream hands a socket in one write, so a long backlog is not joined into one string. */
const WRITE_CHUNK = 64 * 1024;

interface Subscriber {
  res: ServerResponse;
  filter: StreamFilter;
  /** Frames the socket has not been given yet; a frame's string is built once and shared by every stream it goes to. */
  queue: { text: string; bytes: number }[];
  /** Bytes in queue. */
  queued: number;
  /** Given all it took and waiting for its 'drain'. */
  blocked: boolean;
  /** The socket drained since the previous commit was published: the client reads. */
  progressed: boolean;
  /** Runs while the socket is unwritable: past stallMs the client is dropped. */
  stall?: NodeJS.Timeout;
}

/**
 * Server-sent events (the WHATWG EventSource format): every stored event,
 * as it is stored, to each stream whose filter it passes, as
 * `event: fazt` with the event's JSON form as data. Heartbeats are comments.
 *
 * A commit's events are written to each socket only as it takes them
 * (write until it refuses, then wait for 'drain'); the rest waits in the
 * stream's queue. So a client is judged by whether it took anything since
 * it was last judged (once a turn of the event loop), not by the size of
 * what was stored in one go: a burst larger than maxBufferedBytes reaches a
 * reading client whole, while one that never reads is dropped at a later
 * turn's commit once it is past the bound (or after stallMs, whichever
 * comes first).
 */
export class EventStream {
  private readonly subscribers = new Set<Subscriber>();
  private readonly heartbeatMs: number;
  private readonly maxSubscribers: number;
  private readonly maxBufferedBytes: number;
  private readonly stallMs: number;
  private readonly onDrop: NonNullable<EventStreamOptions['onDrop']>;
  private timer: NodeJS.Timeout | undefined;
  /** The clients were judged this turn. */
  private judged = false;

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

  /** Bytes held for the streams and not yet taken by their sockets (what slow clients cost the hub). */
  get bufferedBytes(): number {
    let n = 0;
    for (const sub of this.subscribers) n += sub.queued + sub.res.writableLength;
    return n;
  }

  /** Starts a stream on `res`; false when the hub already serves its maximum. */
  add(res: ServerResponse, filter: StreamFilter): boolean {
    if (this.subscribers.size >= this.maxSubscribers) return false;
    const sub: Subscriber = { res, filter, queue: [], queued: 0, blocked: false, progressed: false };
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.subscribers.add(sub);
    res.on('close', () => this.remove(sub));
    res.on('drain', () => {
      clearTimeout(sub.stall);
      sub.stall = undefined;
      sub.blocked = false;
      sub.progressed = true;
      this.pump(sub);
    });
    this.enqueue(sub, framed(': fazt event stream\n\n'));
    this.pump(sub);
    if (!this.timer) {
      this.timer = setInterval(() => this.broadcast(': heartbeat\n\n'), this.heartbeatMs);
      this.timer.unref();
    }
    return true;
  }

  /** One commit's events, to every stream whose filter they pass. */
  publish(entries: readonly EventEntry[]): void {
    if (this.subscribers.size === 0) return;
    // Clients are judged once per turn of the event loop: commits stored in one go (a group commit's
    // groups, one after another) give a client no chance to read between them.
    if (!this.judged) {
      this.judged = true;
      setImmediate(() => setImmediate(() => (this.judged = false))); // a whole turn, its I/O included
      for (const sub of this.subscribers) this.judge(sub);
    }
    for (const e of entries) {
      let frame: { text: string; bytes: number } | undefined;
      const node = sourceNode(e.source);
      for (const sub of this.subscribers) {
        const f = sub.filter;
        if ((f.node !== undefined && f.node !== node) || (f.type && !f.type(e.type))) continue;
        frame ??= framed(`event: fazt\ndata: ${stringifyJson(entryToValue(e))}\n\n`);
        this.enqueue(sub, frame);
      }
    }
    for (const sub of this.subscribers) this.pump(sub);
  }

  /** Ends every stream (the hub is stopping). */
  closeAll(): void {
    for (const sub of [...this.subscribers]) {
      this.remove(sub);
      sub.res.end();
    }
  }

  private broadcast(text: string): void {
    const frame = framed(text);
    for (const sub of this.subscribers) {
      this.enqueue(sub, frame);
      this.pump(sub);
    }
  }

  /** Before a turn's first commit is added: a client past the bound that took nothing since the last judgement does not read. */
  private judge(sub: Subscriber): void {
    const behind = sub.queued + sub.res.writableLength;
    const bound = sub.progressed ? READING_SLACK * this.maxBufferedBytes : this.maxBufferedBytes;
    sub.progressed = false;
    if (behind > bound) this.drop(sub, 'buffer-full');
  }

  private enqueue(sub: Subscriber, frame: { text: string; bytes: number }): void {
    sub.queue.push(frame);
    sub.queued += frame.bytes;
  }

  /** Hands the socket what is queued, WRITE_CHUNK at a time, until it refuses more. */
  private pump(sub: Subscriber): void {
    let i = 0;
    while (!sub.blocked && i < sub.queue.length) {
      let end = i;
      let n = 0;
      while (end < sub.queue.length && (end === i || n + sub.queue[end].bytes <= WRITE_CHUNK)) n += sub.queue[end++].bytes;
      const text =
        end === i + 1
          ? sub.queue[i].text
          : sub.queue
              .slice(i, end)
              .map((f) => f.text)
              .join('');
      i = end;
      sub.queued -= n;
      if (!sub.res.write(text)) this.block(sub);
    }
    if (i > 0) sub.queue.splice(0, i);
  }

  /** The socket refused more: the client has stallMs to take what it holds. */
  private block(sub: Subscriber): void {
    sub.blocked = true;
    if (sub.stall) return;
    sub.stall = setTimeout(() => this.drop(sub, 'stalled'), this.stallMs);
    sub.stall.unref();
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
    sub.queue = [];
    sub.queued = 0;
    this.subscribers.delete(sub);
    if (this.subscribers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
