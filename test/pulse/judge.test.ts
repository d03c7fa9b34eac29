import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Judge, type JudgeState, loadChecks } from '../../host/pulse/judge.js';
import type { Judgement, PulseMetrics, PulseStatus } from '../../host/pulse/pulse-types.js';

const MIN = 60_000;
const BEAT = 15 * MIN;

/** Only the given checks (the owner's document adds them to the defaults; the defaults are left out here). */
function judgeOf(...docs: Record<string, unknown>[]): Judge {
  const ids = docs.map((d) => d.id);
  return new Judge(loadChecks({ checks: docs }).filter((c) => ids.includes(c.id)));
}

const lag = (over: Record<string, unknown> = {}) => ({
  id: 't.lag',
  scope: 'hub',
  metric: 'eventLoopDelayMs',
  warn: 10,
  title: 'Lag',
  text: 'The hub lags {value} ms.',
  fix: 'Wait.',
  ...over,
});

type Figures = Record<string, number>;
function beat(at: number, hub: Figures, nodes: Record<string, Figures> = {}): PulseMetrics {
  const entries = Object.entries(nodes).map(([id, figures]) => [id, { name: `${id} node`, figures, facts: {}, sensors: {} }]);
  return { at, hub, hubFacts: {}, nodes: Object.fromEntries(entries) };
}

/** Judges one hub figure per beat, 15 minutes apart; the statuses and the transitions. */
function run(j: Judge, values: (number | undefined)[], metric = 'eventLoopDelayMs') {
  const rs = values.map((v, i) => j.judge(beat(i * BEAT, v === undefined ? {} : { [metric]: v })));
  return {
    statuses: rs.map((r) => r.verdicts[0].status),
    changes: rs.flatMap((r) => r.transitions.map((t) => `${t.at / BEAT}: ${t.from}→${t.to}`)),
    rs,
  };
}

const H: PulseStatus = 'healthy';
const D: PulseStatus = 'degraded';
const C: PulseStatus = 'critical';

describe('Judge: thresholds with hysteresis', () => {
  it('changes the status once for a value hovering at a threshold', () => {
    const hover = [5, 10.1, 9.9, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7];
    assert.deepEqual(run(judgeOf(lag({ hysteresis: 1 })), hover).changes, ['1: healthy→degraded']);
    // The same values without hysteresis flap at every beat.
    assert.equal(run(judgeOf(lag()), hover).changes.length, 8);
  });

  it('leaves a status only when the value is back past its threshold by the hysteresis, for warn and critical alike', () => {
    const r = run(judgeOf(lag({ warn: 10, critical: 20, hysteresis: 2 })), [5, 10.5, 9.5, 8.5, 7.9, 10.1, 21, 19, 18.1, 17.9, 11, 8]);
    assert.deepEqual(r.statuses, [H, D, D, D, H, D, C, C, C, D, D, H]);
    assert.deepEqual(r.changes, [
      '1: healthy→degraded',
      '4: degraded→healthy',
      '5: healthy→degraded',
      '6: degraded→critical',
      '9: critical→degraded',
      '11: degraded→healthy',
    ]);
  });

  it('mirrors for a figure that is bad below its threshold', () => {
    const disk = lag({ metric: 'diskFreeRatio', direction: 'below', warn: 0.15, critical: 0.05, hysteresis: 0.02 });
    const r = run(judgeOf(disk), [0.5, 0.149, 0.151, 0.169, 0.04, 0.069, 0.071, 0.171], 'diskFreeRatio');
    assert.deepEqual(r.statuses, [H, D, D, D, C, C, D, H]);
  });
});

