import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../host/cli/command.js';
import { meshFlags } from '../../host/cli/mesh-flags.js';

describe('fazt hub --mesh flags', () => {
  it('--mesh runs rounds in the background, every --mesh-interval', () => {
    assert.deepStrictEqual(meshFlags({}), {});
    assert.deepStrictEqual(meshFlags({ mesh: true }), { mesh: { background: true } });
    assert.deepStrictEqual(meshFlags({ mesh: true, 'mesh-interval': '2m' }), { mesh: { background: true, intervalMs: 120_000 } });
  });
  it('refuses an interval without --mesh, or under a second, naming the flag', () => {
    assert.throws(
      () => meshFlags({ 'mesh-interval': '30s' }),
      (e: unknown) => e instanceof UsageError && /--mesh-interval needs --mesh/.test(e.message),
    );
    assert.throws(
      () => meshFlags({ mesh: true, 'mesh-interval': '500ms' }),
      (e: unknown) => e instanceof UsageError && /--mesh-interval/.test(e.message),
    );
  });
});
