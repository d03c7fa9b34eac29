import { parentPort, workerData } from 'node:worker_threads';
import { fuzzTarget } from './fuzz-target.js';
import { targetNamed } from './targets.js';

/**
 * One target's run, in a worker so bench/fuzz.ts can end it when an input
 * hangs. Before each input it bumps a heartbeat and leaves the input in the
 * shared buffer: [0] heartbeat, [1] input length, then the bytes.
 */
interface Job {
  target: string;
  runs: number;
  seed: number;
  perInputMs: number;
  shared: SharedArrayBuffer;
}

const job = workerData as Job;
const words = new Int32Array(job.shared, 0, 2);
const bytes = new Uint8Array(job.shared, 8);
const report = fuzzTarget(targetNamed(job.target), {
  runs: job.runs,
  seed: job.seed,
  perInputMs: job.perInputMs,
  onInput(input) {
    const n = Math.min(input.length, bytes.length);
    bytes.set(input.subarray(0, n));
    Atomics.store(words, 1, n);
    Atomics.add(words, 0, 1);
  },
  onProgress: (done, seconds, findings) => parentPort?.postMessage({ progress: { done, seconds, findings } }),
});
parentPort?.postMessage({ report });
