import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { restoreCartridge } from '../../host/store/restore.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard, spawnScript } from '../helpers/child-process.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const child = new URL('./fixtures/store-child.ts', import.meta.url).pathname;

describe('crash matrix: kill -9 during a backup', () => {
  it('the half-written copy is never at the backup name and restore refuses it; the live cartridge keeps every acknowledged event', {
    timeout: 60_000,
  }, async (t) => {
    const tmp = tempDir('fazt-crash-backup-');
    try {
      const file = join(tmp.dir, 'fazt.db');
      const backups = join(tmp.dir, 'backups');
      const out = join(backups, 'fazt-20261207T120000000Z.db');
      mkdirSync(backups);
      const nodes = [new TestNode(81), new TestNode(82), new TestNode(83)];
      const acked = new Map<string, number>();
      const live = Cartridge.open(file);
      const send = (n: TestNode, count: number) => {
        const first = n.entries.length + 1;
        n.append(count);
        for (let f = first; f <= n.entries.length; f += 100) acked.set(n.id, live.ingestBatch(n.batch(f, Math.min(f + 99, n.entries.length))).ack);
      };
      try {
        for (const n of nodes) {
          live.addNode(n.identity.publicKey);
          send(n, 2000);
        }
        const c = spawnScript(child, ['backup', file, out], { FAZT_CRASH_AT: 'backup' });
        let partial: string;
        try {
          const m = await c.line(/holding backup (\S+) (\d+)\/(\d+)/, 'the backup under way');
          partial = m[1];
          assert.ok(Number(m[2]) > 0, `pages were left to copy: ${m[0]}`);
          assert.ok(existsSync(partial), 'the copy is being written');
          // The hub keeps storing while the backup runs.
          for (const n of nodes) send(n, 150);
        } finally {
          await killHard(c.proc);
        }
        assert.notEqual(partial, out);
        assert.ok(!existsSync(out), 'nothing at the backup name');
        assert.deepStrictEqual(
          readdirSync(backups).filter((f) => /^fazt-.*\.db$/.test(f)),
          [],
          'no file that a listing of backups (host/hub/backup-schedule.ts) would take for one',
        );
        await assert.rejects(restoreCartridge(partial, join(tmp.dir, 'restored.db'), { crypto }), (e: Error) => {
          t.diagnostic(`restore of the half-written copy: ${e.message}`);
          return true;
        });
        assert.ok(!existsSync(join(tmp.dir, 'restored.db')), 'the refused restore made nothing');

        // The live cartridge: intact, every acknowledged event once, and it keeps taking batches.
        assert.equal(live.db.pragma('integrity_check', { simple: true }), 'ok');
        const heads = verifyStoredChains(live, crypto);
        for (const n of nodes) {
          assert.equal(heads.find((h) => h.node === n.id)?.seq, acked.get(n.id));
          assert.deepStrictEqual([...live.chain(n.id)], n.entries.slice(0, acked.get(n.id)));
        }
        for (const n of nodes) send(n, 10);

        // A hub whose backup schedule writes to that folder clears the partial copy when it starts.
        const hub = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, log: () => undefined, backups: { everyMs: 3_600_000, keep: 7, dir: backups } });
        await hub.start();
        await hub.stop();
        assert.deepStrictEqual(readdirSync(backups), [], 'the partial copy and its journal were removed at start');

        // The next backup to the same name is whole, and restores.
        const r = await live.backup(out);
        assert.deepStrictEqual(readdirSync(backups), ['fazt-20261207T120000000Z.db']);
        const restored = await restoreCartridge(out, join(tmp.dir, 'restored.db'), { crypto });
        for (const n of nodes) {
          assert.equal(r.heads[n.id], acked.get(n.id));
          assert.equal(restored.heads.find((h) => h.node === n.id)?.seq, acked.get(n.id));
        }
      } finally {
        live.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
});
