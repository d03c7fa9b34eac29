/**
 * bench/trend-memory: what the trend percept's windows hold on a hub of N
 * nodes each reading once a second (issue 19, memory flat after warm-up):
 * N SlidingFits filled with a full 10-minute window of real event ids,
 * measured as V8's heap in use after a full collection, beside a baseline
 * of the same points held as the fit held them before (a number array for
 * times and values, a flat string per id).
 *
 *   node --import tsx bench/trend-memory.ts [--nodes 1000]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { idFromHash } from '../firmware/event/envelope.js';
import { SlidingFit } from '../host/percept/sliding-fit.js';

const { values } = parseArgs({ options: { nodes: { type: 'string' } } });
const nodes = Number(values.nodes ?? 1000);
if (!Number.isSafeInteger(nodes) || nodes < 1) throw new RangeError(`--nodes must be a whole number ≥ 1, got ${values.nodes}`);
const WINDOW_MS = 600_000;
/** Ten minutes and a third more: a fit lets expired points go a quarter at a time, so it holds up to 4/3 of its window. */
const POINTS = 800;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** An id as ingest makes it (base32 of a hash's first 10 bytes; here pseudo-random bytes, hashing being no part of the figure). */
const bytes = new Uint8Array(10);
const view = new DataView(bytes.buffer);
const idOf = (node: number, i: number) => {
  view.setUint32(0, Math.imul(node + 1, 2_654_435_761));
  view.setUint32(4, Math.imul(i + 1, 2_246_822_519) ^ node);
  view.setUint16(8, (node * 31 + i) & 0xffff);
  return idFromHash(bytes);
};
/** Flat, as the hub's ids were in its heap snapshots (toBase32 builds a chain of string pieces; using one as a key flattens it). */
const flat = (id: string): string => JSON.parse(`"${id}"`) as string;

/** The layout before: times, values and ids in plain arrays, each id its own string. */
function baseline(): unknown {
  const held: { t: number[]; v: number[]; ids: string[] }[] = [];
  for (let n = 0; n < nodes; n++) {
    const s = { t: [] as number[], v: [] as number[], ids: [] as string[] };
    for (let i = 0; i < POINTS; i++) {
      s.t.push(1_767_225_600_000 + i * 1000);
      s.v.push(20 + (i % 37) / 10);
      s.ids.push(flat(idOf(n, i)));
    }
    held.push(s);
  }
  return held;
}

function fits(): unknown {
  const held: SlidingFit[] = [];
  for (let n = 0; n < nodes; n++) {
    const f = new SlidingFit();
    // A long enough run that the fit has compacted and holds what it holds in a steady state.
    for (let i = 0; i < 3 * POINTS; i++) f.push(1_767_225_600_000 + i * 1000, 20 + (i % 37) / 10, idOf(n, i), WINDOW_MS);
    held.push(f);
  }
  return held;
}

function measure(make: () => unknown): { bytes: number; points: number } {
  const before = heap();
  const held = make();
  const bytes = heap() - before;
  const points = Array.isArray(held) ? held.reduce((a: number, x: SlidingFit | { t: number[] }) => a + (x instanceof SlidingFit ? x.held : x.t.length), 0) : 0;
  return { bytes, points };
}

const base = measure(baseline);
const now = measure(fits);
const mb = (b: number) => (b / 1e6).toFixed(1);
console.log(`bench/trend-memory: ${nodes} series at one reading a second, the trend's 10-minute window (V8 heap in use after a full collection)`);
console.log(`  before (a string per id, number arrays): ${mb(base.bytes)} MB for ${base.points} points, ${(base.bytes / base.points).toFixed(0)} B a point`);
console.log(
  `  SlidingFit (ids as two 40-bit numbers): ${mb(now.bytes)} MB for ${now.points} points held, ${(now.bytes / now.points).toFixed(0)} B a point: ${(now.bytes / now.points / (base.bytes / base.points)).toFixed(2)}× the baseline's`,
);
