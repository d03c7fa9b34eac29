import { performance } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { inputArbitrary } from './input-arbitrary.js';
import { type FuzzTarget, outcomeOf, unexpectedError } from './targets.js';

/** One bug: what was thrown (or 'slow'), the first input that showed it, how often it recurred. */
interface Finding {
  signature: string;
  message: string;
  input: Uint8Array;
  count: number;
}

export interface FuzzReport {
  target: string;
  runs: number;
  seed: number;
  seconds: number;
  inputsPerSecond: number;
  slowestMs: number;
  /** Heap used after a full GC at evenly spaced points of the run, in MB. */
  heapMb: number[];
  /** The heap's growth from the first sample after warm-up (20 %) to the last, in MB. */
  heapGrowthMb: number;
  findings: Finding[];
  /** How inputs ended: 'accepted' or the refusal ('CodecError truncated'), with counts. */
  outcomes: Record<string, number>;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** An input that takes longer than this is a finding ('slow'). */
  perInputMs: number;
  /** Called with each input before it runs (the hang watchdog keeps the last). */
  onInput?: (input: Uint8Array) => void;
  /** Called at each heap sample (every tenth of the run): inputs done, seconds, findings so far. */
  onProgress?: (done: number, seconds: number, findings: number) => void;
}

const HEAP_SAMPLES = 11;

function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** What identifies a bug: its class and the first frame of its stack in the project. */
function signatureOf(e: unknown): string {
  if (!(e instanceof Error)) return `non-error ${typeof e}`;
  const frame = (e.stack ?? '').split('\n').find((l) => /\/(firmware|host|hal)\//.test(l)) ?? '';
  return `${e.name}: ${frame
    .trim()
    .replace(/^at /, '')
    .replace(/\(?file:\/\/.*?\/((firmware|host|hal)\/)/, '$1')}`;
}

/** The fastest of three more runs of one input, in ms. */
function retimed(target: FuzzTarget, input: Uint8Array): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    unexpectedError(target, input);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Runs `runs` generated inputs through the target; never stops on a finding, keeps the first input of each. */
export function fuzzTarget(target: FuzzTarget, o: FuzzOptions): FuzzReport {
  const gc = collector();
  const findings = new Map<string, Finding>();
  const heap: number[] = [];
  const every = Math.max(1, Math.floor(o.runs / (HEAP_SAMPLES - 1)));
  const note = (signature: string, message: string, input: Uint8Array): void => {
    const f = findings.get(signature);
    if (f) f.count++;
    else findings.set(signature, { signature, message, input: input.slice(), count: 1 });
  };
  let done = 0;
  let slowest = 0;
  const outcomes: Record<string, number> = {};
  const sampleHeap = (): void => {
    gc();
    heap.push(process.memoryUsage().heapUsed / 2 ** 20);
  };
  sampleHeap();
  const started = performance.now();
  fc.check(
    fc.property(inputArbitrary(target), (input) => {
      o.onInput?.(input);
      const t0 = performance.now();
      const { outcome, bug: e } = outcomeOf(target, input);
      let ms = performance.now() - t0;
      if (ms > o.perInputMs) ms = Math.min(ms, retimed(target, input)); // a GC pause or a busy core is not the input's doing
      if (ms > slowest) slowest = ms;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (e !== undefined) note(signatureOf(e), e instanceof Error ? `${e.name}: ${e.message}` : String(e), input);
      else if (ms > o.perInputMs) note('slow', `took ${ms.toFixed(0)} ms, over ${o.perInputMs} ms`, input);
      if (++done % every === 0) {
        sampleHeap();
        o.onProgress?.(done, (performance.now() - started) / 1000, findings.size);
      }
      return true;
    }),
    { numRuns: o.runs, seed: o.seed },
  );
  const seconds = (performance.now() - started) / 1000;
  if (heap.length < HEAP_SAMPLES) sampleHeap();
  const warm = heap[Math.floor(heap.length / 5)];
  const heapGrowthMb = heap[heap.length - 1] - warm;
  return {
    target: target.name,
    runs: done,
    seed: o.seed,
    seconds,
    inputsPerSecond: done / seconds,
    slowestMs: slowest,
    heapMb: heap,
    heapGrowthMb,
    findings: [...findings.values()],
    outcomes,
  };
}
