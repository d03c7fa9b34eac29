/**
 * What the rule benchmarks replay (bench/rules-backtest.ts over generated
 * events, bench/rules.ts over a stored cartridge): five nodes' readings and
 * the ten rules that watch them, the same in both so their figures compare.
 */
import type { ValueMap } from '../firmware/codec/value.js';

/** A seeded PRNG (mulberry32), so every run replays the same events. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Sample {
  type: string;
  component: string;
  data: ValueMap;
}

/**
 * The i-th event of the mix at `time`: temperature and humidity most of the
 * time, PIR motion now and then, a motion percept from time to time.
 */
export function sampleAt(i: number, time: number, rnd: () => number): Sample {
  const k = rnd();
  if (k < 0.45) return reading('bme280', { name: 'temperature', unit: 'Cel', value: 24 + 4 * Math.sin(i / 5000) + (rnd() - 0.5), quality: 'good', time });
  if (k < 0.9) return reading('bme280', { name: 'humidity', unit: '%RH', value: 50 + 20 * Math.sin(i / 7000) + rnd(), quality: 'good', time });
  if (k < 0.98) return reading('pir', { name: 'motion', value: rnd() < 0.5, quality: 'good', time });
  return { type: 'percept.motion', component: 'pir', data: { zone: rnd() < 0.5 ? 'hall' : 'desk' } };
}

function reading(component: string, data: ValueMap): Sample {
  return { type: 'sensor.reading', component, data };
}

/** Ten rules over five nodes' series: every trigger kind, all four modes of running, conditions. */
export function tenRules(nodes: readonly string[]): Record<string, unknown>[] {
  const [A, B, C, D, E] = nodes;
  const temp = (node: string) => ({ node, component: 'bme280', name: 'temperature' });
  const hum = (node: string) => ({ node, component: 'bme280', name: 'humidity' });
  const motion = (node: string) => ({ node, component: 'pir', name: 'motion' });
  const notify = [{ kind: 'notify', message: 'x' }];
  return [
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
}

/**
 * The n-th reading a bench node sends (bench/rules.ts's ingest): temperature,
 * humidity and PIR motion in turn, every 5 s. Temperature swings ±3 °C
 * around 22 °C (a period of 150 readings, each node at its own phase),
 * humidity stays within 45–60 %RH, and every eighth node sees motion in short
 * bursts; so the hundred rules below fire now and then, most never.
 */
export function benchReading(node: number, n: number, time: number): Sample {
  const k = Math.floor(n / 3);
  switch (n % 3) {
    case 0:
      return reading('bme280', {
        name: 'temperature',
        unit: 'Cel',
        value: round(22 + 3 * Math.sin((2 * Math.PI * (k + node * 17)) / 150)),
        quality: 'good',
        time,
      });
    case 1:
      return reading('bme280', { name: 'humidity', unit: '%RH', value: round(52 + 7 * Math.sin(k / 40 + node)), quality: 'good', time });
    default:
      return reading('pir', { name: 'motion', value: node % 8 === 0 && k % 100 < 5, quality: 'good', time });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * A hundred rules over nodes named `names` (at least 32): per node a
 * temperature rule with hysteresis and a for: window (only every fourth node's
 * threshold is ever crossed), a humidity rule with a condition (never true),
 * a motion state rule with a cooldown; and four event patterns.
 */
export function hundredRules(names: readonly string[]): Record<string, unknown>[] {
  const series = (node: string, component: string, name: string) => ({ node, component, name });
  const notify = (message: string) => [{ kind: 'notify', message }];
  const rules: Record<string, unknown>[] = [];
  names.slice(0, 32).forEach((node, i) => {
    rules.push(
      {
        id: `hot-${i}`,
        triggers: [{ kind: 'numeric', series: series(node, 'bme280', 'temperature'), above: i % 4 === 0 ? 24.5 : 30, hysteresis: 0.5, for: '1m' }],
        actions: notify(`${node} is warm`),
      },
      {
        id: `dry-${i}`,
        triggers: [{ kind: 'numeric', series: series(node, 'bme280', 'humidity'), below: 30, hysteresis: 2 }],
        conditions: [{ kind: 'numeric', series: series(node, 'bme280', 'temperature'), above: 18 }],
        actions: notify(`${node} is dry`),
      },
      {
        id: `motion-${i}`,
        cooldown: '10m',
        triggers: [{ kind: 'state', series: series(node, 'pir', 'motion'), to: true }],
        actions: notify(`motion at ${node}`),
      },
    );
  });
  rules.push(
    { id: 'hall', triggers: [{ kind: 'event', type: 'percept.*', match: { zone: 'hall' } }], actions: notify('someone in the hall') },
    { id: 'failed', triggers: [{ kind: 'event', type: 'effect.failed' }], actions: notify('an effect failed') },
    { id: 'bad-reading', triggers: [{ kind: 'event', type: 'sensor.reading', match: { quality: 'bad' } }], actions: notify('a sensor reads bad') },
    {
      id: 'first-motion',
      cooldown: '1h',
      triggers: [{ kind: 'event', type: 'sensor.reading', node: names[0], component: 'pir', match: { value: true } }],
      actions: notify('first motion of the hour'),
    },
  );
  return rules.map((r) => ({ name: r.id, ...r }));
}
