import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CARTRIDGE_FILE } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { PRUNED_TYPE } from '../../host/store/retention-pass.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { until } from '../helpers/wait.js';
import { acked, cbor, crypto, post, startHub, tempDir, TestNode } from '../hub/helpers.js';
import { DAY, RECEIVED, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-hub-');
after(() => tmp.cleanup());

describe('the hub runs retention on its schedule', () => {
  it('prunes in small steps while uplinks keep being stored between them; everything acknowledged is there', async () => {
    const dir = tmp.dir;
    const c = Cartridge.open(join(dir, CARTRIDGE_FILE), { clock: () => RECEIVED, crypto });
    const old = storeMixed(c, 61, 6000);
    const fresh = new TestNode(62);
    c.addNode(fresh.identity.publicKey);
    c.close();
    const lines: string[] = [];
    // The old node's readings were received a year before the hub's clock; the fresh node's now.
    const h = await startHub({ dataDir: dir, retention: { keepMs: DAY, firstAfterMs: 1, maxRows: 64 }, log: (l) => lines.push(l) });
    try {
      const order: string[] = [];
      h.hub.onStored((entries) => order.push(entries.some((e) => e.type === PRUNED_TYPE) ? 'summary' : 'other'));
      fresh.append(200);
      let ack = 0;
      for (let s = 1; s <= 200; s += 2) ack = acked(await post(`${h.url}/v1/uplink`, cbor(fresh.batch(s, s + 1))), h.hub, fresh.id).ack as number;
      assert.equal(ack, 200);
      await until(
        () => lines.some((l) => /retention/.test(l)),
        'the pass to end',
        60_000,
        () => lines,
      );
      const first = order.indexOf('summary');
      const last = order.lastIndexOf('summary');
      assert.ok(first >= 0 && order.slice(first, last).includes('other'), 'uplinks were stored between the steps of the pass');
      const store = h.hub.cartridge;
      assert.deepEqual(
        [...store.chain(old.id)].map((e) => e.seq),
        [1, 3002],
      );
      assert.deepEqual([...store.chain(fresh.id)], fresh.entries);
      const heads = verifyStoredChains(store, crypto);
      assert.equal(heads.find((x) => x.node === old.id)?.seq, 6002);
      assert.ok(
        lines.some((l) => l.includes('retention') && l.includes('6000')),
        lines.join('\n'),
      );
    } finally {
      await h.stop();
    }
  });
});
