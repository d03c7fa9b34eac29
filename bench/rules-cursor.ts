/**
 * bench/rules-cursor: what the rules cursor (host/store/rules-cursor.ts,
 * migration step 20) adds to storing a batch. The same node batches (32
 * readings each, 8 nodes, stored 8 batches to a commit as the hub's group
 * commit does) go into three cartridges in the same run:
 *  - baseline: the cursor's in-transaction hook replaced by nothing (the
 *    cartridge as before step 20);
 *  - rules off: each batch marks its chain decided in its own transaction;
 *  - rules on: the rules mark what they decided after each commit, written
 *    by the next commit (what the live hub does between firings).
 * Rounds alternate between the three so a loaded machine slows all alike.
 * The cartridges run with synchronous=OFF so the figure is the work the
 * cursor adds, not the disk's flush: with the hub's FULL each commit waits
 * for an fsync that dwarfs it (`--durable` measures that way).
 * The first round warms up, untimed. Prints µs per batch and its ratio to
 * the baseline (noisy: a batch's signature check dominates), and the time
 * spent inside the cursor's own calls, timed around them (the precise
 * figure) and its share of a batch. `--quick`: fewer rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch, type Batch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Cartridge } from '../host/store/cartridge.js';

const quick = process.argv.includes('--quick');
const NODES = 8;
const BATCH = 32;
const ROUNDS = quick ? 6 : 20;
const COMMITS_PER_ROUND = 25; // of NODES batches each
const T0 = Date.UTC(2026, 0, 1);

type Variant = 'baseline' | 'rules off' | 'rules on';
const VARIANTS: readonly Variant[] = ['baseline', 'rules off', 'rules on'];

const nodes = Array.from({ length: NODES }, (_, i) => {
  const identity = identityFromSecretKey(new Uint8Array(32).fill(i + 1), nodeCrypto);
  let t = T0;
  const log = new EventLog({ nodeId: identity.id, crypto: nodeCrypto, clock: () => t, clockSource: () => 'hub' });
  const batches: Batch[] = [];
  for (let b = 0; b < ROUNDS * COMMITS_PER_ROUND; b++) {
    const es = [];
    for (let k = 0; k < BATCH; k++) {
      t += 1000;
      es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + (k % 30) / 10, quality: 'good', time: t }));
    }
    batches.push(createBatch(es, identity, nodeCrypto));
  }
  return { identity, batches };
});

const inCursor = new Map<Variant, number>(VARIANTS.map((v) => [v, 0]));
function timed(v: Variant, fn: () => void): void {
  const start = process.hrtime.bigint();
  fn();
  inCursor.set(v, (inCursor.get(v) as number) + Number(process.hrtime.bigint() - start) / 1000);
}

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-rules-cursor-'));
try {
  const stores = new Map<Variant, Cartridge>();
  for (const v of VARIANTS) {
    const c = Cartridge.open(join(dir, `${v.replace(' ', '-')}.db`));
    if (!process.argv.includes('--durable')) c.db.pragma('synchronous = OFF');
    for (const n of nodes) c.addNode(n.identity.publicKey);
    const cursor = c.rulesCursor;
    if (v === 'baseline') cursor.stored = () => {};
    else {
      // The time spent in the cursor itself, measured around its two calls.
      const stored = cursor.stored.bind(cursor);
      cursor.stored = (...a) => timed(v, () => stored(...a));
    }
    if (v === 'rules on') {
      cursor.attach();
      c.onStored((entries) => timed(v, () => cursor.decided(entries)));
    }
    stores.set(v, c);
  }
  const spent = new Map<Variant, number>(VARIANTS.map((v) => [v, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 ? [...VARIANTS].reverse() : VARIANTS) {
      const c = stores.get(v) as Cartridge;
      const start = process.hrtime.bigint();
      for (let k = round * COMMITS_PER_ROUND; k < (round + 1) * COMMITS_PER_ROUND; k++) c.ingestMany(nodes.map((n) => n.batches[k]));
      if (round > 0) spent.set(v, (spent.get(v) as number) + Number(process.hrtime.bigint() - start) / 1000); // round 0 warms up
    }
  }
  const batches = (ROUNDS - 1) * COMMITS_PER_ROUND * NODES;
  const base = (spent.get('baseline') as number) / batches;
  const sync = process.argv.includes('--durable') ? 'synchronous=FULL' : 'synchronous=OFF';
  console.log(`rules cursor: ${batches} batches of ${BATCH} readings per cartridge, ${NODES} batches to a commit, ${sync}`);
  for (const v of VARIANTS) {
    const per = (spent.get(v) as number) / batches;
    const own = (inCursor.get(v) as number) / batches;
    console.log(
      `  ${v.padEnd(9)} ${per.toFixed(1).padStart(7)} µs/batch  ${(per / base).toFixed(3)}× the baseline; in the cursor ${own.toFixed(1)} µs/batch (${((100 * own) / per).toFixed(2)} %)`,
    );
  }
  const c = stores.get('rules on') as Cartridge;
  console.log(`  rules on: the cursor holds ${c.rulesCursor.position().chains.size} chains, each written with the commit after its batch`);
  for (const s of stores.values()) s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
