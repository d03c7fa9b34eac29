import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventClock, EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { Firing, RecordedEvent, RuleEngine } from '../../host/rules/index.js';

/** 2026-01-05 00:00 UTC, a Monday. */
export const T0 = Date.UTC(2026, 0, 5);
export const S = 1000;
export const MIN = 60_000;

/** One node's chain, written as a test needs it: readings, states and any event at given times. */
export class TestNode {
  readonly id: string;
  /** The clock the next entries say stamped them. */
  clock: EventClock = 'rtc';
  private readonly log: EventLog;

  constructor(
    seed: number,
    private readonly into: RecordedEvent[],
  ) {
    this.id = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto).id;
    this.log = new EventLog({ nodeId: this.id, crypto: nodeCrypto, clock: () => T0, clockSource: () => this.clock });
  }

  /** Appends an event; stored at `receivedAt` (default: its own time), unless `lost` (a gap in the stored chain). */
  event(type: string, component: string, data: ValueMap, time: number, o: { receivedAt?: number; lost?: boolean } = {}): EventEntry {
    const e = this.log.append(type, component, data, time);
    if (!o.lost) this.into.push({ entry: e, receivedAt: o.receivedAt ?? time });
    return e;
  }

  reading(
    component: string,
    name: string,
    value: number | boolean | string,
    time: number,
    o: { quality?: string; receivedAt?: number; lost?: boolean } = {},
  ): EventEntry {
    return this.event('sensor.reading', component, { name, value, quality: o.quality ?? 'good', time }, time, o);
  }
}

/** A recorded log of several nodes, in the order stored. */
export class TestLog {
  readonly events: RecordedEvent[] = [];
  node(seed: number): TestNode {
    return new TestNode(seed, this.events);
  }
  /** The log in commit order: by receivedAt, stable. */
  sorted(): RecordedEvent[] {
    return [...this.events].sort((a, b) => a.receivedAt - b.receivedAt);
  }
}

/** A rule document with the parts a test does not care about filled in. */
export function rule(parts: Record<string, unknown>): Record<string, unknown> {
  return { id: 'r', name: 'test rule', actions: [{ kind: 'notify', message: 'hi' }], ...parts };
}

/**
 * Feeds a recorded log to an engine the way the live hub does: the clock
 * ticks every `tickMs` (advanceTo), and each event is ingested when stored.
 */
export function runLive(engine: RuleEngine, events: readonly RecordedEvent[], until: number, tickMs = 1000): Firing[] {
  const out: Firing[] = [];
  let clock = events.length > 0 ? events[0].receivedAt : until;
  for (const ev of events) {
    while (clock + tickMs < ev.receivedAt) out.push(...engine.advanceTo((clock += tickMs)));
    out.push(...engine.ingest([ev.entry], ev.receivedAt));
    clock = Math.max(clock, ev.receivedAt);
  }
  while (clock < until) out.push(...engine.advanceTo((clock = Math.min(until, clock + tickMs))));
  return out;
}

/** A seeded PRNG (mulberry32): the same seed, the same scenario. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
