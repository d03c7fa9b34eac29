import type { Value } from '../codec/value.js';
import type { EventEntry } from '../event/envelope.js';
import type { EventLogHead } from '../event/event-log.js';
import type { OfflineBuffer } from '../uplink/offline-buffer.js';
import type { NodeState } from './node-state.js';

/**
 * Where a node's chain continues at boot (README "Restarts"; firmware/node/node-state.ts): the
 * persisted head when there is one, else the head the caller gives. The seqs from..to that the
 * restart took from RAM (sent or about to be, perhaps not held by the hub) are declared dropped
 * by the first batch and said on the chain as system.chain.resumed when the node starts.
 */
export class ChainResume {
  /** Where the chain continues (undefined: a new chain). */
  readonly head: EventLogHead | undefined;
  /** What the hub had acknowledged before the restart: everything before the persisted `from`. */
  readonly ackedSeq: number | undefined;
  /** What the restart took from RAM: seqs from..to (to: the persisted head). */
  readonly lost: { from: number; to: number } | undefined;

  constructor(
    private readonly state: NodeState | undefined,
    fallback: EventLogHead | undefined,
    problem?: (message: string) => void,
  ) {
    const saved = state?.chain(problem);
    this.head = saved ?? fallback;
    this.ackedSeq = saved && saved.from - 1;
    if (saved && saved.from <= saved.seq) this.lost = { from: saved.from, to: saved.seq };
  }

  /** Marks the lost range dropped in the buffer, so the first batch declares it. */
  declare(buffer: OfflineBuffer): void {
    if (this.lost) buffer.lost(this.lost.from, this.lost.to);
  }

  /** Says on the chain what the restart took (nothing on a boot that lost nothing). */
  announce(record: (type: string, component: string, data: Value) => EventEntry): void {
    const l = this.lost;
    if (l) record('system.chain.resumed', 'uplink', { seq: l.to, from: l.from, to: l.to, unconfirmed: l.to - l.from + 1 });
  }

  /** Uplink.onSigned: persists the head of each batch before it leaves (undefined without preferences). */
  get onSigned(): ((b: { from: number; last: number; head: Uint8Array }) => void) | undefined {
    const state = this.state;
    return state && ((b) => state.saveChain({ seq: b.last, hash: b.head, from: b.from }));
  }
}
