import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { HubLog, type HubEventInput } from '../../host/hub/hub-log.js';
import { PerceptEngine } from '../../host/percept/percept-engine.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, TestNode, tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-percept-sync-');
after(() => tmp.cleanup());

/** The hub's chain, noting the connection's PRAGMA synchronous at each append (2 FULL: its own fsync; 1 NORMAL: none). */
class SyncNotingLog extends HubLog {
  readonly appends: { types: string[]; synchronous: number }[] = [];
  constructor(private readonly c: Cartridge) {
    super({ cartridge: c, identity: identityFromSecretKey(new Uint8Array(32).fill(91), crypto), crypto, clock: () => Date.UTC(2026, 0, 1) });
  }
  override appendMany(items: readonly HubEventInput[]): EventEntry[] {
    this.appends.push({ types: items.map((i) => i.type), synchronous: this.c.db.pragma('synchronous', { simple: true }) as number });
    return super.appendMany(items);
  }
}

describe('percepts are committed without an fsync of their own', () => {
  it('a node batch commits synced; the percepts it causes are appended unsynced, and are stored', () => {
    const c = Cartridge.open(`${tmp.dir}/fazt.db`, { clock: () => Date.UTC(2026, 0, 1) });
    const log = new SyncNotingLog(c);
    const engine = new PerceptEngine({ cartridge: c, hubLog: log, clock: () => Date.UTC(2026, 0, 1), options: { tickMs: 0 } });
    try {
      engine.start();
      const node = new TestNode(92);
      c.addNode(node.identity.publicKey);
      let batchSync: number | undefined;
      const stop = c.onStored((entries) => {
        if (batchSync === undefined && entries.some((e) => e.source.startsWith(node.identity.id)))
          batchSync = c.db.pragma('synchronous', { simple: true }) as number;
      });
      node.append(4);
      c.ingestBatch(node.batch(1, 4));
      stop();
      assert.equal(batchSync, 2, 'the node batch was committed with synchronous=FULL (its ack means on disk)');
      const percepts = log.appends.filter((a) => a.types.some((t) => t.startsWith('percept.')));
      assert.ok(percepts.length > 0, `the readings made percepts: ${JSON.stringify(log.appends)}`);
      for (const a of percepts) assert.equal(a.synchronous, 1, `percepts ${a.types.join(', ')} appended with synchronous=NORMAL`);
      assert.equal(c.db.pragma('synchronous', { simple: true }), 2, 'FULL again after them');
      const stored = [...c.chain(log.id)].filter((e) => e.type.startsWith('percept.'));
      assert.equal(
        stored.length,
        percepts.reduce((n, a) => n + a.types.length, 0),
      );
    } finally {
      engine.stop();
      c.close();
    }
  });
});
