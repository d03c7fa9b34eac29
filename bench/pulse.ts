/**
 * bench/pulse: what Pulse costs the hub (issue 12), each figure beside a
 * baseline measured in the same run.
 *
 * 1. One beat (collect, judge, narrate, store the pulse.beat) on a cartridge
 *    of 1 M node events over 100 enrolled nodes and a day of stored beats,
 *    beside the same beat on a cartridge of 10 k events (same nodes, same
 *    day of beats): the ratio shows whether a beat grows with the cartridge.
 *    Goal < 50 ms. Each beat follows a fresh batch from every node, and the
 *    two cartridges take turns. Also the start-up: restoreCounters and the
 *    service's replay of the stored beats.
 * 2. Ingest through Cartridge.ingestMany (25 batches of 32 per durable
 *    commit, as the hub's group commit takes batches that arrive together)
 *    with PulseCounters.observe on the post-commit hook and without it: one
 *    cartridge, its commits in pairs, one with and one without. Goal ≤ 5 %;
 *    also the time spent inside observe, which no noise from the disk or
 *    other processes blurs.
 * 3. A beat over 1,000 nodes run in turns (PulseService.beatInTurns, as the
 *    hub's timer runs it) beside the same beat in one turn (beat()), taking
 *    turns on one cartridge: the longest single turn of the event loop each
 *    spends (goal ≈ 10 ms; issue 19) and its total CPU time, which running
 *    in turns should not make worse. A turn is timed by a chain of
 *    setImmediate callbacks that runs once a loop iteration beside the beat.
 * `--quick`: 100 k events instead of 1 M. Prints figures, never gates CI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../firmware/batch/batch.js';
import { toJsonValue } from '../firmware/codec/json-form.js';
import type { EventEntry } from '../firmware/event/envelope.js';
import { PulseCounters } from '../host/pulse/pulse-counters.js';
import { Cartridge } from '../host/store/cartridge.js';
import { WalCheckpoints } from '../host/store/wal-checkpoints.js';
import { BenchNode, buildCartridge, type Built, HUB_SEED, identity, openPulseHub, type PulseHub } from './pulse-fixtures.js';
import { prng } from './rule-fixtures.js';

const QUICK = process.argv.includes('--quick');
const NODES = 100;
const EVENTS = QUICK ? 100_000 : 1_000_000;
const BASELINE = 10_000;
const SPAN_MS = 26 * 3_600_000;
const BEATS = 50;
/** The shipped default: the judge's windows hold as many beats as on a hub left as it comes. */
const BEAT_EVERY_MS = 15 * 60_000;
const FRESH = 8;
const ROUNDS = QUICK ? 16 : 60;
const BATCH = 32;
const GROUP = 25;
const T0 = Date.UTC(2026, 0, 5);

const dir = mkdtempSync(join(tmpdir(), 'fazt-bench-pulse-'));
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const pctOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// --- 1. a beat on 1 M events beside one on 10 k
const built: Built[] = [];
for (const [k, perNode] of [BASELINE / NODES, EVENTS / NODES].entries())
  built.push(buildCartridge(join(dir, `c${k}.db`), { nodes: NODES, perNode, start: T0, spanMs: SPAN_MS }));
const clocks = built.map((b) => b.end);
// Once untimed, so neither timed start-up pays for compiling the replay's code (the builds never replayed a beat).
openPulseHub(join(dir, 'c0.db'), () => clocks[0]).close();
const hubs: PulseHub[] = built.map((_, k) => openPulseHub(join(dir, `c${k}.db`), () => clocks[k]));
const beatMs: number[][] = [[], []];
const beatCpuMs: number[][] = [[], []];
for (let b = 0; b < BEATS; b++) {
  // Alternate which cartridge goes first, so neither always meets the disk right after the other's fsyncs.
  for (const k of b % 2 ? [1, 0] : [0, 1]) {
    const begin = clocks[k];
    const times = Array.from({ length: FRESH }, (_, j) => begin + ((j + 1) * BEAT_EVERY_MS) / FRESH);
    clocks[k] = begin + BEAT_EVERY_MS;
    for (const r of hubs[k].cartridge.ingestMany(built[k].nodes.map((n) => n.batch(times)))) if (r instanceof Error) throw r;
    const cpu = process.cpuUsage();
    const t = performance.now();
    hubs[k].pulse.beat();
    beatMs[k].push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    beatCpuMs[k].push((used.user + used.system) / 1000);
  }
}
const last = hubs.map((h) => h.pulse.latest?.judgement);
const stored = hubs.map((h) => h.cartridge.nodes().reduce((sum, n) => sum + n.eventCount, 0));
for (const h of hubs) h.close();
const [small, big] = beatMs.map(pctOf);
const [smallCpu, bigCpu] = beatCpuMs.map(pctOf);
const [s0, s1] = hubs.map((h) => h.startup);
console.log(
  `bench/pulse: one beat on a cartridge of ${fmt(built[1].events)} node events (${NODES} nodes, 26 h, ${built[1].beats} beats stored; built in ${built[1].seconds.toFixed(1)} s) beside one of ${fmt(built[0].events)} (${built[0].beats} beats)`,
);
const startup = (s: PulseHub['startup']) =>
  `open ${s.openMs.toFixed(1)} ms, restoreCounters ${s.restoreMs.toFixed(1)} ms, replay of the stored beats ${s.replayMs.toFixed(1)} ms`;
