import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { persistedClock } from '../../host/time/persisted-clock.js';
import { Timekeeper } from '../../host/time/timekeeper.js';
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

describe('a persisted estimate across boots', () => {
  const saved = { offsetMs: 600_000, driftPpm: 42, sources: 3, spreadMs: 1, syncedAt: 1_767_225_600_000, bootId: 'boot-a' };
  const identity = identityFromSecretKey(new Uint8Array(32).fill(5), crypto);
  const keeper = (c: Cartridge, bootId: string, system: () => number) =>
    new Timekeeper({ identity, crypto, peers: () => [], mode: 'peers', store: c.clockState, bootId, system });

  it('in the same boot: the offset applies (and the boot id is kept with it)', () => {
    const c = Cartridge.open(join(tmp.dir, 'boot1.db'), { crypto });
    try {
      c.clockState.save(saved);
      assert.deepStrictEqual(c.clockState.load(), saved);
      const t = keeper(c, 'boot-a', () => saved.syncedAt + 60_000);
      assert.equal(t.source(), 'peers');
      assert.equal(t.now(), Math.floor(saved.syncedAt + 60_000 + 600_000 + (42 * 60_000) / 1e6));
      assert.equal(persistedClock(c.clockState, () => saved.syncedAt + 60_000, 'boot-a')(), t.now());
    } finally {
      c.close();
    }
  });

  it('after a reboot: only the drift is kept; the offset waits for a new round', () => {
    const c = Cartridge.open(join(tmp.dir, 'boot2.db'), { crypto });
    try {
      c.clockState.save(saved);
      const local = saved.syncedAt + 60_000;
      const t = keeper(c, 'boot-b', () => local);
      const s = t.status();
      assert.equal(s.source, 'system');
      assert.equal(s.offsetMs, null);
      assert.equal(s.driftPpm, 42, 'the drift learnt before is still reported');
      assert.equal(t.now(), local);
      assert.equal(persistedClock(c.clockState, () => local, 'boot-b')(), local);
    } finally {
      c.close();
    }
  });

  it('a system clock that stepped back behind the last round trusts no offset', () => {
    const c = Cartridge.open(join(tmp.dir, 'boot3.db'), { crypto });
    try {
      c.clockState.save(saved);
      const t = keeper(c, 'boot-a', () => saved.syncedAt - 1000);
      assert.equal(t.source(), 'system');
      assert.equal(t.status().confidence, 0);
    } finally {
      c.close();
    }
  });
});
