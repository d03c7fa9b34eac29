/**
 * bench/rules: what rules cost the hub (issue 11), each figure beside a
 * baseline measured in the same run.
 *
 * 1. Ingest over HTTP with 100 enabled rules (a real Hub, `rules: true`) vs a
 *    hub without the rule service, the same batches in alternate rounds, sent
 *    from a child process as bench/ingest does (group commit; each reply after
 *    its commit, and so after the rules decided on it). Goal ≥ 0.8×.
 * 2. Hub-side latency from a batch's commit to the effect.requested it
 *    causes (goal p99 < 5 ms), on the same hub with its 100 rules plus one
 *    that switches a relay another node declared in its system.boot.
 * 3. Backtest over a cartridge of 1 M stored events with 10 rules, read from
 *    the SQLite file by cartridge.recorded.between() into one engine holding
 *    the ten (as the hub replays its log), beside reading the same rows alone.
 *    Goal ≥ 200 k events/s.
 * 4. The node's cost of verifying a signed ack: bench/node-xs.ts prints it.
 * Prints figures, never gates CI.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchToValue, createBatch, type Batch } from '../firmware/batch/batch.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import type { ValueMap } from '../firmware/codec/value.js';
import type { EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Hub } from '../host/hub/hub.js';
import { feed } from '../host/rules/feed.js';
import { RuleEngine } from '../host/rules/index.js';
import { Cartridge } from '../host/store/cartridge.js';
import { Ingestor } from '../host/store/ingest.js';
import { benchReading, hundredRules, prng, sampleAt, tenRules } from './rule-fixtures.js';

const NODES = 32;
const ROUNDS = 20;
const BATCH = 32;
const CONCURRENCY = 16;
const LATENCY_BATCHES = 300;
const STORED = 1_000_000;
const STORED_BATCH = 256;

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-rules-'));
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const pctOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const identity = (seed: number) => identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);

/** A node's chain, appended at its own clock: `time` of each entry as given. */
function chainOf(id: NodeIdentity) {
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => 0 });
  return (type: string, component: string, data: ValueMap, time: number) => log.append(type, component, data, time);
}

