/**
 * bench/group-commit-sync: what a group commit costs the hub's one JS
 * thread. The same groups (16 nodes' batches of 8 readings, as the soak's
 * 1,000 nodes send them) are offered at the same pace to two cartridges on
 * the same disk, alternately: the old path, a commit with synchronous=FULL
 * (its fsync on the thread: Cartridge.ingestMany), and the new one, a
 * commit with synchronous=NORMAL and the WAL synced in libuv's threadpool
 * before the acks (Cartridge.ingestManyUnsynced + syncWal, as
 * host/hub/group-commit.ts does). Printed: the thread's time per group (the
 * commit call), the time from a group's start to its acks being allowed
 * (on disk), the event loop's delay p99 (what a request waiting behind a
 * commit sees), each old ÷ new.
 *
 *   node --import tsx bench/group-commit-sync.ts [--groups N] [--every MS]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type Batch, createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Cartridge } from '../host/store/cartridge.js';

const { values } = parseArgs({ options: { groups: { type: 'string' }, every: { type: 'string' } } });
const GROUPS = Number(values.groups ?? 300);
/** One group every 18 ms: the soak's ~55 groups a second under 1,000 nodes. */
const EVERY_MS = Number(values.every ?? 18);
if (!Number.isSafeInteger(GROUPS) || GROUPS < 10) throw new RangeError(`--groups must be a whole number of at least 10, got ${values.groups}`);
if (!(EVERY_MS > 0)) throw new RangeError(`--every must be a positive number of ms, got ${values.every}`);
const GROUP = 16;
const ENTRIES = 8;

/** GROUPS groups of GROUP batches, each node's batches continuing its chain. */
function groupsFor(c: Cartridge): Batch[][] {
  const nodes = Array.from({ length: GROUP }, (_, i) => {
    const id = identityFromSecretKey(new Uint8Array(32).fill(i + 1), nodeCrypto);
    c.addNode(id.publicKey, {});
    let t = Date.UTC(2026, 0, 1);
    return { id, log: new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 1000) }) };
  });
  return Array.from({ length: GROUPS }, () =>
    nodes.map((n) =>
      createBatch(
        Array.from({ length: ENTRIES }, (_, k) =>
          n.log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + k / 10, quality: 'good', time: 0 }),
        ),
        n.id,
        nodeCrypto,
      ),
    ),
  );
}

interface Run {
  /** The thread's time in each group's commit call, ms. */
  held: number[];
  /** From the group's start to its acks allowed (on disk), ms. */
  acked: number[];
  loopDelayP99: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Offers one group every EVERY_MS; `commit` stores it and resolves once it is on disk. */
async function offer(groups: Batch[][], commit: (g: Batch[]) => { held: number; durable: Promise<void> }): Promise<Run> {
  const run: Run = { held: [], acked: [], loopDelayP99: 0 };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const pending: Promise<void>[] = [];
  for (const g of groups) {
    const start = performance.now();
    const { held, durable } = commit(g);
    run.held.push(held);
    pending.push(durable.then(() => void run.acked.push(performance.now() - start)));
    await new Promise((r) => setTimeout(r, Math.max(0, EVERY_MS - (performance.now() - start))));
  }
  await Promise.all(pending);
  delay.disable();
  run.loopDelayP99 = delay.percentile(99) / 1e6;
  return run;
}

function failed(results: unknown[]): void {
  const e = results.find((r) => r instanceof Error);
  if (e) throw e;
}

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-gcsync-'));
try {
  const full = Cartridge.open(join(dir, 'full.db'));
  const normal = Cartridge.open(join(dir, 'normal.db'));
  const [fullGroups, normalGroups] = [groupsFor(full), groupsFor(normal)];
  const old: Run[] = [];
  const now: Run[] = [];
  // Halves alternately, so the disk's and the machine's moods fall on both.
  const half = Math.floor(GROUPS / 2);
  for (const [from, to] of [
    [0, half],
    [half, GROUPS],
  ]) {
    old.push(
      await offer(fullGroups.slice(from, to), (g) => {
        const t = performance.now();
        failed(full.ingestMany(g));
        const held = performance.now() - t;
        return { held, durable: Promise.resolve() };
      }),
    );
    now.push(
      await offer(normalGroups.slice(from, to), (g) => {
        const t = performance.now();
        failed(normal.ingestManyUnsynced(g));
        const held = performance.now() - t;
        return { held, durable: normal.syncWal() };
      }),
    );
  }
  full.close();
  normal.close();
  const all = (runs: Run[], k: 'held' | 'acked') => runs.flatMap((r) => r[k]);
  const fig = (runs: Run[]) => ({
    heldP50: pct(all(runs, 'held'), 50),
    heldP99: pct(all(runs, 'held'), 99),
    heldSum: all(runs, 'held').reduce((a, b) => a + b, 0),
    ackP50: pct(all(runs, 'acked'), 50),
    ackP99: pct(all(runs, 'acked'), 99),
    loop: Math.max(...runs.map((r) => r.loopDelayP99)),
  });
  const [a, b] = [fig(old), fig(now)];
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(
    `bench/group-commit-sync: ${GROUPS} groups of ${GROUP} batches × ${ENTRIES} readings, one every ${EVERY_MS} ms, each path on its own cartridge in ${tmpdir()}`,
  );
  console.log(
    `  the thread's time per group's commit: FULL (fsync on the thread) p50 ${ms(a.heldP50)}, p99 ${ms(a.heldP99)}; NORMAL + WAL synced off the thread p50 ${ms(b.heldP50)}, p99 ${ms(b.heldP99)}: ${(a.heldP50 / b.heldP50).toFixed(1)}× less at p50`,
  );
  console.log(
    `  the thread held by commits over the run: ${ms(a.heldSum)} vs ${ms(b.heldSum)} (${((100 * a.heldSum) / (GROUPS * EVERY_MS)).toFixed(1)} % vs ${((100 * b.heldSum) / (GROUPS * EVERY_MS)).toFixed(1)} % of the run's offered time): ${(a.heldSum / b.heldSum).toFixed(1)}×`,
  );
  console.log(
    `  a group's start → on disk (acks allowed): p50 ${ms(a.ackP50)} vs ${ms(b.ackP50)}, p99 ${ms(a.ackP99)} vs ${ms(b.ackP99)}: ${(a.ackP99 / b.ackP99).toFixed(2)}× at p99`,
  );
  console.log(`  the event loop's delay p99 (a request behind a commit): ${ms(a.loop)} vs ${ms(b.loop)}: ${(a.loop / b.loop).toFixed(1)}×`);
  console.log(
    `  load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
