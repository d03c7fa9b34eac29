import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RuleEngine } from '../../host/rules/index.js';
import { dailySchedule, nextFire, parseCron, type Schedule } from '../../host/rules/schedule.js';
import { describeInstant, Zone } from '../../host/rules/zoned-time.js';
import { rule } from './rule-log.js';

/** The next n firings after `from`, as local times with their offsets. */
function fires(s: Schedule, zone: string, from: string, n: number): string[] {
  const z = new Zone(zone);
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    t = nextFire(s, z, t) as number;
    out.push(describeInstant(z, t).replace(` ${zone}`, ''));
  }
  return out;
}

describe('schedules across daylight-saving changes (Intl, RFC 5545 resolution)', () => {
  it('a daily 02:30 in Berlin fires once on the night the clock jumps 02:00→03:00, at 03:30 after the jump', () => {
    assert.deepEqual(fires(dailySchedule('02:30'), 'Europe/Berlin', '2026-03-27T12:00:00Z', 3), [
      '2026-03-28 02:30:00+01:00',
      '2026-03-29 03:30:00+02:00',
      '2026-03-30 02:30:00+02:00',
    ]);
  });

  it('a daily 02:30 fires once, at the first occurrence, on the night 02:00–03:00 repeats', () => {
    assert.deepEqual(fires(dailySchedule('02:30'), 'Europe/Berlin', '2026-10-24T12:00:00Z', 3), [
      '2026-10-25 02:30:00+02:00',
      '2026-10-26 02:30:00+01:00',
      '2026-10-27 02:30:00+01:00',
    ]);
  });

  it('a daily 07:00 stays at 07:00 local on both sides of a change (23 h and 25 h apart in UTC)', () => {
    const z = new Zone('America/New_York');
    const s = dailySchedule('07:00');
    // The US changes on 8 March and 1 November 2026.
    const a = nextFire(s, z, Date.parse('2026-03-06T15:00:00Z')) as number;
    const b = nextFire(s, z, a) as number;
    const c = nextFire(s, z, Date.parse('2026-10-30T15:00:00Z')) as number;
    const d = nextFire(s, z, c) as number;
    assert.deepEqual(
      [a, b, c, d].map((t) => new Date(t).toISOString()),
      ['2026-03-07T12:00:00.000Z', '2026-03-08T11:00:00.000Z', '2026-10-31T11:00:00.000Z', '2026-11-01T12:00:00.000Z'],
    );
    assert.equal(b - a, 23 * 3_600_000);
    assert.equal(d - c, 25 * 3_600_000);
  });

  it('cron every 30 min: the skipped hour collapses onto the times after the jump, no firing twice', () => {
    assert.deepEqual(fires(parseCron('*/30 * * * *'), 'Europe/Berlin', '2026-03-29T00:00:00Z', 4), [
      '2026-03-29 01:30:00+01:00',
      '2026-03-29 03:00:00+02:00',
      '2026-03-29 03:30:00+02:00',
      '2026-03-29 04:00:00+02:00',
    ]);
  });

  it('cron every 30 min: the repeated hour fires once per wall-clock time', () => {
    assert.deepEqual(fires(parseCron('*/30 * * * *'), 'Europe/Berlin', '2026-10-24T23:00:00Z', 5), [
      '2026-10-25 01:30:00+02:00',
      '2026-10-25 02:00:00+02:00',
      '2026-10-25 02:30:00+02:00',
      '2026-10-25 03:00:00+01:00',
      '2026-10-25 03:30:00+01:00',
    ]);
  });

  it('cron day fields: both restricted means either (Vixie cron), one restricted means it', () => {
    // The 13th, or any Friday, in February 2026 (the 13th is a Friday).
    assert.deepEqual(fires(parseCron('0 9 13 2 fri'), 'UTC', '2026-02-01T00:00:00Z', 3), [
      '2026-02-06 09:00:00+00:00',
      '2026-02-13 09:00:00+00:00',
      '2026-02-20 09:00:00+00:00',
    ]);
    assert.deepEqual(fires(parseCron('0 9 * * 1-5'), 'UTC', '2026-01-09T10:00:00Z', 2), ['2026-01-12 09:00:00+00:00', '2026-01-13 09:00:00+00:00']);
    assert.deepEqual(fires(dailySchedule('08:15', ['sat', 'sun']), 'UTC', '2026-01-05T00:00:00Z', 2), [
      '2026-01-10 08:15:00+00:00',
      '2026-01-11 08:15:00+00:00',
    ]);
  });

  it('bad cron fields are refused with the field named', () => {
    assert.throws(() => parseCron('61 * * * *'), /minute: '61' is outside 0-59/);
    assert.throws(() => parseCron('* * * *'), /has 4 fields/);
    assert.throws(() => parseCron('0 0 30 2 *'), /names no date that exists/);
    assert.throws(() => parseCron('0 0 * * funday'), /day of week: 'funday' is not a number/);
  });

  it('an unknown zone is refused', () => {
    assert.throws(() => new Zone('Mars/Olympus'), /'Mars\/Olympus' is not an IANA time zone/);
  });
});

describe('time triggers and conditions in the engine', () => {
  it('a time trigger in Berlin fires at local 07:00 on each side of the spring change', () => {
    const e = new RuleEngine({ timeZone: 'Europe/Berlin' });
    e.addRule(rule({ triggers: [{ kind: 'time', at: '07:00' }] }));
    e.advanceTo(Date.parse('2026-03-28T00:00:00Z'));
    const fired = e.advanceTo(Date.parse('2026-03-30T00:00:00Z')).map((f) => new Date(f.at).toISOString());
    assert.deepEqual(fired, ['2026-03-28T06:00:00.000Z', '2026-03-29T05:00:00.000Z']);
  });

  it('a rule zone overrides the engine zone; a time window wraps past midnight and follows local time across the change', () => {
    const e = new RuleEngine({ timeZone: 'UTC' });
    e.addRule(
      rule({
        timeZone: 'America/New_York',
        triggers: [{ kind: 'cron', cron: '0 * * * *' }],
        conditions: [{ kind: 'time', after: '22:00', before: '02:00' }],
      }),
    );
    e.advanceTo(Date.parse('2026-03-07T12:00:00Z'));
    const hours = e.advanceTo(Date.parse('2026-03-09T12:00:00Z')).map((f) => describeInstant(new Zone('America/New_York'), f.at).slice(0, 25));
    assert.deepEqual(hours, [
      '2026-03-07 22:00:00-05:00',
      '2026-03-07 23:00:00-05:00',
      '2026-03-08 00:00:00-05:00',
      '2026-03-08 01:00:00-05:00',
      '2026-03-08 22:00:00-04:00',
      '2026-03-08 23:00:00-04:00',
      '2026-03-09 00:00:00-04:00',
      '2026-03-09 01:00:00-04:00',
    ]);
  });
});