// --- 1. ingest with 100 rules vs none
const T0 = Date.UTC(2026, 0, 5);
const plain = new Hub({ dataDir: join(dir, 'plain'), port: 0, log: () => undefined });
const ruled = new Hub({ dataDir: join(dir, 'ruled'), port: 0, log: () => undefined, rules: true });
const urls = [(await plain.start()).url, (await ruled.start()).url];
const ids = Array.from({ length: NODES }, (_, i) => identity(i + 1));
const names = ids.map((_, i) => `bench-${i}`);
for (const h of [plain, ruled]) ids.forEach((id, i) => h.cartridge.addNode(id.publicKey, { name: names[i], board: 'esp32-devkitc' }));
const rules = ruled.rules;
if (!rules) throw new Error('the hub has no rule service');
for (const doc of hundredRules(names)) rules.put(doc);
const perNode = ids.map((id, node) => {
  const append = chainOf(id);
  const es = Array.from({ length: ROUNDS * BATCH }, (_, n) => {
    const time = T0 + n * 5000;
    const s = benchReading(node, n, time);
    return append(s.type, s.component, s.data, time);
  });
  return Array.from({ length: ROUNDS }, (_, r) => encodeCbor(batchToValue(createBatch(es.slice(r * BATCH, (r + 1) * BATCH), id, nodeCrypto))));
});
const sender = fork(new URL('./ingest-sender.ts', import.meta.url).pathname, { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
let failed: Error | undefined;
sender.on('error', (e) => void (failed = e));
const reply = <T>() => new Promise<T>((resolve, reject) => (failed ? reject(failed) : sender.once('message', (m) => resolve(m as T))));
const ready = reply<{ ready: true }>();
sender.send({ setup: { urls, perNode, concurrency: CONCURRENCY } });
await ready;
const ns = [0, 0];
const acks: number[][] = [[], []];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which hub goes first, so neither always meets the disk right after the other's fsyncs.
  for (const to of r % 2 ? [1, 0] : [0, 1]) {
    const p = reply<{ latencies: number[]; ns: number }>();
    sender.send({ round: r, to });
    const got = await p;
    ns[to] += got.ns;
    acks[to].push(...got.latencies);
  }
}
sender.kill();
const total = NODES * ROUNDS * BATCH;
const stored = (h: Hub) => h.cartridge.nodes().reduce((sum, x) => sum + x.eventCount, 0);
if (stored(plain) !== total || stored(ruled) !== total) throw new Error(`stored ${stored(plain)} and ${stored(ruled)} of ${total}`);
await plain.stop();
const firings = rules.list().reduce((sum, r) => sum + r.firings, 0);
const [plainRate, ruledRate] = ns.map((n) => total / (n / 1e9));
const [plainAck, ruledAck] = acks.map(pctOf);
console.log(`bench/rules: ingest, ${NODES} nodes × ${ROUNDS} batches × ${BATCH} readings = ${fmt(total)} events over HTTP, ${CONCURRENCY} concurrent uploads`);
console.log(`  hub without rules:          ${fmt(plainRate)} events/s, ack p50 ${plainAck(50).toFixed(1)} ms, p99 ${plainAck(99).toFixed(1)} ms`);
console.log(
  `  hub with 100 enabled rules: ${fmt(ruledRate)} events/s, ack p50 ${ruledAck(50).toFixed(1)} ms, p99 ${ruledAck(99).toFixed(1)} ms; ${firings} firings (notify)`,
);
console.log(`  ratio with / without: ${(ruledRate / plainRate).toFixed(2)}× (goal ≥ 0.8×: ${ruledRate / plainRate >= 0.8 ? 'met' : 'NOT met'})`);

// --- 2. commit → effect.requested, on the hub with the 100 rules
const sensorId = identity(101);
const relayId = identity(102);
ruled.cartridge.addNode(sensorId.publicKey, { name: 'bench-sensor', board: 'esp32-devkitc' });
ruled.cartridge.addNode(relayId.publicKey, { name: 'bench-relay', board: 'esp32-devkitc' });
const uplink = async (b: Batch) => {
  const res = await fetch(`${urls[1]}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: encodeCbor(batchToValue(b)) });
  if (res.status !== 200) throw new Error(`hub refused: ${res.status} ${await res.text()}`);
};
const boot = { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1, outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] };
await uplink(createBatch([chainOf(relayId)('system.boot', 'node', boot, Date.now())], relayId, nodeCrypto));
const temperature = { node: 'bench-sensor', component: 'bme280', name: 'temperature' };
rules.put({
  id: 'relay-when-hot',
  name: 'Relay on when hot, off when cool',
  triggers: [
    { kind: 'numeric', id: 'hot', series: temperature, above: 26, hysteresis: 1 },
    { kind: 'numeric', id: 'cool', series: temperature, below: 24 },
  ],
  actions: [
    { kind: 'output', if: { kind: 'trigger', ids: ['hot'] }, node: 'bench-relay', output: 'relay', op: 'on' },
    { kind: 'output', if: { kind: 'trigger', ids: ['cool'] }, node: 'bench-relay', output: 'relay', op: 'off' },
  ],
});
// The moment each node batch's commit returned, by entry id: taken in the store itself, before the
// post-commit hook runs the rules (a listener subscribed now would run after the rule service's).
const committedAt = new Map<string, number>();
const ingestMany = Ingestor.prototype.ingestMany;
Ingestor.prototype.ingestMany = function (this: Ingestor, items) {
  const results = ingestMany.call(this, items);
  const t = performance.now();
  for (const r of results) if (!(r instanceof Error)) for (const e of r.fresh) committedAt.set(e.id, t);
  return results;
};
const effectMs: number[] = [];
const unsubscribe = ruled.onStored((entries) => {
  const t = performance.now();
  for (const e of entries) {
    if (e.type !== 'effect.requested') continue;
    const causes = (e.data as ValueMap).causes as string[];
    const at = Math.max(...causes.map((c) => committedAt.get(c) ?? Number.NaN));
    effectMs.push(t - at);
  }
});
// Each batch crosses one way or the other: 8 readings at 27 °C, then 8 at 23 °C, and so on.
const sense = chainOf(sensorId);
let senseAt = Date.now();
for (let b = 0; b < LATENCY_BATCHES; b++) {
  const value = b % 2 ? 23 : 27;
  const es: EventEntry[] = Array.from({ length: 8 }, () => {
    senseAt += 1000;
    return sense('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value, quality: 'good', time: senseAt }, senseAt);
  });
  await uplink(createBatch(es, sensorId, nodeCrypto));
}
unsubscribe();
Ingestor.prototype.ingestMany = ingestMany;
// The floor, same hub, same run: one event appended to the hub's chain alone (sign, one durable commit).
const floorMs: number[] = [];
for (let i = 0; i < 100; i++) {
  const t = performance.now();
  ruled.hubLog.append('percept.motion', 'percept', {
    node: sensorId.id,
    component: 'pir',
    state: 'start',
    at: senseAt,
    causes: [committedAt.keys().next().value as string],
  });
  floorMs.push(performance.now() - t);
}
await ruled.stop();
if (effectMs.length !== LATENCY_BATCHES || effectMs.some(Number.isNaN)) throw new Error(`${effectMs.length} effects timed for ${LATENCY_BATCHES} batches`);
const effect = pctOf(effectMs);
console.log(`  commit of a batch → its effect.requested stored (the command queued), ${LATENCY_BATCHES} batches, each one crossing:`);
console.log(
  `    p50 ${effect(50).toFixed(2)} ms, p99 ${effect(99).toFixed(2)} ms, max ${effect(100).toFixed(2)} ms (goal p99 < 5 ms: ${effect(99) < 5 ? 'met' : 'NOT met'})`,
);
const floor = pctOf(floorMs);
console.log(`    baseline, one hub-chain append alone (sign, one durable commit): p50 ${floor(50).toFixed(2)} ms, p99 ${floor(99).toFixed(2)} ms`);

// --- 3. backtest over a stored cartridge of 1 M events
const buildStart = performance.now();
let now = T0;
const cartridge = Cartridge.open(join(dir, 'backtest.db'), { clock: () => now });
// The build is not what is measured: commits need not wait for the disk.
cartridge.db.pragma('synchronous = OFF');
const five = [201, 202, 203, 204, 205].map(identity);
for (const id of five) cartridge.addNode(id.publicKey);
const appenders = five.map(chainOf);
const rnd = prng(7);
const rounds = Math.ceil(STORED / (STORED_BATCH * five.length));
for (let r = 0, i = 0; r < rounds; r++) {
  // Five nodes taking turns, an event every 200 ms between them; each sends a batch of 256 once a round.
  const pending: EventEntry[][] = five.map(() => []);
  for (let j = 0; j < STORED_BATCH * five.length; j++, i++) {
    const time = T0 + i * 200;
    const s = sampleAt(i, time, rnd);
    pending[i % five.length].push(appenders[i % five.length](s.type, s.component, s.data, time));
  }
  now = T0 + i * 200 + 500;
  for (const res of cartridge.ingestMany(pending.map((es, n) => createBatch(es, five[n], nodeCrypto)))) if (res instanceof Error) throw res;
}
cartridge.db.pragma('synchronous = FULL');
const events = rounds * STORED_BATCH * five.length;
const until = now + 1;
const built = seconds(buildStart);
const read = () => cartridge.recorded.between(0, until, 'no-hub');
let t0 = performance.now();
let rows = 0;
for (const _ of read()) rows++;
const readRate = rows / seconds(t0);
t0 = performance.now();
const engine = new RuleEngine();
for (const doc of tenRules(five.map((id) => id.id))) engine.addRule(doc);
let fired = 0;
const fed = feed([engine], read(), { until, exclusive: true, startAt: T0 }, (_, fs) => (fired += fs.length));
const backtestRate = fed / seconds(t0);
cartridge.close();
if (rows !== events || fed !== events) throw new Error(`read ${rows} and fed ${fed} of ${events}`);
console.log(
  `  backtest over a cartridge of ${fmt(events)} stored events (5 nodes, ${((until - T0) / 3_600_000).toFixed(0)} h; built in ${built.toFixed(1)} s), 10 rules:`,
);
console.log(
  `    recorded.between() into one engine holding the 10 rules: ${fmt(backtestRate)} events/s, ${fmt(fired)} firings (goal ≥ 200,000: ${backtestRate >= 200_000 ? 'met' : 'NOT met'})`,
);
console.log(`    reading the same rows alone: ${fmt(readRate)} events/s; backtest / read ${(backtestRate / readRate).toFixed(2)}`);
console.log('  the node verifying a signed ack with commands (XS compute steps, beside signing a batch): bench/node-xs.ts prints it');
rmSync(dir, { recursive: true, force: true });
