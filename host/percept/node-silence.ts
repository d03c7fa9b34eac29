import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { declaredWakeMs, lastBoot } from '../store/declared-power.js';
import { Cadence } from './cadence.js';
import type { Percept } from './percept-kind.js';
import type { ResolvedPerceptOptions } from './percept-options.js';

interface Link {
  /** The hub's clock when its last events were stored. */
  lastHeard: number;
  lastId: string;
  cadence: Cadence;
  /** The wake period its latest system.boot declares (deep sleep): its expected interval, whatever the gaps between one wake's batches. */
  wakeMs?: number;
  /** The expected interval it was said silent by; undefined while heard. */
  silentBy?: number;
}

/**
 * percept.silent for a whole node (no component): overdue when, on the hub's
 * clock, factor × its expected interval between arrivals (configured by its
 * node id, else the wake period its latest boot declares when it sleeps,
 * else the median of its recent gaps between stored batches, never under
 * minNodeMs) passed without anything stored from it; heard again with
 * its next batch. A hub that was not running could not hear anyone: after a
 * start every node's wait counts from the start.
 */
export class NodeSilence {
  private readonly links = new Map<string, Link>();
  private startedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly o: ResolvedPerceptOptions['silent']) {}

  /** The hub started listening at `now`. */
  start(now: number): void {
    this.startedAt = now;
  }

  /** What the log says of a node's arrivals (the hub's clock of each stored batch, oldest first) and its latest boot. */
  restore(node: string, arrivals: readonly number[], last: EventEntry, boot: EventEntry | undefined): void {
    const link = this.link(node, arrivals[arrivals.length - 1] ?? 0, last.id);
    for (let i = 1; i < arrivals.length; i++) link.cadence.add(arrivals[i] - arrivals[i - 1]);
    link.wakeMs = declaredWakeMs(boot?.data);
  }

  /** Events of `node` were stored at `now`. */
  arrived(node: string, entries: readonly EventEntry[], now: number, out: Percept[]): void {
    const first = entries[0];
    const boot = lastBoot(entries);
    const link = this.links.get(node);
    if (!link) {
      const l = this.link(node, now, entries[entries.length - 1].id);
      if (boot) l.wakeMs = declaredWakeMs(boot.data);
      return;
    }
    if (boot) link.wakeMs = declaredWakeMs(boot.data);
    if (link.silentBy !== undefined) {
      const data: ValueMap = { node, state: 'heard', expectedMs: link.silentBy, lastSeen: link.lastHeard, silentMs: Math.max(0, now - link.lastHeard) };
      Object.assign(data, { at: now, causes: [first.id] });
      out.push({ type: 'percept.silent', data });
      link.silentBy = undefined;
    }
    link.cadence.add(now - link.lastHeard);
    link.lastHeard = now;
    link.lastId = entries[entries.length - 1].id;
  }

  tick(now: number, out: Percept[]): void {
    for (const [node, link] of this.links) {
      if (link.silentBy !== undefined) continue;
      const expected = this.o.expectMs[node] ?? link.wakeMs ?? link.cadence.observed();
      if (expected === undefined) continue;
      const deadline = Math.max(link.lastHeard, this.startedAt) + Math.max(this.o.factor * expected, this.o.minNodeMs);
      if (deadline > now) continue;
      link.silentBy = expected;
      out.push({
        type: 'percept.silent',
        data: { node, state: 'silent', expectedMs: expected, lastSeen: link.lastHeard, at: Math.round(deadline), causes: [link.lastId] },
      });
    }
  }

  /** A stored node silence, taken as said. */
  apply(d: ValueMap): void {
    const link = typeof d.node === 'string' ? this.links.get(d.node) : undefined;
    if (link) link.silentBy = d.state === 'silent' && typeof d.expectedMs === 'number' ? d.expectedMs : undefined;
  }

  private link(node: string, lastHeard: number, lastId: string): Link {
    const l: Link = { lastHeard, lastId, cadence: new Cadence(this.o.history) };
    this.links.set(node, l);
    return l;
  }
}
