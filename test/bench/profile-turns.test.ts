import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CpuProfile, ProfileTurns, turnCauses } from '../../bench/profile-turns.js';

const hub = 'file:///x/host/hub/hub.ts';
const frame = (functionName: string, url = hub) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
/**
 * (root) → (idle); (root) → timer (node:) → checkpoint (own) → run (a package); (root) → timer → beat (own);
 * (root) → (garbage collector).
 */
const nodes: CpuProfile['nodes'] = [
  { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 7] },
  { id: 2, callFrame: frame('(idle)', '') },
  { id: 3, callFrame: frame('listOnTimeout', 'node:internal/timers'), children: [4, 6] },
  { id: 4, callFrame: frame('checkpoint'), children: [5] },
  { id: 5, callFrame: frame('run', 'file:///x/node_modules/better-sqlite3/lib/methods/wrappers.js') },
  { id: 6, callFrame: frame('beat', 'file:///x/host/pulse/steps.ts') },
  { id: 7, callFrame: frame('(garbage collector)', '') },
];
/** One sample a ms: `runs` of [node, count]. */
function profileOf(runs: [number, number][], startTime = 1_000_000): CpuProfile {
  const samples = runs.flatMap(([id, n]) => Array<number>(n).fill(id));
  return { nodes, startTime, samples, timeDeltas: samples.map(() => 1000) };
}

test('a stretch without an idle sample of at least minMs is a long turn, named by the innermost own frame holding half of it', () => {
  // idle 10, then 60 ms: 40 in the checkpoint's SQLite call, 20 of GC; idle 10; 30 ms of beat (short); idle 5.
  const p = new ProfileTurns(
    profileOf([
      [2, 10],
      [5, 40],
      [7, 20],
      [2, 10],
      [6, 30],
      [2, 5],
    ]),
  );
  const turns = p.stretches(50);
  assert.equal(turns.length, 1);
  const [t] = turns;
  assert.equal(t.ms, 60);
  assert.equal(t.busy, 60);
  assert.equal(t.at, 11); // sample k is taken at (k + 1) ms: the turn's first, the 11th, at 11 ms
  assert.equal(t.cause, 'checkpoint host/hub/hub.ts:1');
  assert.deepEqual(
    t.self.map((s) => [s.frame, s.ms]),
    [
      ['run node_modules/better-sqlite3/lib/methods/wrappers.js:1', 40],
      ['(garbage collector)', 20],
    ],
  );
  // Node's and packages' frames are not the project's: only checkpoint is listed as what the turn ran under.
  assert.deepEqual(
    t.inclusive.map((s) => s.frame),
    ['checkpoint host/hub/hub.ts:1'],
  );
  assert.equal(p.stretches(30).length, 2);
});

test('a turn of mostly garbage collection is named by it; spans of the monotonic clock pick their samples', () => {
  const p = new ProfileTurns(
    profileOf([
      [2, 10],
      [7, 50],
      [6, 10],
      [2, 30],
      [6, 70],
      [2, 10],
    ]),
  );
  // The spans as the probe records them (µs on the profile's clock): the check timer's last run and its late one.
  const turns = p.within([
    { from: 1_008_000, to: 1_072_000 },
    { from: 1_098_000, to: 1_172_000 },
    { from: 990_000, to: 1_050_000 }, // before the profile began: not covered, left out
  ]);
  assert.deepEqual(
    turns.map((t) => [t.cause, t.ms, t.busy]),
    [
      ['beat host/pulse/steps.ts:1', 74, 70],
      ['(garbage collector)', 64, 60],
    ],
  );
  assert.deepEqual(
    turnCauses(turns).map((c) => [c.cause, c.count]),
    [
      ['beat host/pulse/steps.ts:1', 1],
      ['(garbage collector)', 1],
    ],
  );
});

test('a profile whose samples and deltas disagree is refused, naming both counts', () => {
  const bad = { ...profileOf([[2, 3]]), timeDeltas: [1000] };
  assert.throws(() => new ProfileTurns(bad), /3 samples but 1 time deltas/);
});
