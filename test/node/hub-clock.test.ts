import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubClock } from '../../firmware/node/hub-clock.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const BOOT = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** A device clock that booted at BOOT while the hub's reads BOOT + 2 h. */
function rig(mode?: 'rtc' | 'hub', stepThresholdMs?: number) {
  const local = new VirtualClock(BOOT);
  return { local, clock: new HubClock({ local, mode, stepThresholdMs }) };
}

describe('HubClock', () => {
  it("before the first sync: local time, source 'unsynced'", () => {
    const { local, clock } = rig();
    local.delay(1234.7);
    assert.equal(clock.source, 'unsynced');
    assert.equal(clock.synced, false);
    assert.equal(clock.now(), BOOT + 1234, 'whole milliseconds');
    assert.equal(clock.stamp(BOOT + 5), BOOT + 5);
  });

  it('sets offset = hub − midpoint of the exchange, so a 200 ms round trip costs nothing when delays are symmetric', () => {
    const { local, clock } = rig();
    const sentAt = local.now();
    local.delay(100); // the request's way out
    const hubTime = sentAt + 100 + 2 * HOUR; // the hub reads its clock as it answers
    local.delay(100); // the answer's way back
    const step = clock.observe(hubTime, sentAt, local.now());
    assert.deepStrictEqual(step, { source: 'hub', offsetMs: 2 * HOUR, rttMs: 200, stepMs: 2 * HOUR });
    assert.equal(clock.source, 'hub');
    assert.equal(clock.now(), local.now() + 2 * HOUR, 'exact, not off by the 100 ms one way');
    assert.equal(clock.stamp(BOOT), BOOT + 2 * HOUR);
    assert.deepStrictEqual(clock.status(), { mode: 'hub', source: 'hub', offsetMs: 2 * HOUR, driftMs: 2 * HOUR, rttMs: 200, syncs: 1 });
  });

  it('with asymmetric delays the error is at most half the round trip', () => {
    const { local, clock } = rig();
    const sentAt = local.now();
    local.delay(290); // slow out…
    const hubTime = local.now() + 2 * HOUR;
    local.delay(10); // …fast back
    clock.observe(hubTime, sentAt, local.now());
    const error = clock.now() - (local.now() + 2 * HOUR);
    assert.ok(Math.abs(error) <= 150, `error ${error} ms`);
  });

  it('records a step only on the first sync and on corrections beyond the threshold (1 s by default)', () => {
    const { local, clock } = rig();
    const sync = (skew: number) => {
      const at = local.now();
      return clock.observe(at + skew, at, at);
    };
    assert.equal(sync(2 * HOUR)?.stepMs, 2 * HOUR, 'first sync');
    local.delay(60_000);
    assert.equal(sync(2 * HOUR + 400), undefined, '400 ms drift: corrected quietly');
    assert.equal(clock.offsetMs, 2 * HOUR + 400, 'but corrected');
    local.delay(60_000);
    assert.equal(sync(2 * HOUR + 1400), undefined, 'exactly 1 s more: not beyond the threshold');
    local.delay(60_000);
    assert.deepStrictEqual(
      sync(2 * HOUR - 100),
      { source: 'hub', offsetMs: 2 * HOUR - 100, rttMs: 0, stepMs: -1500 },
      'a 1.5 s step back is recorded, with its sign',
    );
    assert.equal(clock.status().syncs, 4);
  });

  it('takes its threshold from the options', () => {
    const { local, clock } = rig('hub', 50);
    clock.observe(local.now() + 10, local.now(), local.now());
    assert.equal(clock.observe(local.now() + 61, local.now(), local.now())?.stepMs, 51);
  });

  it("mode 'rtc': events say 'rtc', time is never moved, the hub's time only measures drift", () => {
    const { local, clock } = rig('rtc');
    assert.equal(clock.source, 'rtc');
    assert.equal(clock.observe(local.now() + 2 * HOUR, local.now() - 10, local.now() + 10), undefined);
    assert.equal(clock.source, 'rtc');
    assert.equal(clock.now(), local.now());
    assert.deepStrictEqual(clock.status(), { mode: 'rtc', source: 'rtc', offsetMs: 0, driftMs: 2 * HOUR, rttMs: 20, syncs: 1 });
  });

  it('refuses bad options and a bad exchange, naming the parameter', () => {
    const local = new VirtualClock(BOOT);
    assert.throws(
      () => new HubClock({ local, mode: 'gps' as 'hub' }),
      (e: unknown) => e instanceof RangeError && /mode/.test(e.message),
    );
    assert.throws(
      () => new HubClock({ local, stepThresholdMs: -1 }),
      (e: unknown) => e instanceof RangeError && /stepThresholdMs/.test(e.message),
    );
    assert.throws(
      () => new HubClock({ local: {} as VirtualClock }),
      (e: unknown) => e instanceof TypeError && /local/.test(e.message),
    );
    const clock = new HubClock({ local });
    assert.throws(
      () => clock.observe(1.5, 0, 0),
      (e: unknown) => e instanceof RangeError && /hubTime/.test(e.message),
    );
    assert.throws(
      () => clock.observe(10, 5, 4),
      (e: unknown) => e instanceof RangeError && /receivedAt/.test(e.message),
    );
    assert.equal(clock.source, 'unsynced', 'a refused exchange sets nothing');
  });
});
