import type { EventEntry } from '../event/envelope.js';
import { compileTopicPattern, type TopicMatcher } from './topic.js';

/**
 * Publish/subscribe for events, topic = event type (see topic.ts).
 *
 * Delivery: each subscriber has its own FIFO queue, drained asynchronously
 * through the injected scheduler, one event at a time (a handler returning a
 * promise is awaited before the next). Events are delivered in publish order,
 * so per-source order is kept.
 *
 * Overflow: queues are bounded (`capacity`, default 256). When full, policy
 * 'drop-oldest' (default) discards the oldest queued event, 'drop-newest'
 * refuses the new one. Either way the drop is counted in the subscription's
 * stats and in the bus totals, and `onOverflow` is called: never silent.
 * A handler that throws is counted as failed and does not stop delivery.
 */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';
export type Handler = (event: EventEntry) => void | Promise<void>;

export interface SubscribeOptions {
  capacity?: number;
  overflow?: OverflowPolicy;
  /** Only events whose source starts with this (e.g. a node id, or "<node>/bme280"). */
  source?: string;
}

export interface SubscriptionStats {
  delivered: number;
  dropped: number;
  failed: number;
  queued: number;
}

export interface BusOptions {
  /** Runs a drain later; defaults to a promise microtask. */
  schedule?: (task: () => void) => void;
  onOverflow?: (subscription: Subscription, dropped: EventEntry) => void;
  onHandlerError?: (subscription: Subscription, error: unknown) => void;
}

export class Subscription {
  readonly pattern: string;
  readonly stats: SubscriptionStats = { delivered: 0, dropped: 0, failed: 0, queued: 0 };
  /** @internal */ readonly matches: TopicMatcher;
  /** @internal */ readonly capacity: number;
  /** @internal */ readonly overflow: OverflowPolicy;
  /** @internal */ readonly source: string | undefined;
  /** @internal */ readonly handler: Handler;
  // A ring buffer: `ring[(head + i) % capacity]` for i < stats.queued.
  private readonly ring: (EventEntry | undefined)[];
  private head = 0;
  /** @internal */ draining = false;
  /** @internal */ closed = false;

  constructor(pattern: string, handler: Handler, options: SubscribeOptions) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const capacity = options.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer ≥ 1, got ${capacity}`);
    const overflow = options.overflow ?? 'drop-oldest';
    if (overflow !== 'drop-oldest' && overflow !== 'drop-newest') throw new RangeError(`overflow must be 'drop-oldest' or 'drop-newest', got '${overflow}'`);
    this.pattern = pattern;
    this.matches = compileTopicPattern(pattern);
    this.handler = handler;
    this.capacity = capacity;
    this.overflow = overflow;
    this.source = options.source;
    this.ring = new Array(capacity);
  }

  /** @internal Returns the event dropped to make room, if any. */
  push(e: EventEntry): EventEntry | undefined {
    if (this.stats.queued === this.capacity) {
      this.stats.dropped++;
      if (this.overflow === 'drop-newest') return e;
      const old = this.ring[this.head] as EventEntry;
      this.ring[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
      return old;
    }
    this.ring[(this.head + this.stats.queued) % this.capacity] = e;
    this.stats.queued++;
    return undefined;
  }

  /** @internal */
  shift(): EventEntry | undefined {
    if (this.stats.queued === 0) return undefined;
    const e = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.stats.queued--;
    return e;
  }
}

export class EventBus {
  private readonly subs: Subscription[] = [];
  private readonly schedule: (task: () => void) => void;
  private readonly options: BusOptions;
  readonly totals = { published: 0, dropped: 0, failed: 0 };

  constructor(options: BusOptions = {}) {
    this.options = options;
    this.schedule = options.schedule ?? ((task) => void Promise.resolve().then(task));
  }

  subscribe(pattern: string, handler: Handler, options: SubscribeOptions = {}): Subscription {
    const s = new Subscription(pattern, handler, options);
    this.subs.push(s);
    return s;
  }

  unsubscribe(s: Subscription): void {
    const i = this.subs.indexOf(s);
    if (i >= 0) this.subs.splice(i, 1);
    s.closed = true;
  }

  publish(event: EventEntry): void {
    this.totals.published++;
    for (let i = 0; i < this.subs.length; i++) {
      const s = this.subs[i];
      if (!s.matches(event.type)) continue;
      if (s.source !== undefined && event.source.indexOf(s.source) !== 0) continue;
      const dropped = s.push(event);
      if (dropped) {
        this.totals.dropped++;
        if (this.options.onOverflow) this.options.onOverflow(s, dropped);
      }
      if (!s.draining) {
        s.draining = true;
        this.schedule(() => void this.drain(s));
      }
    }
  }

  private async drain(s: Subscription): Promise<void> {
    let e: EventEntry | undefined;
    while (!s.closed && (e = s.shift()) !== undefined) {
      try {
        const r = s.handler(e);
        if (r && typeof (r as Promise<void>).then === 'function') await r;
        s.stats.delivered++;
      } catch (err) {
        s.stats.failed++;
        this.totals.failed++;
        if (this.options.onHandlerError) this.options.onHandlerError(s, err);
      }
    }
    s.draining = false;
  }
}
