import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Judge, loadChecks } from '../../host/pulse/judge.js';
import { addSample, aggregateOf, type Sample } from '../../host/pulse/window.js';

const MIN = 60_000;
const DAY = 1440 * MIN;

describe("Pulse's windows: a run of equal samples kept as its ends", () => {
  it('gives the same increase, max and min at every beat as keeping every sample (counters with repeats, resets, gaps and late beats)', () => {
    let seed = 19;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const windowMs of [15 * MIN, 60 * MIN, DAY]) {
      let all: Sample[] = [];
      let runs: Sample[] = [];
      let value = 0;
      let at = 0;
      for (let beat = 0; beat < 3000; beat++) {
        at += rnd() < 0.05 ? 17 * MIN : rnd() < 0.1 ? 0 : MIN; // mostly a minute apart; a late beat; a beat at the same time
        const r = rnd();
        if (r < 0.03)
          value = 0; // a restart
        else if (r < 0.1) value += 1 + Math.floor(rnd() * 3);
        const v = rnd() < 0.05 ? undefined : value; // a beat without the figure
        all = addSample(all, at, v, windowMs);
        runs = addSample(runs, at, v, windowMs, true);
        if (v === undefined) continue;
        for (const aggregate of ['increase', 'max', 'min'] as const)
          assert.equal(
            aggregateOf(runs, at, windowMs, aggregate, v),
            aggregateOf(all, at, windowMs, aggregate, v),
            `${aggregate} at beat ${beat}, window ${windowMs}`,
          );
      }
      // Runs of about a dozen beats: far fewer samples held over a day.
      if (windowMs === DAY) assert.ok(runs.length < all.length / 2, `${runs.length} samples held against ${all.length}`);
    }
  });

  it('a day of one-minute beats of a node whose counters stay at 0 holds a few samples a figure, not one a beat', () => {
    const j = new Judge(loadChecks());
    const zeros = { gaps: 0, commandsFailed: 0, commandsExpired: 0, reboots: 0, refusedForks: 0, lateBatches: 0 };
    for (let i = 0; i <= 1440; i++) j.judge({ at: i * MIN, hub: {}, hubFacts: {}, nodes: { n1: { name: 'n1', figures: zeros, facts: {}, sensors: {} } } });
    const held = Object.entries(j.state().samples.n1 ?? {});
    assert.deepEqual(held.map(([metric]) => metric).sort(), Object.keys(zeros).sort());
    for (const [metric, samples] of held) assert.ok(samples.length <= 3, `${metric}: ${samples.length} samples held`);
  });

  it('a mean is taken over every sample: a figure judged by its mean keeps them all', () => {
    const doc = {
      checks: [{ id: 't.mean', scope: 'node', metric: 'gaps', aggregate: 'mean', window: '1h', warn: 1, title: 'T', text: 'T {value}.', fix: 'F.' }],
    };
    // Only this check: the default node.gaps (an increase over 24 h) would lengthen the window.
    const j = new Judge(loadChecks(doc).filter((c) => c.id === 't.mean'));
    for (let i = 0; i <= 120; i++) j.judge({ at: i * MIN, hub: {}, hubFacts: {}, nodes: { n1: { name: 'n1', figures: { gaps: 0 }, facts: {}, sensors: {} } } });
    assert.equal(j.state().samples.n1?.gaps.length, 61);
  });
});
