import type { EventEntry } from '../../firmware/event/envelope.js';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { Timers } from '../../hal/contracts/time.js';
import type { Cartridge } from '../store/cartridge.js';
import type { OpRecord } from './op-log.js';

export interface NodePresenceOptions {
  cartridge: Cartridge;
  /** A node is silent after this long without a stored batch. */
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
 * nodes are not expected, so never called silent.
 */
export class NodePresence {
  private readonly last = new Map<string, number>();
  private readonly silent = new Set<string>();
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
    for (const n of this.o.cartridge.nodes()) if (n.headSeq > 0) this.last.set(n.id, now);
    this.unsubscribe = this.o.cartridge.onStored((entries, at) => this.stored(entries, at));
    this.plan();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stored(entries: readonly EventEntry[], at: number): void {
    const nodes = new Map<string, EventEntry>();
    for (const e of entries) if (!nodes.has(sourceNode(e.source))) nodes.set(sourceNode(e.source), e);
    for (const [node, first] of nodes) {
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
    }
  }

  private check(): void {
    const now = this.o.clock();
    const retired = new Set(
      this.o.cartridge
        .nodes()
        .filter((n) => n.retiredAt !== null)
        .map((n) => n.id),
    );
    for (const [node, at] of this.last) {
      if (this.silent.has(node) || retired.has(node) || now - at < this.o.silentAfterMs) continue;
      this.silent.add(node);
      this.o.log({ level: 'warn', code: 'node-silent', node, name: this.nameOf(node), silentS: Math.round((now - at) / 1000) });
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

  private isNode(id: string): boolean {
    return this.o.cartridge.nodes().some((n) => n.id === id);
  }

  private nameOf(id: string): string | undefined {
    return this.o.cartridge.nodes().find((n) => n.id === id)?.name ?? undefined;
  }
}
