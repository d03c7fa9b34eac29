import type { EventEntry } from '../../firmware/event/envelope.js';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { Timers } from '../../hal/contracts/time.js';
import type { Cartridge } from '../store/cartridge.js';
import { declaredWakeMs, lastBoot } from '../store/declared-power.js';
import { NodeLatest } from '../store/node-latest.js';
import type { OpRecord } from './op-log.js';

/** A node that sleeps is silent once it has missed this many of its declared wakes (Pulse's node.silent warns at the same). */
const MISSED_WAKES = 3;

export interface NodePresenceOptions {
  cartridge: Cartridge;
  /** A node is silent after this long without a stored batch (a sleeping node after at least MISSED_WAKES of its wakes). */
  silentAfterMs: number;
  clock: () => number;
  timers: Timers;
  log: (record: OpRecord) => void;
}

/**
 * Nodes coming and going, for the hub's log: a node's first stored events
 * ever (`node-first-seen`), no batch for `silentAfterMs` (`node-silent`,
 * once) and its next batch after that (`node-back`, with how long it was
 * away). Reads the commits (Cartridge.onStored), never the network; retired
 * nodes are not expected, so never called silent. A node whose latest
 * system.boot declares deep sleep is heard once a wake: it is silent after
 * the longer of silentAfterMs and MISSED_WAKES of its wake period.
 */
export class NodePresence {
  private readonly last = new Map<string, number>();
  private readonly silent = new Set<string>();
  /** Sleeping nodes' declared wake periods, from their latest system.boot. */
  private readonly wakeMs = new Map<string, number>();
  /** Chains that are not nodes' (the hub's own), asked once. */
  private readonly others = new Set<string>();
  private timer: number | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: NodePresenceOptions) {
    if (!(Number.isFinite(o.silentAfterMs) && o.silentAfterMs >= 1000)) throw new RangeError(`silentAfterMs must be at least 1000, got ${o.silentAfterMs}`);
  }

  start(): void {
    const now = this.o.clock();
    // Nodes known before this start count as heard now: the hub cannot know what it did not see while it was down.
    const latest = new NodeLatest(this.o.cartridge.db);
    for (const n of this.o.cartridge.nodes()) {
      if (n.headSeq === 0) continue;
      this.last.set(n.id, now);
      this.declared(n.id, latest.latest(n.id, 'system.boot')[0]);
    }
    this.unsubscribe = this.o.cartridge.onStored((entries, at) => this.stored(entries, at));
    this.plan();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stored(entries: readonly EventEntry[], at: number): void {
    const nodes = new Map<string, EventEntry[]>();
    for (const e of entries) {
      const node = sourceNode(e.source);
      const list = nodes.get(node);
      if (list) list.push(e);
      else nodes.set(node, [e]);
    }
    for (const [node, list] of nodes) {
      const first = list[0];
      const seen = this.last.get(node);
      if (seen === undefined) {
        if (this.others.has(node)) continue;
        if (!this.isNode(node)) {
          this.others.add(node); // the hub's own chain
          continue;
        }
        this.o.log({ code: 'node-first-seen', node, name: this.nameOf(node), seq: first.seq });
      } else if (this.silent.delete(node)) {
        this.o.log({ code: 'node-back', node, name: this.nameOf(node), awayS: Math.round((at - seen) / 1000) });
      }
      this.last.set(node, at);
      this.declared(node, lastBoot(list));
    }
  }

  /** What a boot says of the node's power; no boot among these entries changes nothing. */
  private declared(node: string, boot: EventEntry | undefined): void {
    if (!boot) return;
    const ms = declaredWakeMs(boot.data);
    if (ms === undefined) this.wakeMs.delete(node);
    else this.wakeMs.set(node, ms);
  }

  /** How long a node may go without a batch before it is silent. */
  private allowedMs(node: string): number {
    const wake = this.wakeMs.get(node);
    return wake === undefined ? this.o.silentAfterMs : Math.max(this.o.silentAfterMs, MISSED_WAKES * wake);
  }

  private check(): void {
    const now = this.o.clock();
    // The retired ids only, not nodes()' summaries (each head looked up) on every check.
    const retired = new Set(this.o.cartridge.retiredNodes());
    for (const [node, at] of this.last) {
      if (this.silent.has(node) || retired.has(node) || now - at < this.allowedMs(node)) continue;
      this.silent.add(node);
      const wake = this.wakeMs.get(node);
      const wakeEveryS = wake === undefined ? undefined : Math.round(wake / 1000);
      this.o.log({ level: 'warn', code: 'node-silent', node, name: this.nameOf(node), silentS: Math.round((now - at) / 1000), wakeEveryS });
    }
  }

  private plan(): void {
    this.timer = this.o.timers.setTimeout(
      () => {
        this.check();
        this.plan();
      },
      Math.max(1000, Math.floor(this.o.silentAfterMs / 4)),
    );
  }

  // A point lookup, not nodes(): a node's first batch must not cost a count of every stored entry.
  private isNode(id: string): boolean {
    return this.o.cartridge.nodeName(id) !== undefined;
  }

  private nameOf(id: string): string | undefined {
    return this.o.cartridge.nodeName(id) ?? undefined;
  }
}
