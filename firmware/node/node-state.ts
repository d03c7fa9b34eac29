import { decodeCbor } from '../codec/cbor-decode.js';
import { encodeCbor } from '../codec/cbor-encode.js';
import type { EventLogHead } from '../event/event-log.js';
import { bytesEqual } from '../event/verify-chain.js';
import { isValueMap } from '../codec/value.js';
import { isNodeId } from '../identity/node-id.js';
import type { Preferences } from '../../hal/contracts/preferences.js';

/** The highest command seq acted on, per issuing hub id (firmware/node/downlink.ts). */
export type CommandSeqs = Record<string, number>;

/** The chain as persisted: the head of the last batch that left, and the first seq of it the hub may not hold. */
export interface SavedChain extends EventLogHead {
  from: number;
}

const DOMAIN = 'fazt';
const CHAIN = 'chain';
const COMMAND = 'cmd';

/**
 * What a node keeps across a restart, in its Preferences (domain "fazt"):
 *
 *  chain  bytes, CBOR [seq, hash, from]: written once per batch, after it is
 *         signed and before it leaves (Uplink.onSigned), and only when it
 *         changed; `seq`, `hash` are the batch's last entry, `from` the first
 *         seq the hub may not hold (the batch's dropped range, else its first
 *         entry). One value, so a power cut mid-write leaves the old head or
 *         the new one, never half of each.
 *  cmd    bytes, CBOR {hub id: seq}: the highest command seq acted on per
 *         issuing hub, written before the command is acted on
 *         (firmware/node/downlink.ts). Nodes from before several hubs kept
 *         one integer: the seq of the hub of their configuration, read so.
 *
 * What a restarted node can know: no entry leaves before its head is
 * persisted, so the hub holds nothing past `seq`; the chain continues at
 * seq + 1 linking to `hash`, and no seq the hub may hold is ever signed
 * twice. What the hub stored of from..seq it cannot know (the entries went
 * with the RAM: sent and unanswered, or not yet acknowledged): its first
 * batch declares them dropped. The hub records as a gap only what it lacks
 * (firmware/batch/verify-batch.ts counts a gap from its own head + 1) and
 * takes the batch without one when it holds them all, which is why the
 * acknowledged seq is not persisted as well (a second write per batch that
 * the hub does not need). Everything before `from` had been acknowledged,
 * so from − 1 is what the node knows its hub had (Uplink's floor for a hub
 * restored behind it). Entries recorded after the last batch left were
 * never sent: a power cut loses them, unsigned, unseen by the hub.
 */
export class NodeState {
  private saved: SavedChain | undefined;

  constructor(private readonly prefs: Preferences) {}

  /** The chain persisted, or undefined (never saved; or unreadable, which `problem` says). */
  chain(problem?: (message: string) => void): SavedChain | undefined {
    const v = this.prefs.get(DOMAIN, CHAIN);
    if (v === undefined) return undefined;
    try {
      const [seq, hash, from] = decodeCbor(v as Uint8Array) as [unknown, unknown, unknown];
      if (!(Number.isSafeInteger(seq) && (seq as number) >= 1) || !(hash instanceof Uint8Array) || hash.length !== 32)
        throw new RangeError('not [seq ≥ 1, hash of 32 bytes, from]');
      if (!(Number.isSafeInteger(from) && (from as number) >= 1 && (from as number) <= (seq as number) + 1))
        throw new RangeError(`from ${String(from)} is not 1..seq + 1`);
      this.saved = { seq: seq as number, hash, from: from as number };
      return this.saved;
    } catch (e) {
      problem?.(`the persisted chain head is unreadable (${(e as Error).message}): starting a new chain`);
      return undefined;
    }
  }

  saveChain(c: SavedChain): void {
    const s = this.saved;
    if (s && s.seq === c.seq && s.from === c.from && bytesEqual(s.hash, c.hash)) return;
    this.prefs.set(DOMAIN, CHAIN, encodeCbor([c.seq, c.hash, c.from]));
    this.saved = { seq: c.seq, hash: c.hash, from: c.from };
  }

  /**
   * The highest command seq acted on before this boot, per hub id ({}: none). The single integer
   * of a node from before several hubs is `firstHub`'s (the hub of its configuration); an
   * unreadable value is none, which `problem` says.
   */
  commandSeqs(firstHub: string, problem?: (message: string) => void): CommandSeqs {
    const v = this.prefs.get(DOMAIN, COMMAND);
    if (v === undefined) return {};
    if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? { [firstHub]: v } : {};
    try {
      const m = v instanceof Uint8Array ? decodeCbor(v) : undefined;
      if (!isValueMap(m)) throw new RangeError('not a map of hub id to seq');
      const out: CommandSeqs = {};
      for (const hub in m) {
        const seq = m[hub];
        if (!isNodeId(hub) || !(Number.isSafeInteger(seq) && (seq as number) >= 1))
          throw new RangeError(`${hub}: ${String(seq)} is not a hub id and a seq ≥ 1`);
        out[hub] = seq as number;
      }
      return out;
    } catch (e) {
      problem?.(`the persisted command seqs are unreadable (${(e as Error).message}): taking every hub's from 1`);
      return {};
    }
  }

  saveCommandSeqs(seqs: CommandSeqs): void {
    this.prefs.set(DOMAIN, COMMAND, encodeCbor(seqs));
  }
}
