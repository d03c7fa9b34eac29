import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentFlags } from '../../host/cli/agent-flags.js';
import { UsageError } from '../../host/cli/command.js';

describe('fazt hub --agent-confirm-within', () => {
  it('a duration with its unit becomes agents.confirmWithinMs; absent, the hub keeps its default', () => {
    assert.deepStrictEqual(agentFlags({ 'agent-confirm-within': '90s' }), { agents: { confirmWithinMs: 90_000 } });
    assert.deepStrictEqual(agentFlags({}), {});
  });
  it('a bare number, nonsense or under a second is a usage error naming the flag', () => {
    for (const bad of ['600', 'soon', '0s', '500ms'])
      assert.throws(
        () => agentFlags({ 'agent-confirm-within': bad }),
        (e: unknown) => e instanceof UsageError && /--agent-confirm-within/.test((e as Error).message),
        bad,
      );
  });
});
