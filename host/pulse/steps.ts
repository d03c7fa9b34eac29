/**
 * Work split into steps: a generator that yields between bounded slices of
 * its work and returns its result. The same steps run in one turn of the
 * event loop (runNow) or one slice a turn (runInTurns), so a long beat never
 * holds the loop while ingest waits, and both ways compute the same thing.
 */
export type Steps<T> = Generator<void, T, void>;

/** All the steps now, in this turn. */
export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Thrown into steps whose run was cancelled: they stop at the slice they had reached. */
export class StepsCancelled extends Error {
  constructor() {
    super('cancelled between two steps');
    this.name = 'StepsCancelled';
  }
}

/** What one slice took: wall time and the process's CPU time, in ms. */
export type SliceTimer = (wallMs: number, cpuMs: number) => void;

function timed<T>(steps: Steps<T>, onSlice: SliceTimer): IteratorResult<void, T> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = steps.next();
  const used = process.cpuUsage(cpu);
  onSlice(performance.now() - t, (used.user + used.system) / 1000);
  return r;
}

/**
 * One slice a turn: after each yield the rest waits for setImmediate, so
 * timers and I/O that came due run first. `cancelled` is asked before each
 * slice; when it says so the steps are closed (their finally blocks run) and
 * the promise rejects with StepsCancelled. `onSlice` (a benchmark's) is told
 * what each slice took.
 */
export async function runInTurns<T>(steps: Steps<T>, cancelled: () => boolean, onSlice?: SliceTimer): Promise<T> {
  for (;;) {
    const r = onSlice ? timed(steps, onSlice) : steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (cancelled()) {
      steps.return(undefined as T);
      throw new StepsCancelled();
    }
  }
}