console.log(`  start-up, ${fmt(built[1].events)}: ${startup(s1)}`);
console.log(`  start-up, ${fmt(built[0].events)}:  ${startup(s0)}`);
console.log(
  `  beat (${BEATS} each, after a batch of ${FRESH} events from each node; last status ${last[1]?.status}, ${last[1]?.verdicts.length} verdicts; ${fmt(stored[1])} node events by the end):`,
);
console.log(
  `    ${fmt(built[1].events)} events: p50 ${big(50).toFixed(1)} ms, p99 ${big(99).toFixed(1)} ms (goal < 50 ms: p50 ${big(50) < 50 ? 'met' : 'NOT met'}, p99 ${big(99) < 50 ? 'met' : 'NOT met'}); CPU time p50 ${bigCpu(50).toFixed(1)} ms, p99 ${bigCpu(99).toFixed(1)} ms`,
);
console.log(
  `    ${fmt(built[0].events)} events:  p50 ${small(50).toFixed(1)} ms, p99 ${small(99).toFixed(1)} ms; CPU time p50 ${smallCpu(50).toFixed(1)} ms, p99 ${smallCpu(99).toFixed(1)} ms`,
);
console.log(`    ratio ${fmt(built[1].events)} / ${fmt(built[0].events)}: p50 ${(big(50) / small(50)).toFixed(2)}×, p99 ${(big(99) / small(99)).toFixed(2)}×`);

// --- 2. ingest with the counters on the post-commit hook vs without
// One cartridge for both sides: the same file, disk and neighbours.
let now = T0;
const cartridge = Cartridge.open(join(dir, 'ingest.db'), { clock: () => now });
const nodes = Array.from({ length: NODES }, (_, i) => new BenchNode(i, T0));
for (const n of nodes) cartridge.addNode(n.identity.publicKey);
const counters = new PulseCounters(identity(HUB_SEED).id);
let observeMs = 0;
const observe = (entries: readonly EventEntry[], receivedAt: number) => {
  const t = performance.now();
  counters.observe(entries, receivedAt);
  observeMs += performance.now() - t;
};
// Made before timing: each round, a batch of 32 readings (5 s apart) from every node.
const rounds: Batch[][] = Array.from({ length: ROUNDS }, (_, r) => {
  const times = Array.from({ length: BATCH }, (_, j) => T0 + (r * BATCH + j + 1) * 5000);
  return nodes.map((n) => n.batch(times));
});
const ms = [0, 0];
const cpuMs = [0, 0];
const events = [0, 0];
// Two commits at a time, one with the counters (side 0) and one without. Which goes first is drawn at random for one
// pair and reversed for the next (the first of a pair is the slower): never strict turns, which fall into step with
// whatever recurs every so many commits (a young-generation GC, a WAL checkpoint) and hand it to one side.
const coin = prng(12);
const pairCost: number[] = [];
let withFirst = false;
for (let r = 0; r < ROUNDS; r++) {
  now = T0 + (r + 1) * BATCH * 5000;
  for (let g = 0; g < NODES; g += 2 * GROUP) {
    const took = [0, 0];
    withFirst = pairCost.length % 2 ? !withFirst : coin() < 0.5;
    (withFirst ? [0, 1] : [1, 0]).forEach((k, i) => {
      const off = k === 0 ? cartridge.onStored(observe) : undefined;
      const group = rounds[r].slice(g + i * GROUP, g + (i + 1) * GROUP);
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (const res of cartridge.ingestMany(group)) if (res instanceof Error) throw res;
      took[k] = performance.now() - t;
      const used = process.cpuUsage(cpu);
      off?.();
      ms[k] += took[k];
      cpuMs[k] += (used.user + used.system) / 1000;
      events[k] += group.length * BATCH;
    });
    pairCost.push(took[0] / took[1]);
  }
}
cartridge.close();
const [withRate, withoutRate] = ms.map((m, k) => events[k] / (m / 1000));
const [withCpu, withoutCpu] = cpuMs.map((m, k) => m / events[k]);
const cost = (1 - withRate / withoutRate) * 100;
// A burst of load from elsewhere lands on one commit of a pair: the median of the pairs shrugs it off.
const pairedCost = (pctOf(pairCost)(50) - 1) * 100;
console.log(
  `  ingest through Cartridge.ingestMany, ${fmt(events[0] + events[1])} events (${NODES} nodes × ${ROUNDS} batches of ${BATCH}, ${GROUP} batches per durable commit), commits in pairs, one with the counters, one without:`,
);
console.log(`    with PulseCounters.observe on the post-commit hook: ${fmt(withRate)} events/s`);
console.log(`    without: ${fmt(withoutRate)} events/s`);
console.log(
  `    cost: median of ${pairCost.length} pairs ${pairedCost.toFixed(1)} % (goal ≤ 5 %: ${pairedCost <= 5 ? 'met' : 'NOT met'}); over all ${cost.toFixed(1)} %, in the process's CPU time ${((withCpu / withoutCpu - 1) * 100).toFixed(1)} %`,
);
console.log(
  `    time inside observe (the counters' own cost, which no noise from a shared disk or CPUs blurs): ${observeMs.toFixed(1)} ms, ${((observeMs / ms[0]) * 100).toFixed(2)} % of that ingest, ${((observeMs * 1e6) / events[0]).toFixed(0)} ns an event`,
);

