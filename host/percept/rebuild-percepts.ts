import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Cartridge } from '../store/cartridge.js';
import { NodeLatest } from '../store/node-latest.js';
import type { ReceivedEntry } from '../store/recent-events.js';
import { type Percept, perceivedOfHub } from './percept-kind.js';
import type { ResolvedPerceptOptions } from './percept-options.js';

/** What the rebuild drives: the engine's own code paths, so a rebuilt engine is the engine that ran. */
export interface Replayer {
  readonly types: readonly string[];
  step(entry: EventEntry, out: Percept[]): void;
  due(node: string, now: number, timer: boolean, out: Percept[]): void;
  /** A stored percept, taken as said. */
  apply(type: string, data: ValueMap): void;
  restoreNode(node: string, arrivals: readonly number[], last: EventEntry, boot: EventEntry | undefined): void;
  setFrom(node: string, from: number): void;
}

interface StoredPercept {
  seq: number;
  type: string;
  data: ValueMap;
  at: number;
  key: string;
  used: boolean;
}

/** A percept's identity: its type and its data's deterministic CBOR, as a one-byte string (hex in JS cost a start a tenth of its time: bench/start.ts). */
const identity = (type: string, data: ValueMap) => {
  const bytes = encodeCbor(data);
  return `${type} ${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}`;
};

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/**
 * The percept engine's state, derived again from the cartridge on start:
 *
 *  1. the hub's own percepts of the last seedMs (levels: the replay and two
 *     refresh intervals) are read back and, where they are older than the replay, taken
 *     as said, in the order they were made;
 *  2. each node's last replayMs of events (on its own clock) are replayed
 *     through the engine, the stored percepts of that span merged in by
 *     their `at`: a percept the replay makes again is matched with its
 *     stored twin and says nothing new; a stored one it does not make (the
 *     replay's windows were still filling) is taken as said when its moment
 *     passes; one it makes that was never stored is returned, to be
 *     appended now: a crash came between the node's commit and the hub's;
 *  3. deadlines the hub's clock has passed are decided as the timer would.
 *
 * Percepts are a function of the log, so the rebuilt engine says next what
 * an engine that never stopped would say (README "Percepts").
 */
export function rebuildPercepts(r: Replayer, c: Cartridge, hubId: string, now: number, o: ResolvedPerceptOptions): Percept[] {
  const tails = new Map<string, ReceivedEntry[]>();
  const latest = new NodeLatest(c.db);
  for (const n of c.nodes()) {
    if (n.lastEventTime === null) continue;
    const from = n.lastEventTime - o.replayMs;
    const rows = c.recent.tail(n.id, from);
    if (rows.length === 0) continue;
    r.setFrom(n.id, from);
    tails.set(n.id, rows);
    const arrivals = [...new Set(rows.map((x) => x.receivedAt))];
    r.restoreNode(n.id, arrivals, rows[rows.length - 1].entry, latest.latest(n.id, 'system.boot')[0]);
  }
  // The hub's BLE devices are its own sensors: their tail of its chain is replayed like a node's (never its silence: the hub is always heard).
  const hubLast = c.recent.tail(hubId, Number.NEGATIVE_INFINITY, 1)[0]?.entry.time;
  if (hubLast !== undefined) {
    const from = hubLast - o.replayMs;
    const rows = c.recent.tail(hubId, from, undefined, (e) => perceivedOfHub(e, hubId));
    if (rows.length) {
      r.setFrom(hubId, from);
      tails.set(hubId, rows);
    }
  }

  const stored: StoredPercept[] = [];
  // A series' level is said at least every refreshMs: the last one before the replay is that recent.
  const levelSpan = Math.min(o.seedMs, o.replayMs + 2 * o.level.refreshMs);
  for (const type of r.types) {
    for (const { entry } of c.recent.ofType(hubId, type, now - (type === 'percept.level' ? levelSpan : o.seedMs))) {
      const data = entry.data as ValueMap;
      if (!data || typeof data !== 'object' || typeof data.at !== 'number') continue;
      stored.push({ seq: entry.seq, type, data, at: data.at, key: identity(type, data), used: false });
    }
  }
  stored.sort((a, b) => a.seq - b.seq);

  const queues = new Map<string, StoredPercept[]>();
  for (const p of stored) {
    const node = typeof p.data.node === 'string' ? p.data.node : '';
    const start = tails.get(node)?.[0].entry.time;
    // A node's silence is judged on the hub's clock, never replayed: what was said stands.
    const replayed = start !== undefined && p.at >= start && !(p.type === 'percept.silent' && p.data.component === undefined);
    if (!replayed) r.apply(p.type, p.data);
    else push(queues, node, p);
  }

  const lost: Percept[] = [];
  for (const [node, rows] of tails) {
    const queue = (queues.get(node) ?? []).sort((a, b) => a.at - b.at || a.seq - b.seq);
    const byKey = new Map<string, StoredPercept[]>();
    for (const p of queue) push(byKey, p.key, p);
    let next = 0;
    const applyBefore = (t: number) => {
      for (; next < queue.length && queue[next].at < t; next++) if (!queue[next].used) r.apply(queue[next].type, queue[next].data);
    };
    const match = (made: Percept[]) => {
      for (const p of made) {
        const twin = byKey.get(identity(p.type, p.data))?.find((x) => !x.used);
        if (twin) twin.used = true;
        else lost.push(p);
      }
    };
    for (const { entry } of rows) {
      applyBefore(entry.time);
      const made: Percept[] = [];
      r.step(entry, made);
      match(made);
    }
    const made: Percept[] = [];
    r.due(node, now - o.arrivalSlackMs, true, made);
    match(made);
    applyBefore(Number.POSITIVE_INFINITY);
  }
  return lost;
}
