import type { Statement } from 'better-sqlite3';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { BatchOrigin } from './ingest.js';
import type { Db } from './open-cartridge.js';

/** Where the rules' committed decisions stand (migration step 20). */
export interface RulesPosition {
  /** Per chain, the seq up to which its entries were decided on (0 for a chain not yet decided on). */
  chains: ReadonlyMap<string, number>;
  /** The engine time up to which the rules' timers were carried out (−∞ before any). */
  timers: number;
}

/**
 * The rules cursor: how far the rule engine's decisions are committed, kept
 * in the cartridge so a restart after kill -9 tells a firing whose
 * transaction never committed (carried out then, once) from one that did.
 *
 * While the live rules are attached (host/effect/rule-service.ts) they mark
 * what they decided on; those marks are written inside the firing's own
 * transaction, or else ride in the next batch's transaction (flush() from
 * ingest's in-transaction hook): no write transaction of its own, one small
 * upsert per chain that moved. Entries nobody decides on are marked in the
 * transaction that stores them: a paired hub's (the mesh: that hub's rules
 * act on them) and everything stored while no rules are attached (a hub
 * started without rules, a CLI tool), so rules enabled later do not act on
 * old history. A mark that a rolled-back transaction took with it only
 * makes the cursor lag: what lies past it is decided again on the next
 * start, as the live engine decided it (nothing fired); it never runs ahead
 * of what was decided.
 */
export class RulesCursor {
  private attached = false;
  private readonly pending = new Map<string, number>();
  private pendingTimers: number | undefined;
  private readonly upsertChain: Statement<[string, number]>;
  private readonly upsertTimers: Statement<[number]>;
  private readonly chains: Statement<[], { node: string; seq: number }>;
  private readonly timers: Statement<[], number>;

  constructor(private readonly db: Db) {
    this.upsertChain = db.prepare('INSERT INTO rules_cursor (node, seq) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET seq = max(seq, excluded.seq)');
    this.upsertTimers = db.prepare('INSERT INTO rules_clock (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)');
    this.chains = db.prepare('SELECT node, seq FROM rules_cursor');
    this.timers = db.prepare<[], number>('SELECT at FROM rules_clock WHERE id = 1').pluck();
  }

  /** The committed position (what a restart replays against). */
  position(): RulesPosition {
    const chains = new Map<string, number>();
    for (const r of this.chains.all()) chains.set(r.node, r.seq);
    return { chains, timers: this.timers.get() ?? Number.NEGATIVE_INFINITY };
  }

  /**
   * The live rules take over marking what they decide on: from here, entries stored before they start
   * (the percepts a crash kept from being stored, recovered first) are theirs to decide on when they do.
   */
  attach(): void {
    this.attached = true;
  }

  /** The live rules stopped: what they marked is written (its own small transaction), and from now on stored entries are marked as they are stored. */
  detach(): void {
    this.attached = false;
    if (this.pending.size > 0 || this.pendingTimers !== undefined) this.db.transaction(() => this.flush()).immediate();
  }

  /** Entries (of any chains, in stored order) the rules decided on, and carried out what they fired. */
  decided(entries: readonly { source: string; seq: number }[]): void {
    // A batch is a run of one chain's entries: its last one of each run marks it.
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (i + 1 === entries.length || entries[i + 1].source !== e.source) this.mark(sourceNode(e.source), e.seq);
    }
  }

  /** A chain decided on through `seq`. */
  mark(chain: string, seq: number): void {
    if (seq > (this.pending.get(chain) ?? 0)) this.pending.set(chain, seq);
  }

  /** The rules' timers due up to `at` were carried out. */
  timersThrough(at: number): void {
    if (this.pendingTimers === undefined || at > this.pendingTimers) this.pendingTimers = at;
  }

  /** Writes the marks not yet written: call inside a write transaction (the firing's, a batch's). */
  flush(): void {
    for (const [chain, seq] of this.pending) this.upsertChain.run(chain, seq);
    this.pending.clear();
    if (this.pendingTimers !== undefined) this.upsertTimers.run(this.pendingTimers);
    this.pendingTimers = undefined;
  }

  /** Ingest's hook, inside the transaction that stores a batch of `chain` up to `last` (host/store/ingest.ts). */
  stored(chain: string, last: number | undefined, origin: BatchOrigin, receivedAt: number): void {
    if (last !== undefined && !this.attached) {
      this.mark(chain, last);
      // With no rules running, the timers they would have run by now are nobody's to carry out.
      this.timersThrough(receivedAt);
    } else if (last !== undefined && origin === 'mesh') this.mark(chain, last);
    this.flush();
  }
}
