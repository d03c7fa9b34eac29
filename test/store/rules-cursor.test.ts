import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { tempDir, TestNode } from '../hub/helpers.js';

const T0 = 1_767_225_600_000;
const tmp = tempDir('fazt-rules-cursor-');
after(() => tmp.cleanup());

/** A cartridge with two nodes enrolled, its clock set by the test. */
function open(name: string) {
  const clock = { now: T0 };
  const c = Cartridge.open(join(tmp.dir, name), { clock: () => clock.now });
  const a = new TestNode(0x31);
  const b = new TestNode(0x32);
  c.addNode(a.identity.publicKey);
  c.addNode(b.identity.publicKey);
  a.append(10);
  b.append(10);
  return { c, a, b, clock };
}

const chains = (c: Cartridge) => Object.fromEntries(c.rulesCursor.position().chains);

describe('the rules cursor (migration step 20)', () => {
  it('step 20 is the rules cursor', () => {
    assert.equal(MIGRATIONS.find((m) => m.step === 20)?.name, "rules cursor: how far the rules' decisions are committed");
  });

  it('on a cartridge from before it, every chain starts decided through its head and the timers through the newest head, as the replay took them', () => {
    const file = 'before.db';
    const { c, a, b, clock } = open(file);
    c.ingestBatch(a.batch(1, 4));
    clock.now += 5000;
    c.ingestBatch(b.batch(1, 7));
    // The cartridge as fazt before step 20 left it.
    c.db.exec('DROP TABLE rules_cursor; DROP TABLE rules_clock; DELETE FROM migrations WHERE step = 20');
    c.close();
    const again = Cartridge.open(join(tmp.dir, file));
    try {
      assert.equal(again.db.prepare('SELECT count(*) FROM migrations WHERE step = 20').pluck().get(), 1);
      const p = again.rulesCursor.position();
      assert.deepStrictEqual(Object.fromEntries(p.chains), { [a.id]: 4, [b.id]: 7 });
      assert.equal(p.timers, T0 + 5000);
    } finally {
      again.close();
    }
  });

  it('with no rules attached, a batch is marked decided in the transaction that stores it (rules enabled later do not act on it)', () => {
    const { c, a, b, clock } = open('unattached.db');
    try {
      assert.deepStrictEqual(chains(c), {});
      assert.equal(c.rulesCursor.position().timers, Number.NEGATIVE_INFINITY);
      c.ingestBatch(a.batch(1, 3));
      clock.now += 1000;
      c.ingestMany([a.batch(4, 6), b.batch(1, 2)]);
      assert.deepStrictEqual(chains(c), { [a.id]: 6, [b.id]: 2 });
      assert.equal(c.rulesCursor.position().timers, T0 + 1000);
      c.ingestBatch(a.batch(1, 6)); // a replay stores nothing and moves nothing
      assert.deepStrictEqual(chains(c), { [a.id]: 6, [b.id]: 2 });
    } finally {
      c.close();
    }
  });

  it('attached: what the rules decided is written with the next batch stored, never by a transaction of its own; a mesh page is marked as it is stored', () => {
    const { c, a, b } = open('attached.db');
    try {
      const cursor = c.rulesCursor;
      cursor.attach();
      const fresh = c.ingestBatch(a.batch(1, 3)).fresh;
      assert.deepStrictEqual(chains(c), {}, 'left for the rules to decide on');
      cursor.decided(fresh);
      assert.deepStrictEqual(chains(c), {}, 'not written on its own');
      c.ingestBatch(b.batch(1, 2));
      assert.deepStrictEqual(chains(c), { [a.id]: 3 }, "written in node b's batch's transaction; b's own is the rules' to decide");
      // A paired hub's page: its own rules act on it, so it is decided on here as it is stored.
      c.ingestPage([a.batch(4, 9)]);
      assert.deepStrictEqual(chains(c), { [a.id]: 9 });
      cursor.timersThrough(T0 + 42);
      cursor.decided(c.ingestBatch(b.batch(3, 4)).fresh);
      cursor.detach();
      assert.deepStrictEqual(chains(c), { [a.id]: 9, [b.id]: 4 }, 'detaching writes what was decided');
      assert.equal(cursor.position().timers, T0 + 42);
      cursor.mark(a.id, 2);
      c.db.transaction(() => cursor.flush()).immediate();
      assert.deepStrictEqual(chains(c), { [a.id]: 9, [b.id]: 4 }, 'a position never goes back');
    } finally {
      c.close();
    }
  });
});
