import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { durationFlag } from '../../host/cli/duration-flag.js';
import { root } from '../../host/cli/root.js';
import { parseDuration } from '../../host/duration.js';

const never = join(mkdtempSync(join(tmpdir(), 'fazt-dur-')), 'never');
const io = { stdin: async () => Buffer.alloc(0), out: () => {}, err: () => {} };

describe('duration flags need a unit', () => {
  it('every duration flag refuses a bare number, naming the flag, as a usage mistake', async () => {
    const cases: string[][] = [
      ['sim', 'run', 'sim/scenarios/c3-room.json', '--duration', '1'],
      ['sim', 'node', '--for', '5', '--hub-key', 'a'.repeat(64)],
      ['sim', 'node', '--window', '3000', '--hub-key', 'a'.repeat(64)],
      ['start', '--duration', '30', '--data', never],
      ['hub', '--time-poll', '60', '--data', never],
      ['hub', '--beacon', '--listen', '0.0.0.0:0', '--announce', '30', '--data', never],
      ['hub', '--beacon', '--listen', '0.0.0.0:0', '--forget', '300', '--data', never],
      ['hub', '--clock-skew', '+7200', '--data', never],
      ['invite', '--ttl', '3600', '--data', never],
      ['beacon', 'scan', '--timeout', '3'],
      ['chirp', 'listen', '--timeout', '30'],
    ];
    for (const args of cases) {
      const flag = args.find((a, i) => a.startsWith('--') && /^[+-]?\d+$/.test(args[i + 1] ?? '')) as string;
      await assert.rejects(
        dispatch(root, args, ['fazt'], io),
        (e: unknown) => e instanceof UsageError && e.message.startsWith(`${flag} '`) && /needs a unit: \d+ms, \d+s, \d+m, \d+h or \d+d/.test(e.message),
        args.join(' '),
      );
    }
    assert.ok(!existsSync(never), 'a refused command makes no --data folder');
  });
  it('with a unit they are read as before', () => {
    assert.equal(durationFlag('1s', '--duration'), 1000);
    assert.equal(durationFlag('250ms', '--duration'), 250);
    assert.equal(durationFlag('1.5h', '--duration'), 5_400_000);
    assert.throws(
      () => durationFlag('soon', '--for'),
      (e: unknown) => e instanceof UsageError && /--for 'soon' is not a duration/.test(e.message),
    );
  });
  it('scenario files keep bare numbers as milliseconds', () => {
    assert.equal(parseDuration(1500), 1500);
    assert.equal(parseDuration('1500'), 1500);
    assert.throws(() => parseDuration('1500', 'x', { bareMs: false }), /x '1500' needs a unit/);
    assert.throws(() => parseDuration(1500, 'x', { bareMs: false }), /x 1500 needs a unit/);
  });
});
