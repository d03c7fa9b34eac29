import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlidingFit } from '../../host/percept/sliding-fit.js';

describe('SlidingFit', () => {
  it('holds only its window (and at most a third more) however long the series runs, with the same figures', () => {
    const windowMs = 600_000; // the trend percept's default: 10 minutes
    const fit = new SlidingFit();
    let most = 0;
    const all: { t: number; v: number; id: string }[] = [];
    for (let i = 0; i < 7200; i++) {
      const p = { t: i * 1000, v: 20 + Math.sin(i / 300) * 2, id: `e${i}` };
      all.push(p);
      fit.push(p.t, p.v, p.id, windowMs);
      most = Math.max(most, fit.held);
    }
    // 601 points in a window of 600 s at one a second.
    assert.equal(fit.count, 601);
    assert.ok(most <= Math.ceil((601 * 4) / 3), `held at most ${most} points for a window of 601`);
    const inWindow = all.slice(-601);
    assert.deepEqual(
      Array.from({ length: fit.count }, (_, i) => fit.pointId(i)),
      inWindow.map((p) => p.id),
    );
    const fresh = new SlidingFit();
    for (const p of inWindow) fresh.push(p.t, p.v, p.id, windowMs);
    assert.deepEqual(fit.exact(), fresh.exact());
    assert.ok(Math.abs(fit.slope() - fresh.slope()) < 1e-9 * Math.max(1, Math.abs(fresh.slope())));
    assert.ok(Math.abs(fit.mean() - fresh.mean()) < 1e-9);
    assert.throws(() => fit.pointId(fit.count), RangeError);
  });
});
