import { createRequire } from 'node:module';
import { isSea } from 'node:sea';
import { Worker } from 'node:worker_threads';
import type { CheckpointRun } from './unsynced-commits.js';

/**
 * The worker's code, evaluated as CommonJS: its own connection to the
 * cartridge (synchronous=FULL, so SQLite syncs the WAL before it copies
 * frames and the database file after), one PASSIVE checkpoint per 'run',
 * and on 'close' the connection closed before the waiting thread is woken.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const closed = new Int32Array(workerData.closed);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
db.pragma('synchronous = FULL');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ walFrames: row.log, checkpointed: row.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
});
`;

/** How long stop() waits for the thread to close its connection (one checkpoint in flight at most). */
const CLOSE_WAIT_MS = 5000;

/**
 * PASSIVE WAL checkpoints on a thread of their own (a worker with its own
 * SQLite connection to the cartridge), so the copy into the database file
 * and its two fsyncs never hold up the hub's event loop: run in the loop,
 * one took 39 ms on average and up to 395 ms a second in bench/soak, each a
 * turn no request was served in. One checkpoint at a time. Not available
 * inside the single executable (its addon and bundle load in the main
 * thread only): available() is false there and the hub checkpoints in its
 * loop as before.
 */
export class CheckpointThread {
  private readonly worker: Worker;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private waiting: { resolve: (r: CheckpointRun) => void; reject: (e: Error) => void } | undefined;
  private current: Promise<CheckpointRun> | undefined;
  private failed: Error | undefined;

  static available(file: string): boolean {
    return !isSea() && file !== '' && file !== ':memory:';
  }

  constructor(file: string) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, { eval: true, workerData: { file, sqlite, closed: this.closed.buffer } });
    this.worker.unref(); // a checkpoint never keeps the process alive
    this.worker.on('message', (m: CheckpointRun | { error: string }) => {
      const w = this.waiting;
      this.waiting = undefined;
      if ('error' in m) w?.reject(new Error(`WAL checkpoint failed: ${m.error}`));
      else w?.resolve(m);
    });
    this.worker.on('error', (e) => {
      this.failed = new Error(`the WAL checkpoint thread failed: ${e.message}`, { cause: e });
      this.waiting?.reject(this.failed);
      this.waiting = undefined;
    });
  }

  /** The error the thread died of, if it did (nothing runs on it after that). */
  get error(): Error | undefined {
    return this.failed;
  }

  /** One PASSIVE checkpoint on the thread, after the one running if one is: the WAL's frames and how many are in the database file now. */
  run(): Promise<CheckpointRun> {
    if (this.failed) return Promise.reject(this.failed);
    const running = this.current;
    if (running !== undefined) {
      const next = () => this.run();
      return running.then(next, next);
    }
    const current = new Promise<CheckpointRun>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage('run');
    });
    this.current = current;
    const done = () => {
      if (this.current === current) this.current = undefined;
    };
    current.then(done, done);
    return current;
  }

  /**
   * Closes the thread's connection and waits (blocking, at most CLOSE_WAIT_MS: a checkpoint in flight ends
   * first) until it is closed, so the hub's own close is the last connection's (SQLite then checkpoints and
   * removes the WAL as it did before).
   */
  stop(): void {
    if (!this.failed) {
      this.worker.postMessage('close');
      Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
    }
    this.waiting?.reject(new Error('the WAL checkpoint thread stopped'));
    this.waiting = undefined;
    void this.worker.terminate();
  }
}
