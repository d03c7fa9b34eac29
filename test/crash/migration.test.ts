import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { openCartridge } from '../../host/store/open-cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard, spawnScript } from '../helpers/child-process.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';
import { openOldLayout, readOld, storeOld } from '../store/old-layout.js';

const child = new URL('./fixtures/store-child.ts', import.meta.url).pathname;
const PER_NODE = 1200;

/** The steps recorded and the tables present, read without migrating. */
function layout(file: string): { steps: number[]; tables: string[] } {
  const db = openCartridge(file, { migrate: false });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    return {
      steps: db.prepare('SELECT step FROM migrations ORDER BY step').pluck().all() as number[],
      tables: db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

describe('crash matrix: kill -9 during a migration', () => {
  it('a step killed mid-transaction is not applied at all; the next start applies it and the rest; every entry once, every chain verifies', {
    timeout: 60_000,
  }, async (t) => {
    const tmp = tempDir('fazt-crash-migration-');
    try {
      const file = join(tmp.dir, 'fazt.db');
      const nodes = [new TestNode(71), new TestNode(72)];
      const old = openOldLayout(file);
      for (const n of nodes) storeOld(old, { id: n.id, publicKey: n.identity.publicKey }, n.append(PER_NODE));
      old.close();
      const tables7 = layout(file).tables;

      // Step 8 rewrites every event into `entries`; step 11 backfills the rollups from them.
      const killedIn: number[] = [];
      for (const step of [8, 11]) {
        const before = layout(file);
        const c = spawnScript(child, ['migrate', file], { FAZT_CRASH_AT: `migration:${step}` });
        try {
          await c.line(new RegExp(`holding migration ${step}`), `the child inside step ${step}`);
        } finally {
          await killHard(c.proc);
        }
        killedIn.push(step);
        const after = layout(file);
        assert.ok(!after.steps.includes(step), `step ${step} is not recorded`);
        assert.deepStrictEqual(
          after.steps,
          MIGRATIONS.map((m) => m.step).filter((s) => s < step),
          `the steps before ${step} were committed, each in its own transaction`,
        );
        if (step === 8) {
          assert.deepStrictEqual(after.tables, tables7, 'nothing of step 8 is left: no entries table, the events table as it was');
          const db = openOldLayout(file);
          try {
            for (const n of nodes)
              assert.deepStrictEqual(
                readOld(db, n.id).map((r) => r.entry),
                n.entries,
                'the old layout still holds every event',
              );
          } finally {
            db.close();
          }
        } else {
          assert.ok(!after.tables.includes('reading_rollups'), 'nothing of step 11 is left');
          assert.notDeepStrictEqual(after.steps, before.steps, 'steps 8..10 went in on the second start');
        }
      }

      // The next start completes it.
      const done = spawnScript(child, ['migrate', file]);
      await done.line(/^done$/m, 'the migration to finish');
      await killHard(done.proc);
      assert.deepStrictEqual(
        layout(file).steps,
        MIGRATIONS.map((m) => m.step),
      );
      const c = Cartridge.open(file);
      try {
        const heads = verifyStoredChains(c, crypto);
        for (const n of nodes) {
          assert.deepStrictEqual([...c.chain(n.id)], n.entries, `${n.id}: every entry once, as the node signed it`);
          assert.equal(heads.find((h) => h.node === n.id)?.seq, PER_NODE);
        }
        const rolled = c.db.prepare('SELECT sum(count) FROM reading_rollups WHERE width = 60000').pluck().get();
        assert.equal(rolled, nodes.length * PER_NODE, 'the rollups were backfilled once, from every reading');
      } finally {
        c.close();
      }
      t.diagnostic(`killed inside steps ${killedIn.join(', ')}; ${nodes.length * PER_NODE} events migrated once`);
    } finally {
      tmp.cleanup();
    }
  });
});
