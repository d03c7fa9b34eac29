/**
 * bench/rules-backtest: backtest speed with 10 rules over generated stored
 * events (goal ≥ 200 k events/s): one engine holding the 10 rules fed the
 * log once (as the hub replays it), and backtest() run for each rule apart
 * (as `fazt rules test` does), beside a baseline measured in the same run
 * over the same events: a bare loop that reads each event and keeps the
 * latest value of every series (the least any rule engine must do).
 * Prints figures, never gates CI.
 *
 *   node --import tsx bench/rules-backtest.ts [events, default 300000]
 */
import type { ValueMap } from '../firmware/codec/value.js';
import { GENESIS_PREV, type EventEntry } from '../firmware/event/envelope.js';
import { feed } from '../host/rules/feed.js';
import { backtest, type RecordedEvent, RuleEngine } from '../host/rules/index.js';
import { prng, sampleAt, tenRules } from './rule-fixtures.js';

const N = Number(process.argv[2] ?? 300_000);
const T0 = Date.UTC(2026, 0, 5);
const nodes = ['a', 'b', 'c', 'd', 'e'].map((c) => `fz${c.repeat(24)}`);

/**
 * Five nodes taking turns (bench/rule-fixtures.ts's mix), stored in batches
 * of 8. The engine does not verify hashes (the store did), so ids are just unique.
 */
function generate(n: number): RecordedEvent[] {
  const rnd = prng(7);
  const seq = new Map<string, number>();
  const out: RecordedEvent[] = [];
  for (let i = 0; i < n; i++) {
    const node = nodes[i % nodes.length];
    const time = T0 + i * 200;
    const s = (seq.get(node) ?? 0) + 1;
    seq.set(node, s);
    const { type, component, data } = sampleAt(i, time, rnd);
    const entry: EventEntry = { id: `e${i.toString(36).padStart(15, '0')}`, type, source: `${node}/${component}`, time, seq: s, prev: GENESIS_PREV, data };
    out.push({ entry, receivedAt: T0 + Math.ceil((i + 1) / 8) * 8 * 200 });
  }
  return out;
}

const rules = tenRules(nodes);

/** The baseline: read every event and keep the latest value of each series. */
function baseline(events: readonly RecordedEvent[]): number {
  const latest = new Map<string, unknown>();
  for (const { entry } of events) {
    const d = entry.data as ValueMap;
    if (entry.type === 'sensor.reading') latest.set(`${entry.source}/${d.name as string}`, d.value);
  }
  return latest.size;
}

/** Events per second of fn over the events, best of `runs` after a warm-up. */
function rate(fn: () => unknown, runs = 3): number {
  fn();
  let best = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, N / s);
  }
  return best;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
const events = generate(N);
const to = events[events.length - 1].receivedAt + 1;
let together = 0;
const one = rate(() => {
  const engine = new RuleEngine();
  for (const r of rules) engine.addRule(r);
  together = 0;
  feed([engine], events, { until: to, exclusive: true, startAt: T0 }, (_, fs) => (together += fs.length));
});
let apart = 0;
const each = rate(() => {
  apart = 0;
  for (const r of rules) apart += backtest(r, events, { from: T0, to }).firings.length;
});
const base = rate(() => baseline(events));
console.log(`\nRules backtest: ${fmt(N)} generated events (5 nodes, ${((to - T0) / 3_600_000).toFixed(1)} h of readings), 10 rules`);
console.log(`   one engine with the 10 rules, one pass: ${fmt(one)} events/s, ${fmt(together)} firings   (goal ≥ 200,000)`);
console.log(`   backtest() of each rule, 10 passes:     ${fmt(each)} events/s through all 10, ${fmt(apart)} firings`);
console.log(`   baseline loop (latest value per series): ${fmt(base)} events/s`);
console.log(`   one pass / baseline: ${(one / base).toFixed(3)}`);
