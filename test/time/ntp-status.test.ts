import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ntpStatus } from '../../host/time/ntp-status.js';

describe('ntpStatus', () => {
  it('asks timedatectl only where systemd is init; says how it found out either way', () => {
    const s = ntpStatus();
    if (existsSync('/run/systemd/timesync/synchronized')) assert.deepStrictEqual(s, { synced: true, how: 'systemd-timesyncd' });
    else if (!existsSync('/run/systemd/system')) assert.deepStrictEqual(s, { synced: false, how: 'no NTP status available (not booted with systemd)' });
    else assert.match(s.how, /^timedatectl NTPSynchronized=|^no NTP status available \(no timedatectl/);
  });
});
