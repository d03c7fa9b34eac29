import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XsSession } from '../../sim/xs/xs-session.js';
import { rfc8032Vectors } from '../helpers/vectors.js';

/**
 * XsSession.liveHeapSlots (what bench/node-xs reports): the live heap after a
 * forced full collection, where an exchange's meter also counts the garbage
 * made since the last one. Runs the real xsnap-worker: fails, never skips,
 * when the engine is missing.
 */
const entry = new URL('../xs/entries/moddable-crypto-entry.ts', import.meta.url).pathname;
let xs: XsSession;

describe('the live XS heap after a forced collection', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('is below what the meter counted while garbage was being made, and the same when nothing happened between', async () => {
    // Signing all five vectors makes thousands of short-lived BigInts and arrays.
    const { meter } = await xs.call('vectors', rfc8032Vectors);
    const live = await xs.liveHeapSlots();
    assert.ok(live > 0);
    assert.ok(live < meter.currentHeapCount, `live ${live} < metered ${meter.currentHeapCount}`);
    const again = await xs.liveHeapSlots();
    assert.ok(Math.abs(again - live) <= 16, `${again} vs ${live}: a second collection finds (almost) nothing more`);
  });
});
