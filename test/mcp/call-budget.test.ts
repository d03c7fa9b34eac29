import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALLS_PER_MINUTE, CallBudget } from '../../host/mcp/call-budget.js';

describe('CallBudget: tool calls per token per minute', () => {
  it('lets the budget through, refuses the next with the wait, and renews a minute after the window opened', () => {
    let now = 1_000_000;
    const b = new CallBudget(() => now, 3);
    assert.deepStrictEqual([b.take('ta'), b.take('ta'), b.take('ta')], [undefined, undefined, undefined]);
    now += 20_000;
    assert.equal(b.take('ta'), 40_000);
    assert.equal(b.take('tb'), undefined, 'each token has its own');
    now += 40_000;
    assert.equal(b.take('ta'), undefined);
  });
  it('defaults to the documented figure', () => {
    const b = new CallBudget(() => 0);
    for (let i = 0; i < CALLS_PER_MINUTE; i++) assert.equal(b.take('t'), undefined);
    assert.equal(b.take('t'), 60_000);
  });
});
