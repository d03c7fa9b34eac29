import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-clock-');
after(() => tmp.cleanup());

describe('ClockStateStore (Cartridge.clockState)', () => {
  it('is empty on a new cartridge; keeps exactly one row, the latest estimate, across reopening', () => {
    const file = join(tmp.dir, 'c.db');
    const c = Cartridge.open(file, { crypto });
    assert.equal(c.clockState.load(), undefined);
    const s1 = { offsetMs: 600_012.25, driftPpm: -37.5, sources: 3, spreadMs: 0.75, syncedAt: 1_767_225_600_000 };
    c.clockState.save(s1);
    assert.deepStrictEqual(c.clockState.load(), s1);
    const s2 = { offsetMs: -42.5, driftPpm: 12, sources: 1, spreadMs: 0, syncedAt: 1_767_225_660_000 };
    c.clockState.save(s2);
    assert.deepStrictEqual(c.clockState.load(), s2);
    assert.equal(c.db.prepare('SELECT count(*) FROM clock_state').pluck().get(), 1);
    c.close();
    const d = Cartridge.open(file, { crypto });
    try {
      assert.deepStrictEqual(d.clockState.load(), s2, 'fractions of a millisecond and negative drift survive');
    } finally {
      d.close();
    }
  });
});