describe('Judge: pending and keep, in beat time', () => {
  it('reports a worse status only after it held for pending, and starts over when it breaks', () => {
    const r = run(judgeOf(lag({ pending: '30m' })), [5, 11, 11, 11, 5, 11, 5, 11, 11, 11]);
    assert.deepEqual(r.statuses, [H, H, H, D, H, H, H, H, H, D]);
    assert.deepEqual(r.changes, ['3: healthy→degraded', '4: degraded→healthy', '9: healthy→degraded']);
    assert.equal(r.rs[9].verdicts[0].since, 9 * BEAT);
  });

  it('clears a status only after the better one held for keep', () => {
    const r = run(judgeOf(lag({ keep: '30m' })), [11, 5, 5, 11, 5, 5, 5, 9]);
    assert.deepEqual(r.statuses, [D, D, D, D, D, D, H, H]);
    assert.deepEqual(r.changes, ['0: unknown→degraded', '6: degraded→healthy']);
  });

  it('escalates step by step: degraded once worse held for pending, critical once critical did', () => {
    const r = run(judgeOf(lag({ warn: 10, critical: 20, pending: '30m', keep: '15m' })), [5, 25, 15, 25, 25, 25, 15, 5, 5]);
    assert.deepEqual(r.statuses, [H, H, H, D, D, C, C, D, H]);
    assert.deepEqual(r.changes, ['3: healthy→degraded', '5: degraded→critical', '7: critical→degraded', '8: degraded→healthy']);
  });

  it('is healthy, not unknown, while a known figure’s worse level is pending: a lag at start-up that passes says nothing', () => {
    let r = run(judgeOf(lag({ pending: '30m' })), [11, 5, 5]);
    assert.deepEqual([r.statuses, r.changes], [[H, H, H], []]);
    r = run(judgeOf(lag({ pending: '30m' })), [11, 11, 11]);
    assert.deepEqual([r.statuses, r.changes], [[H, H, D], ['2: healthy→degraded']]);
    // A figure that comes back after a beat without it is healthy until its worse level held for pending.
    r = run(judgeOf(lag({ pending: '30m' })), [5, undefined, 11, 11, 11]);
    assert.deepEqual(r.changes, ['1: healthy→unknown', '2: unknown→healthy', '4: healthy→degraded']);
  });

  it('holds a hovering value still when pending covers it', () => {
    assert.deepEqual(run(judgeOf(lag({ pending: '30m' })), [5, 11, 9, 11, 9, 11, 9]).changes, []);
  });
});

describe('Judge: aggregates over a window', () => {
  const agg = (aggregate: string) => lag({ id: `t.${aggregate}`, window: '1h', aggregate });
  const values = (rs: Judgement[], id: string) => rs.map((r) => r.verdicts.find((v) => v.check === id)?.value);

  it('takes the max, min and mean of the samples inside the window, its start included', () => {
    const j = judgeOf(agg('max'), agg('min'), agg('mean'), lag({ id: 't.last' }));
    const { rs } = run(j, [4, 8, 2, 6, 5, 1]);
    assert.deepEqual(values(rs, 't.max'), [4, 8, 8, 8, 8, 8]);
    assert.deepEqual(values(rs, 't.min'), [4, 4, 2, 2, 2, 1]);
    assert.deepEqual(values(rs, 't.mean'), [4, 6, 14 / 3, 5, 5, 4.4]);
    assert.deepEqual(values(rs, 't.last'), [4, 8, 2, 6, 5, 1]);
  });

  it('counts the increase of a counter from the start of the window, a drop counted from 0 (a restart)', () => {
    const { rs } = run(judgeOf(agg('increase')), [100, 103, 105, 2, 4, 4, 10], 'eventLoopDelayMs');
    // Beat 0: the series' first sample, counted whole; beats 1–4: since the oldest sample (the counter existed
    // before, never its whole value); then since the sample at the window's start.
    assert.deepEqual(values(rs, 't.increase'), [100, 3, 5, 7, 9, 6, 10]);
  });

  it('still sees the previous beat when a beat comes a little later than the window is long', () => {
    const j = judgeOf(lag({ metric: 'storeErrors', window: '15m', aggregate: 'increase', warn: undefined, critical: 0 }));
    j.judge(beat(0, { storeErrors: 4 }));
    const r = j.judge(beat(BEAT + 1500, { storeErrors: 6 }));
    assert.equal(r.verdicts[0].value, 2);
    assert.equal(r.status, 'critical');
  });
});

