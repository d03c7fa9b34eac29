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

const N = Number(process.argv[2] ?? 300_000);
const T0 = Date.UTC(2026, 0, 5);
const nodes = ['a', 'b', 'c', 'd', 'e'].map((c) => `fz${c.repeat(24)}`);

/** A seeded PRNG (mulberry32), so every run replays the same events. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Five nodes taking turns: temperature and humidity every reading, PIR motion
 * now and then, a percept from time to time; stored in batches of 8. The
 * engine does not verify hashes (the store did), so ids are just unique.
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
    const k = rnd();
    let type = 'sensor.reading';
    let component = 'bme280';
    let data: ValueMap;
    if (k < 0.45) data = { name: 'temperature', unit: 'Cel', value: 24 + 4 * Math.sin(i / 5000) + (rnd() - 0.5), quality: 'good', time };
    else if (k < 0.9) data = { name: 'humidity', unit: '%RH', value: 50 + 20 * Math.sin(i / 7000) + rnd(), quality: 'good', time };
    else if (k < 0.98) {
      component = 'pir';
      data = { name: 'motion', value: rnd() < 0.5, quality: 'good', time };
    } else {
      type = 'percept.motion';
      component = 'pir';
      data = { zone: rnd() < 0.5 ? 'hall' : 'desk' };
    }
    const entry: EventEntry = { id: `e${i.toString(36).padStart(15, '0')}`, type, source: `${node}/${component}`, time, seq: s, prev: GENESIS_PREV, data };
    out.push({ entry, receivedAt: T0 + Math.ceil((i + 1) / 8) * 8 * 200 });
  }
  return out;
}

const [A, B, C, D, E] = nodes;
const temp = (node: string) => ({ node, component: 'bme280', name: 'temperature' });
const hum = (node: string) => ({ node, component: 'bme280', name: 'humidity' });
const motion = (node: string) => ({ node, component: 'pir', name: 'motion' });
const notify = [{ kind: 'notify', message: 'x' }];
const rules = [
  { id: 'hot-a', triggers: [{ kind: 'numeric', series: temp(A), above: 27, hysteresis: 0.5, for: '2m' }] },
  { id: 'cold-b', triggers: [{ kind: 'numeric', series: temp(B), below: 21, hysteresis: 0.5, for: '1m' }] },
  { id: 'damp-c', triggers: [{ kind: 'numeric', series: hum(C), above: 68 }], conditions: [{ kind: 'numeric', series: temp(C), above: 22 }] },
  {
    id: 'motion-d',
    mode: 'restart',
    triggers: [{ kind: 'state', series: motion(D), to: true }],
    actions: [...notify, { kind: 'delay', for: '30s' }, ...notify],
  },
  { id: 'still-e', triggers: [{ kind: 'state', series: motion(E), to: false, for: '20s' }] },
  { id: 'hall', cooldown: '1m', triggers: [{ kind: 'event', type: 'percept.*', match: { zone: 'hall' } }] },
  {
    id: 'any-a',
    mode: 'queued',
    max: 3,
    triggers: [{ kind: 'event', type: 'sensor.reading', node: A, component: 'pir' }],
    actions: [...notify, { kind: 'delay', for: '10s' }, ...notify],
  },
  {
    id: 'quarter',
    timeZone: 'Europe/Berlin',
    triggers: [{ kind: 'cron', cron: '*/15 * * * *' }],
    conditions: [{ kind: 'time', after: '06:00', before: '23:00' }],
  },
  { id: 'silent-b', triggers: [{ kind: 'absence', node: B, component: 'pir', for: '30s' }] },
  {
    id: 'either',
    triggers: [{ kind: 'numeric', series: hum(E), below: 35 }],
    conditions: [
      {
        kind: 'or',
        conditions: [
          { kind: 'state', series: motion(E), is: true },
          { kind: 'numeric', series: temp(E), below: 25 },
        ],
      },
    ],
  },
].map((r) => ({ name: r.id, actions: notify, ...r }));

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
