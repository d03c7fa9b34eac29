import type { EngineState } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';
import type { RulesPosition } from '../store/rules-cursor.js';

/** The snapshot's format: a change of its shape, or of what the engine's state means, is a new number (an older snapshot is then not used). */
const SNAPSHOT_FORMAT = 1;

/** What a snapshot holds: the engine's state and the rule service's counts, which it derives from the same log. */
export interface RulesState {
  engine: EngineState;
  stats: [string, { firings: number; lastFiredAt: number }][];
  seen: string[];
}

export interface RuleSnapshotsOptions {
  cartridge: Cartridge;
  clock: () => number;
  /** After this many entries decided on since the last snapshot, or this much hub time with any (defaults 10,000 and 5 minutes). */
  every?: { entries?: number; ms?: number };
  log: (record: Record<string, unknown>) => void;
}

/**
 * When and what the rule service (host/effect/rule-service.ts) writes as its
 * snapshot (host/store/rules-snapshot.ts, migration step 21), and the
 * position it stands at: per chain, the seq through which the state took
 * its entries into account (decided on; a paired hub's are not the rules'
 * here). It is written with the rules cursor's marks in one transaction, after
 * the commit that made it due (never inside a batch's), and not at all once a
 * firing's commit failed: a snapshot past a firing that is not in the
 * cartridge would hide it from the next start, which replays it as late.
 */
export class RuleSnapshots {
  private readonly through = new Map<string, number>();
  private since = 0;
  private at = Number.NEGATIVE_INFINITY;
  private due: NodeJS.Immediate | undefined;
  private safe = true;

  constructor(private readonly o: RuleSnapshotsOptions) {}

  /**
   * The latest snapshot's state when this code can take it (`take` throws if not: a rule this code versions
   * otherwise), and the position to replay from; or why it is not used. A snapshot whose position stands past
   * the committed rules cursor was not written by this code (they are written together): refused too.
   */
  load(from: RulesPosition, take: (s: RulesState) => void): { position?: ReadonlyMap<string, number>; refused?: string } {
    const s = this.o.cartridge.rulesSnapshots.latest();
    if (!s) return {};
    if (s.format !== SNAPSHOT_FORMAT) return { refused: `written in format ${s.format}, this code reads ${SNAPSHOT_FORMAT}` };
    for (const [chain, seq] of s.position)
      if (seq > (from.chains.get(chain) ?? 0)) return { refused: `it stands past the rules cursor on chain ${chain} (seq ${seq})` };
    try {
      take(JSON.parse(s.state) as RulesState);
    } catch (e) {
      return { refused: (e as Error)?.message ?? String(e) };
    }
    for (const [chain, seq] of s.position) this.mark(chain, seq);
    return { position: s.position };
  }

  /** A chain's entries through `seq` are in the state now. */
  mark(chain: string, seq: number): void {
    if (seq > (this.through.get(chain) ?? 0)) this.through.set(chain, seq);
  }

  /** `n` entries were decided on (the next snapshot is due after enough of them). */
  decided(n: number): void {
    this.since += n;
  }

  /** What the engine decided did not reach the cartridge: no snapshot from now on (the next start replays from the last one). */
  broken(): void {
    this.safe = false;
  }

  /** Writes a snapshot of `state()` once one is due, after what is running now. */
  soon(state: () => RulesState): void {
    const every = this.o.every;
    if (this.due || this.since === 0) return;
    if (this.since < (every?.entries ?? 10_000) && this.o.clock() - this.at < (every?.ms ?? 300_000)) return;
    this.due = setImmediate(() => {
      this.due = undefined;
      this.write(state);
    });
  }

  /** The rules stop: a snapshot of where they stand, if anything was decided since the last. */
  stop(state: () => RulesState): void {
    clearImmediate(this.due);
    this.due = undefined;
    if (this.since > 0) this.write(state);
  }

  /** Starts counting from now (after the start's replay of `replayed` entries). */
  started(replayed: number): void {
    this.since = replayed;
    this.at = this.o.clock();
  }

  private write(state: () => RulesState): void {
    if (!this.safe) return;
    const text = JSON.stringify(state());
    const c = this.o.cartridge;
    try {
      c.atomically(() => {
        c.rulesCursor.flush();
        c.rulesSnapshots.write(SNAPSHOT_FORMAT, this.o.clock(), this.through, text);
      });
      this.since = 0;
      this.at = this.o.clock();
    } catch (e) {
      // The one before stays; the next start replays a little more.
      this.o.log({ level: 'error', code: 'rule-snapshot', message: `the rules' snapshot was not written: ${(e as Error)?.message ?? String(e)}` });
    }
  }
}