describe('Judge: unknown and the overall status', () => {
  it('says unknown when the figure is absent or not a number, never healthy; overall, the worst known status', () => {
    const j = judgeOf(lag(), lag({ id: 't.disk', metric: 'diskFreeRatio', direction: 'below', warn: 0.15 }));
    let r = j.judge(beat(0, {}));
    assert.deepEqual([r.status, r.verdicts.map((v) => v.status)], ['unknown', ['unknown', 'unknown']]);
    assert.match(r.verdicts[0].text ?? '', /No diskFreeRatio figure from the hub:/);
    assert.equal(r.verdicts[0].value, undefined);
    assert.deepEqual(r.transitions, []);
    r = j.judge(beat(BEAT, { eventLoopDelayMs: 3, diskFreeRatio: Number.NaN }));
    assert.deepEqual([r.status, r.verdicts.map((v) => `${v.check} ${v.status}`)], ['healthy', ['t.disk unknown', 't.lag healthy']]);
    assert.deepEqual(r.transitions, [{ check: 't.lag', subject: 'hub', name: 'the hub', from: 'unknown', to: 'healthy', value: 3, at: BEAT, title: 'Lag' }]);
    r = j.judge(beat(2 * BEAT, { eventLoopDelayMs: 30 }));
    assert.equal(r.status, 'degraded');
    r = j.judge(beat(3 * BEAT, {}));
    assert.deepEqual([r.status, r.transitions.map((t) => `${t.from}→${t.to}`)], ['unknown', ['degraded→unknown']]);
  });

  it('judges a node check on each node; a node without the figure is unknown', () => {
    const j = judgeOf({
      id: 't.rssi',
      scope: 'node',
      metric: 'rssi',
      direction: 'below',
      warn: -80,
      title: 'Signal',
      text: '{name}: {value|dbm}',
      fix: 'Move it.',
    });
    const r = j.judge(beat(0, {}, { a: { rssi: -85 }, b: {}, c: { rssi: -60 } }));
    assert.deepEqual(
      r.verdicts.map((v) => [v.name, v.status, v.text]),
      [
        ['a node', 'degraded', 'a node: -85 dBm'],
        ['b node', 'unknown', 'No rssi figure from b node: “Signal” cannot be judged.'],
        ['c node', 'healthy', undefined],
      ],
    );
    assert.equal(r.status, 'degraded');
    assert.equal(j.judge(beat(BEAT, {}, {})).status, 'unknown');
  });

  it('lists verdicts critical first, then degraded, unknown, healthy, then by check id and name', () => {
    const node = (id: string) => ({ id, scope: 'node', metric: 'bufferFill', warn: 0.5, critical: 0.9, title: id, text: '{value}', fix: '-' });
    const j = judgeOf(node('b.fill'), node('a.fill'));
    const r = j.judge(beat(0, {}, { n1: { bufferFill: 0.1 }, n2: { bufferFill: 0.95 }, n3: { bufferFill: 0.6 }, n4: {}, n0: { bufferFill: 0.2 } }));
    assert.deepEqual(
      r.verdicts.map((v) => `${v.status} ${v.check} ${v.name}`),
      ['critical', 'degraded', 'unknown', 'healthy'].flatMap((s) => {
        const names = { critical: ['n2'], degraded: ['n3'], unknown: ['n4'], healthy: ['n0', 'n1'] }[s] ?? [];
        return ['a.fill', 'b.fill'].flatMap((c) => names.map((n) => `${s} ${c} ${n} node`));
      }),
    );
    assert.deepEqual(
      r.transitions.map((t) => `${t.to} ${t.check} ${t.name}`),
      ['critical a.fill n2 node', 'critical b.fill n2 node', 'degraded a.fill n3 node', 'degraded b.fill n3 node'],
    );
  });
});

describe('Judge: no noise at start, none when a subject leaves', () => {
  const silent = { id: 't.silent', scope: 'node', metric: 'silentRatio', warn: 3, title: 'Silent', text: '{name}', fix: '-' };

  it('says nothing for a first judgement that is healthy or unknown, and says one that is degraded', () => {
    const j = judgeOf(silent, lag());
    let r = j.judge(beat(0, { eventLoopDelayMs: 1 }, { a: { silentRatio: 1 }, b: {} }));
    assert.deepEqual(r.transitions, []);
    r = j.judge(beat(BEAT, { eventLoopDelayMs: 1 }, { a: { silentRatio: 1 }, b: {}, c: { silentRatio: 5 }, d: { silentRatio: 0.5 } }));
    assert.deepEqual(
      r.transitions.map((t) => `${t.subject} ${t.from}→${t.to}`),
      ['c unknown→degraded'],
    );
  });

  it('drops a node that leaves the metrics silently, and starts afresh when it comes back', () => {
    const j = judgeOf(silent, lag({ id: 't.silent-max', scope: 'node', metric: 'silentRatio', window: '1h', aggregate: 'max' }));
    j.judge(beat(0, {}, { gone: { silentRatio: 5 }, b: { silentRatio: 1 } }));
    let r = j.judge(beat(BEAT, {}, { b: { silentRatio: 1 } }));
    assert.deepEqual([r.transitions, r.verdicts.map((v) => v.subject)], [[], ['b', 'b']]);
    assert.ok(!JSON.stringify(j.state()).includes('gone'), 'nothing of the node that left is kept');
    r = j.judge(beat(2 * BEAT, {}, { gone: { silentRatio: 1 }, b: { silentRatio: 1 } }));
    assert.deepEqual(r.transitions, []);
  });
});

