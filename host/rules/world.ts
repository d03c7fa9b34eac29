import { isValueMap } from '../../firmware/codec/value.js';
import type { LoggedEntry } from './logged-entry.js';
import type { Scalar } from './rule-document.js';

/**
 * What the engine knows of the world, derived from the stored events alone:
 * each node's chain position (so a seq jump is seen as a gap) and the latest
 * value of each series. Nothing here reads a clock.
 */
export interface ChainGap {
  node: string;
  /** The missing seqs, inclusive. */
  from: number;
  to: number;
  /** The entry after the gap, which revealed it. */
  event: string;
  time: number;
}

export interface NodeChain {
  lastSeq: number;
  /** Counts the gaps seen: a value read in an older epoch is from before a gap. */
  epoch: number;
  lastGap?: ChainGap;
  /** Which clock stamped the node's latest entry (envelope.ts EventClock), when its entries say. */
  clock?: string;
}

/** The node's entries changed clocks (e.g. unsynced → hub at its first ack): times on either side do not compare. */
export interface ClockChange {
  node: string;
  from: string;
  to: string;
  event: string;
}

export interface SeriesValue {
  value: Scalar;
  quality: string;
  time: number;
  event: string;
  epoch: number;
}

export interface Observed {
  entry: LoggedEntry;
  node: string;
  component: string;
  chain: NodeChain;
  /** The gap this entry revealed, if any. */
  gap: ChainGap | undefined;
  clockChange: ClockChange | undefined;
  /** The series key, when the entry is a reading or a sensor's state change. */
  series: string | undefined;
  value: SeriesValue | undefined;
}

/** `node/component/name`; a sensor's lifecycle state is the series without a name. */
export function seriesKey(node: string, component: string, name?: string): string {
  return `${node}/${component}/${name ?? ''}`;
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** The world as plain JSON, ordered by key. */
export interface WorldState {
  chains: [string, NodeChain][];
  series: [string, SeriesValue][];
}

export type Knowledge = { known: true; value: SeriesValue } | { known: false; reason: string };

export class World {
  private readonly chains = new Map<string, NodeChain>();
  private readonly series = new Map<string, SeriesValue>();
  private readonly sources = new Map<string, { node: string; component: string }>();

  /** Takes an entry in commit order; undefined for one already seen (a replay changes nothing). */
  observe(entry: LoggedEntry): Observed | undefined {
    let src = this.sources.get(entry.source);
    if (!src) {
      const slash = entry.source.indexOf('/');
      src = slash < 0 ? { node: entry.source, component: '' } : { node: entry.source.slice(0, slash), component: entry.source.slice(slash + 1) };
      this.sources.set(entry.source, src);
    }
    let chain = this.chains.get(src.node);
    let gap: ChainGap | undefined;
    if (!chain) {
      // The first entry of a node seen starts its knowledge: no gap before it.
      chain = { lastSeq: entry.seq, epoch: 0 };
      this.chains.set(src.node, chain);
    } else {
      if (entry.seq <= chain.lastSeq) return undefined;
      if (entry.seq > chain.lastSeq + 1) {
        gap = { node: src.node, from: chain.lastSeq + 1, to: entry.seq - 1, event: entry.id, time: entry.time };
        chain.epoch++;
        chain.lastGap = gap;
      }
      chain.lastSeq = entry.seq;
    }
    let clockChange: ClockChange | undefined;
    if (entry.clock !== undefined) {
      if (chain.clock !== undefined && chain.clock !== entry.clock) clockChange = { node: src.node, from: chain.clock, to: entry.clock, event: entry.id };
      chain.clock = entry.clock;
    }
    let key: string | undefined;
    let value: SeriesValue | undefined;
    const d = entry.data;
    if (isValueMap(d)) {
      if (entry.type === 'sensor.reading' && typeof d.name === 'string' && isScalar(d.value)) {
        key = seriesKey(src.node, src.component, d.name);
        value = { value: d.value, quality: typeof d.quality === 'string' ? d.quality : 'good', time: entry.time, event: entry.id, epoch: chain.epoch };
      } else if (entry.type === 'sensor.state' && typeof d.to === 'string') {
        key = seriesKey(src.node, src.component);
        value = { value: d.to, quality: 'good', time: entry.time, event: entry.id, epoch: chain.epoch };
      }
      if (key !== undefined && value !== undefined) this.series.set(key, value);
    }
    return { entry, node: src.node, component: src.component, chain, gap, clockChange, series: key, value };
  }

  /** The series' latest value, or why it is not known now. */
  know(key: string, label = key): Knowledge {
    const v = this.series.get(key);
    if (!v) return { known: false, reason: `no value of ${label} stored yet` };
    if (v.quality === 'bad') return { known: false, reason: `${label}'s latest reading (${v.event}) has quality bad` };
    const chain = this.chains.get(key.slice(0, key.indexOf('/'))) as NodeChain;
    if (chain.epoch !== v.epoch) {
      const g = chain.lastGap as ChainGap;
      return { known: false, reason: `a gap in ${g.node}'s chain (seqs ${g.from}–${g.to} missing, found at ${g.event}) follows ${label}'s latest value` };
    }
    return { known: true, value: v };
  }

  chain(node: string): NodeChain | undefined {
    return this.chains.get(node);
  }

  /** A plain, ordered picture of the state (restart equivalence is tested on it). */
  snapshot(): WorldState {
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return { chains: sorted(this.chains), series: sorted(this.series) };
  }

  restore(s: WorldState): void {
    this.chains.clear();
    this.series.clear();
    for (const [k, v] of s.chains) this.chains.set(k, { ...v });
    for (const [k, v] of s.series) this.series.set(k, { ...v });
  }
}
