import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../host/cli/command.js';
import { LIMIT_FLAGS, limitFlags } from '../../host/cli/limit-flags.js';

describe('fazt hub limit flags', () => {
  it('set HubOptions.limits: durations in ms, counts as given; none given leaves the defaults', () => {
    assert.deepStrictEqual(
      limitFlags({
        'header-timeout': '5s',
        'request-timeout': '1m',
        'connections-per-address': '16',
        'failed-attempts': '5',
        'stream-buffer': '65536',
        'stream-stall': '10s',
      }),
      {
        limits: {
          headersTimeoutMs: 5000,
          requestTimeoutMs: 60_000,
          connectionsPerAddress: 16,
          failures: 5,
          streamBufferBytes: 65_536,
          streamStallMs: 10_000,
        },
      },
    );
    assert.deepStrictEqual(limitFlags({}), {});
    assert.deepStrictEqual(Object.keys(LIMIT_FLAGS).sort(), [
      'connections-per-address',
      'failed-attempts',
      'header-timeout',
      'request-timeout',
      'stream-buffer',
      'stream-stall',
    ]);
  });
  it('a mistake is a usage error naming the flag', () => {
    for (const [values, flag] of [
      [{ 'connections-per-address': '0' }, /--connections-per-address must be a whole number of at least 1, got 0/],
      [{ 'failed-attempts': 'many' }, /--failed-attempts/],
      [{ 'header-timeout': 'soon' }, /--header-timeout/],
      [{ 'header-timeout': '1m' }, /--header-timeout \(60000 ms\) must not exceed --request-timeout \(30000 ms/],
    ] as const)
      assert.throws(
        () => limitFlags(values),
        (e: unknown) => e instanceof UsageError && flag.test(e.message),
      );
  });
});