// --- 3. a beat over 1,000 nodes in turns beside the same beat in one turn
const WIDE = 1000;
const WIDE_BEATS = QUICK ? 6 : 16;
const wide = buildCartridge(join(dir, 'wide.db'), { nodes: WIDE, perNode: 24, start: T0, spanMs: 2 * 3_600_000 });
let wideNow = wide.end;
const wideHub = openPulseHub(join(dir, 'wide.db'), () => wideNow);
/** What one beat took: its own longest slice (from beatInTurns' timer; the whole beat in one turn) and the loop's longest turn. */
interface Turns {
  sliceMs: number;
  sliceCpuMs: number;
  /** The beat's own CPU time: its slices' sum (the process's CPU over the beat's wall time also counts what ran between them). */
  ownCpuMs: number;
  slicesOver10: number;
  slices: number;
  loopMs: number;
  cpuMs: number;
  wallMs: number;
}
/**
 * Runs `beat` while a setImmediate chain stamps every loop iteration: the longest gap between two stamps is the
 * loop's longest turn, whatever ran in it (a slice of the beat, a WAL checkpoint, a GC pause, other processes on a
 * shared machine stretching it). `beat` is handed a timer for its own slices.
 */
async function timedTurns(beat: (onSlice: (wallMs: number, cpuMs: number) => void) => unknown): Promise<Turns> {
  let last = performance.now();
  let loopMs = 0;
  let on = true;
  const stamp = () => {
    const t = performance.now();
    loopMs = Math.max(loopMs, t - last);
    last = t;
    if (on) setImmediate(stamp);
  };
  setImmediate(stamp);
  await new Promise<void>((r) => setImmediate(r));
  const own = { wall: 0, cpu: 0, sum: 0, over: 0, n: 0 };
  const onSlice = (wallMs: number, cpuMs: number) => {
    own.wall = Math.max(own.wall, wallMs);
    own.cpu = Math.max(own.cpu, cpuMs);
    own.sum += cpuMs;
    if (cpuMs > 10) own.over++;
    own.n++;
  };
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await beat(onSlice);
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  on = false;
  await new Promise<void>((r) => setImmediate(r));
  // A beat in one turn is one slice.
  if (own.n === 0) onSlice(wallMs, cpuMs);
  return { sliceMs: own.wall, sliceCpuMs: own.cpu, ownCpuMs: own.sum, slicesOver10: own.over, slices: own.n, loopMs, cpuMs, wallMs };
}
const wideRuns: Record<'inTurns' | 'oneTurn', Turns[]> = { inTurns: [], oneTurn: [] };
// As the hub runs them: WAL checkpoints on a timer of their own, between turns, not inside a beat's commit.
const wideWal = new WalCheckpoints(wideHub.cartridge, (e) => {
  throw e;
});
wideWal.start();
// The first beat after the start judges the restored counters (node.silent learns each node's usual interval: ~1,000
// changes, committed with the beat in one slice): measured apart, then the steady beats.
const firstBeat = await (async () => {
  const begin = wideNow;
  wideNow += BEAT_EVERY_MS;
  for (const r of wideHub.cartridge.ingestMany(wide.nodes.map((n) => n.batch([begin + BEAT_EVERY_MS / 2, wideNow])))) if (r instanceof Error) throw r;
  return timedTurns((onSlice) => wideHub.pulse.beatInTurns(onSlice));
})();
const firstChanges = wideHub.pulse.latest?.judgement.transitions.length ?? 0;
for (let b = 0; b < WIDE_BEATS; b++) {
  const begin = wideNow;
  wideNow += BEAT_EVERY_MS;
  for (const r of wideHub.cartridge.ingestMany(wide.nodes.map((n) => n.batch([begin + BEAT_EVERY_MS / 2, wideNow])))) if (r instanceof Error) throw r;
  // Alternate which goes first in a pair, so neither always follows the other's commits.
  const inTurns = b % 4 === 0 || b % 4 === 3;
  wideRuns[inTurns ? 'inTurns' : 'oneTurn'].push(await timedTurns((onSlice) => (inTurns ? wideHub.pulse.beatInTurns(onSlice) : wideHub.pulse.beat())));
}
const wideLast = wideHub.pulse.latest;
const hubEvents = [...wideHub.cartridge.chain(identity(HUB_SEED).id)];
wideWal.stop();
wideHub.close();
const median = (xs: number[]) => pctOf(xs)(50);
const widest = (k: keyof typeof wideRuns) => {
  const r = wideRuns[k];
  const of = (f: (t: Turns) => number) => ({ median: median(r.map(f)), worst: Math.max(...r.map(f)) });
  return {
    slice: of((t) => t.sliceMs),
    sliceCpu: of((t) => t.sliceCpuMs),
    over10: r.reduce((n, t) => n + t.slicesOver10, 0),
    slices: r.reduce((n, t) => n + t.slices, 0),
    loop: of((t) => t.loopMs),
    cpu: of((t) => t.cpuMs),
    ownCpu: of((t) => t.ownCpuMs),
    wall: of((t) => t.wallMs),
  };
};
const [inTurns, oneTurn] = [widest('inTurns'), widest('oneTurn')];
const mw = (x: { median: number; worst: number }) => `${x.median.toFixed(1)} ms [${x.worst.toFixed(1)}]`;
console.log(
  `  a beat over ${fmt(WIDE)} nodes (${WIDE_BEATS / 2} each way, after a batch from every node; last status ${wideLast?.judgement.status}, ${wideLast?.judgement.verdicts.length} verdicts; medians of the beats, the worst in brackets):`,
);
const turnsLine = (r: ReturnType<typeof widest>) =>
  `its longest slice ${mw(r.sliceCpu)} CPU, ${mw(r.slice)} wall (${r.over10} of ${r.slices} slices over 10 ms CPU); the loop's longest turn ${mw(r.loop)}; the beat's own CPU ${mw(r.ownCpu)} (the process's over its wall time ${mw(r.cpu)}), wall ${mw(r.wall)}`;
console.log(`    in turns (the hub's timer): ${turnsLine(inTurns)}; goal ≈ 10 ms a slice: ${inTurns.sliceCpu.median <= 12 ? 'met' : 'NOT met'}`);
console.log(`    in one turn (beat()):        ${turnsLine(oneTurn)}`);
console.log(
  `    the first beat after the start, in turns (${firstChanges} status changes): its longest slice ${firstBeat.sliceCpuMs.toFixed(1)} ms CPU, ${firstBeat.sliceMs.toFixed(1)} ms wall; the beat's own CPU ${firstBeat.ownCpuMs.toFixed(1)} ms`,
);
const largest = Math.max(...hubEvents.map((e) => JSON.stringify(toJsonValue(e.data)).length));
console.log(
  `    ratio in turns / one turn: longest slice ${(inTurns.sliceCpu.median / oneTurn.sliceCpu.median).toFixed(2)}× (CPU), the beat's own CPU ${(inTurns.ownCpu.median / oneTurn.ownCpu.median).toFixed(2)}×; largest event on the hub's chain ${fmt(largest / 1024)} KB of JSON`,
);
rmSync(dir, { recursive: true, force: true });