describe('Judge: state and restore', () => {
  const checks = () => [
    lag({ warn: 10, critical: 20, hysteresis: 2, pending: '30m', keep: '15m' }),
    lag({ id: 't.errors', metric: 'storeErrors', window: '1h', aggregate: 'increase', warn: 2 }),
    {
      id: 't.heap',
      scope: 'node',
      metric: 'heapLossRatio',
      window: '45m',
      aggregate: 'mean',
      warn: 0.25,
      pending: '15m',
      title: 'Heap',
      text: '{name}',
      fix: '-',
    },
  ];
  const lags = [5, 25, 15, 25, 25, 19, 19, 17, 5, 5, 12, 12, 12, 5];
  const beats = lags.map((l, i) => {
    const nodes: Record<string, Figures> = { a: { heapLossRatio: i < 7 ? 0.1 * (i % 5) : 0.1 } };
    if (i >= 3 && i <= 9) nodes.b = i === 6 ? {} : { heapLossRatio: 0.5 };
    return beat(i * BEAT + (i % 3) * 1000, { eventLoopDelayMs: l, storeErrors: [0, 2, 5, 1, 1, 9, 9, 9, 3, 3, 3, 3, 4, 4][i] }, nodes);
  });

  it('continues a restarted judge exactly where the last one stopped, after any beat', () => {
    const whole = judgeOf(...checks());
    const expected = beats.map((b) => whole.judge(b));
    assert.ok(expected.flatMap((r) => r.transitions).length >= 8, 'the run has transitions to repeat or miss');
    for (let k = 1; k < beats.length; k++) {
      const first = judgeOf(...checks());
      for (const b of beats.slice(0, k)) first.judge(b);
      const stored = JSON.parse(JSON.stringify(first.state())) as JudgeState;
      const restarted = judgeOf(...checks());
      restarted.restore(stored);
      beats.slice(k).forEach((b, i) => assert.deepEqual(restarted.judge(b), expected[k + i], `restored after beat ${k - 1}, beat ${k + i}`));
    }
  });

  it('is plain, compact JSON: no null or undefined, healthy entries left out, samples only as old as the windows need', () => {
    const j = judgeOf(...checks());
    const plain = (x: unknown, path: string): void => {
      if (typeof x === 'string' || typeof x === 'boolean') return;
      if (typeof x === 'number') return assert.ok(Number.isFinite(x), path);
      assert.ok(typeof x === 'object' && x !== null, `${path} is ${x}`);
      for (const [k, v] of Object.entries(x)) plain(v, `${path}/${k}`);
    };
    for (const b of beats) {
      j.judge(b);
      plain(j.state(), '');
      for (const [subject, series] of Object.entries(j.state().samples))
        for (const [metric, samples] of Object.entries(series)) {
          const longest = metric === 'storeErrors' ? 60 * MIN : 45 * MIN;
          assert.ok(samples.filter(([t]) => t < b.at - longest).length <= 1, `${subject} ${metric} keeps one sample before its window at most`);
        }
    }
    const calm = judgeOf(lag());
    calm.judge(beat(0, { eventLoopDelayMs: 1 }));
    calm.judge(beat(BEAT, { eventLoopDelayMs: 2 }));
    assert.deepEqual(calm.state(), { v: 1, at: BEAT, checks: { 't.lag': 0 }, subjects: { hub: 0 }, entries: {}, samples: {} });
  });

  it('refuses a state it did not write and a beat older than the last', () => {
    const j = judgeOf(lag());
    assert.throws(() => j.restore({ v: 2 } as unknown as JudgeState), /judge state: not a state this judge wrote/);
    j.judge(beat(BEAT, {}));
    assert.throws(() => j.judge(beat(0, {})), /a beat at 0 is older than the last one judged \(900000\)/);
  });
});
