/**
 * bench/rule-start: what a hub's start costs its rules (issue 19) as the
 * cartridge grows, from the rules snapshot (migration step 21: the engine's
 * state and the log position it stands at; only what was stored after it is
 * replayed) beside the full replay of the log it replaces (the same
 * cartridge with its snapshot refused), alternated in the same run.
 *
 * Each cartridge: a real Hub with ten rules over five nodes
 * (bench/rule-fixtures.ts tenRules), filled with readings, motion and
 * percepts straight into the cartridge (the fill is not measured), then
 * started once with its rules and stopped cleanly (which writes the
 * snapshot at the heads). Measured: Hub.start() to listening, with rules,
 * and without (what the rest of the hub's start costs on that cartridge).
 * Also the snapshot's own cost (engine state to JSON and its one-row
 * transaction), which the hub pays after a batch's commit every
 * 10,000 entries or 5 minutes, never inside it.
 * `--quick` runs the two smaller cartridges only. Prints figures, never gates CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch } from '../firmware/batch/batch.js';
import type { ValueMap } from '../firmware/codec/value.js';
import type { EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Hub } from '../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../host/hub/hub-wiring.js';
import { RuleEngine } from '../host/rules/index.js';
import { Cartridge } from '../host/store/cartridge.js';
import { prng, sampleAt, tenRules } from './rule-fixtures.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [20_000, 100_000] : [20_000, 100_000, 400_000];
const ROUNDS = 3;
const BATCH = 256;
const T0 = Date.UTC(2026, 0, 5);

const root = mkdtempSync(join(tmpdir(), 'fazt-bench-rule-start-'));
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const identity = (seed: number) => identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);

function chainOf(id: NodeIdentity) {
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => 0 });
  return (type: string, component: string, data: ValueMap, time: number) => log.append(type, component, data, time);
}

/** One hub start: ms to listening, and how its rules started (with rules). */
async function timedStart(dir: string, rules = true) {
  const hub = new Hub({ dataDir: dir, port: 0, host: '127.0.0.1', rules, log: () => undefined });
  const t = performance.now();
  await hub.start();
  const ms = performance.now() - t;
  const started = hub.rules?.started ?? { from: 'log', replayed: 0 };
  await hub.stop();
  return { ms, started };
}

function refuseSnapshot(dir: string): void {
  const c = Cartridge.open(join(dir, CARTRIDGE_FILE));
  try {
    c.db.exec('UPDATE rules_snapshot SET format = 0'); // written by "other code": the start replays the whole log
  } finally {
    c.close();
  }
}

console.log(`rule start (bench/rule-start): Hub.start() with 10 rules, median of ${ROUNDS} alternated rounds`);
for (const size of SIZES) {
  const dir = join(root, String(size));
  const five = [201, 202, 203, 204, 205].map(identity);
  const setup = new Hub({ dataDir: dir, port: 0, host: '127.0.0.1', rules: true, log: () => undefined });
  await setup.start();
  five.forEach((id, i) => setup.cartridge.addNode(id.publicKey, { name: `bench-${i}`, board: 'esp32-devkitc' }));
  for (const doc of tenRules(five.map((id) => id.id))) setup.rules?.put(doc);
  await setup.stop();

  // The fill: five nodes taking turns, an event every 200 ms between them, a batch of 256 each a round.
  let now = T0;
  const c = Cartridge.open(join(dir, CARTRIDGE_FILE), { clock: () => now });
  c.db.pragma('synchronous = OFF');
  const appenders = five.map(chainOf);
  const rnd = prng(7);
  for (let i = 0; i < size; ) {
    const pending: EventEntry[][] = five.map(() => []);
    for (let j = 0; j < BATCH * five.length; j++, i++) {
      const s = sampleAt(i, T0 + i * 200, rnd);
      pending[i % five.length].push(appenders[i % five.length](s.type, s.component, s.data, T0 + i * 200));
    }
    now = T0 + i * 200 + 500;
    for (const r of c.ingestMany(pending.map((es, n) => createBatch(es, five[n], nodeCrypto)))) if (r instanceof Error) throw r;
  }
  c.db.pragma('synchronous = FULL');
  const stored = c.db.prepare<[], number>('SELECT count(*) FROM entries').pluck().get() as number;

  // The snapshot's own cost: an engine holding the ten rules fed this log, its state to JSON, one transaction.
  const engine = new RuleEngine({ hubId: 'bench-hub' });
  for (const doc of tenRules(five.map((id) => id.id))) engine.addRule(doc);
  for (const r of c.recorded.between(0, Number.MAX_SAFE_INTEGER, 'bench-hub')) engine.ingest([r.entry], r.receivedAt);
  const snapMs: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    const text = JSON.stringify(engine.snapshot());
    c.atomically(() => c.rulesSnapshots.write(0, now, new Map([['bench', k]]), text));
    snapMs.push(performance.now() - t);
    bytes = text.length;
  }
  c.db.exec('DELETE FROM rules_snapshot');
  c.close();

  await timedStart(dir); // the first start with rules replays the fill and its clean stop writes the snapshot
  const fromSnapshot: number[] = [];
  const fromLog: number[] = [];
  const without: number[] = [];
  let replayed = { snapshot: 0, log: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const a = await timedStart(dir);
    if (a.started.from !== 'snapshot') throw new Error(`expected a start from the snapshot, got ${JSON.stringify(a.started)}`);
    fromSnapshot.push(a.ms);
    refuseSnapshot(dir);
    const b = await timedStart(dir); // its clean stop writes the snapshot again
    if (b.started.from !== 'log') throw new Error(`expected a full replay, got ${JSON.stringify(b.started)}`);
    fromLog.push(b.ms);
    without.push((await timedStart(dir, false)).ms);
    replayed = { snapshot: a.started.replayed, log: b.started.replayed };
  }
  const s = median(fromSnapshot);
  const l = median(fromLog);
  const w = median(without);
  console.log(`  cartridge of ${fmt(stored)} entries (the same hub started without rules: ${w.toFixed(0)} ms):`);
  console.log(`    from the snapshot: ${s.toFixed(0)} ms, the rules' share ${(s - w).toFixed(0)} ms (${fmt(replayed.snapshot)} entries replayed)`);
  console.log(`    baseline, the whole log replayed: ${l.toFixed(0)} ms, the rules' share ${(l - w).toFixed(0)} ms (${fmt(replayed.log)} entries)`);
  console.log(`    snapshot / full: ${(s / l).toFixed(3)} of the start, ${((s - w) / (l - w)).toFixed(3)} of the rules' share`);
  console.log(`    writing a snapshot (state ${fmt(bytes / 1024)} KiB JSON + its transaction): median ${median(snapMs).toFixed(1)} ms`);
}
rmSync(root, { recursive: true, force: true });
