import type { Value, ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { hubBleComponent } from '../ble/ble-mac.js';

/** A node event as the percept kinds see it. */
export interface Observed {
  entry: EventEntry;
  node: string;
  component: string;
  /**
   * Where this node's replay began after a restart (its own clock), so a
   * kind that needs history knows when it has enough; -Infinity when the
   * engine saw the node's events as they came.
   */
  from: number;
}

/** What a kind says: a percept type and its data (with `at` and `causes`). */
export interface Percept {
  type: string;
  data: ValueMap;
}

/**
 * One kind of percept: a reducer over a node's events in chain order.
 * `observe` and `due` append what they say to `out` and update what the kind
 * has said; `apply` takes a percept already stored as said (the rebuild on
 * start replays the log through the same code).
 */
export interface PerceptKind {
  /** The percept types this kind makes. */
  readonly types: readonly string[];
  observe(o: Observed, out: Percept[]): void;
  /**
   * Deadlines of `node` passed by `now`, on the node's clock: an event's time,
   * or (timer) the hub's clock less the arrival slack.
   */
  due(node: string, now: number, timer: boolean, out: Percept[]): void;
  apply(type: string, data: ValueMap): void;
}

/** Percepts cite at most this many causes. */
const MAX_CAUSES = 32;

/**
 * The causes of a percept, oldest first, from `count` ids that `idAt` reads
 * (only the cited ones are read): all of them up to 32, else 32 spread
 * evenly over them, the first and the last included, and causesTruncated set.
 */
export function cite(count: number, idAt: (i: number) => string): ValueMap {
  if (count <= MAX_CAUSES) return { causes: Array.from({ length: count }, (_, i) => idAt(i)) };
  const picked: string[] = [];
  for (let i = 0; i < MAX_CAUSES; i++) picked.push(idAt(Math.round((i * (count - 1)) / (MAX_CAUSES - 1))));
  return { causes: picked, causesTruncated: true };
}

/** A good numeric reading's name, value and unit; undefined for anything else (booleans, uncertain or bad quality). */
export function goodNumber(e: EventEntry): { name: string; value: number; unit?: string } | undefined {
  if (e.type !== 'sensor.reading') return undefined;
  const d = e.data as ValueMap;
  if (!d || typeof d !== 'object' || d.quality !== 'good' || typeof d.name !== 'string') return undefined;
  const v = d.value;
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  return typeof d.unit === 'string' ? { name: d.name, value: v, unit: d.unit } : { name: d.name, value: v };
}

/** The `type` of a driver event (sensor.event), e.g. 'motion-start' or 'click'. */
export function driverEvent(e: EventEntry): { kind: string; data: ValueMap } | undefined {
  if (e.type !== 'sensor.event') return undefined;
  const d = e.data as ValueMap;
  return d && typeof d === 'object' && typeof d.type === 'string' ? { kind: d.type, data: d } : undefined;
}

/** A field of stored percept data as a string (rebuild reads its own output, so a mismatch means another writer). */
export function text(v: Value | undefined): string {
  return typeof v === 'string' ? v : '';
}

/** Per node, then per key: the state a kind keeps, so `due` looks at one node only. */
export class PerNode<T> {
  private readonly nodes = new Map<string, Map<string, T>>();

  of(node: string): Map<string, T> {
    let m = this.nodes.get(node);
    if (!m) this.nodes.set(node, (m = new Map()));
    return m;
  }

  peek(node: string): Map<string, T> | undefined {
    return this.nodes.get(node);
  }
}

/**
 * Of the hub's own chain, only its BLE devices' sensor events are perceived
 * (as a node's sensors are): never its percepts, rules or beats, which would
 * feed back into themselves.
 */
export function perceivedOfHub(e: Pick<EventEntry, 'type' | 'source'>, hubId: string): boolean {
  return e.type.startsWith('sensor.') && hubBleComponent(e.source, hubId) !== undefined;
}
