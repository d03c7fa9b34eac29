import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { StoredRulesSnapshot } from '../../host/store/rules-snapshot.js';
import { killHard } from '../helpers/child-process.js';
import { asOwner, cbor, post, tempDir, TestNode } from '../hub/helpers.js';
import { WARM_RULE as rule, startCrashHub, T0 } from './hub-child.js';

const count = (c: Cartridge) => c.db.prepare<[], number>('SELECT count(*) FROM entries').pluck().get() as number;
const firings = (c: Cartridge, hub: string) => [...c.chain(hub)].filter((e) => e.type === 'system.rule.fired').length;

describe('crash matrix: kill -9 of the hub while it writes the rules snapshot', () => {
  it('leaves the snapshot before it whole: the next start takes it and replays what came after, carrying nothing out twice', {
    timeout: 60_000,
  }, async () => {
    const tmp = tempDir('fazt-crash-snapshot-');
    const file = join(tmp.dir, CARTRIDGE_FILE);
    const node = new TestNode(0x63);
    // A hub that runs the rule sees 20.1 … 21.0 °C (nothing fires); its clean stop writes the first snapshot.
    const setup = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, rules: true, log: () => undefined });
    let hubId: string;
    try {
      const { url } = asOwner(setup, await setup.start());
      hubId = setup.hubLog.id;
      setup.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      node.record('system.boot', 'system', { outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] }, T0);
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(1, 1)))).status, 200);
      const added = await post(`${url}/v1/rules`, JSON.stringify(rule), 'application/json');
      assert.equal(added.status, 201, JSON.stringify(added.body));
      node.append(10);
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(2, 11)))).status, 200);
    } catch (e) {
      tmp.cleanup();
      throw e;
    } finally {
      await setup.stop();
    }
    const before = Cartridge.open(file);
    let first: StoredRulesSnapshot | undefined;
    let storedThen: number;
    try {
      first = before.rulesSnapshots.latest();
      storedThen = count(before);
    } finally {
      before.close();
    }
    assert.equal(first?.position.get(node.id), 11);

    // A hub child that writes a snapshot after every batch: the readings that cross 21 °C fire the rule
    // (committed), then it is killed inside the next snapshot's transaction.
    const child = await startCrashHub(tmp.dir, 'snapshot', ['--rules', '--snapshot-every', '1']);
    let storedNow: number;
    try {
      node.append(10); // 21.1 … 22.0 °C
      const sent = fetch(`${child.url}/v1/uplink`, {
        method: 'POST',
        body: cbor(node.batch(12, 21)),
        headers: { 'content-type': 'application/cbor' },
        signal: AbortSignal.timeout(10_000),
      }).catch((e: unknown) => e);
      const held = await child.line(/holding snapshot (\S+)/, 'the hub inside the snapshot');
      assert.equal(new Map(JSON.parse(held[1]) as [string, number][]).get(node.id), 21, 'the torn snapshot stood at the new batch');
      await killHard(child.proc);
      await sent;
      const after = Cartridge.open(file);
      try {
        assert.equal(after.db.pragma('integrity_check', { simple: true }), 'ok');
        assert.deepStrictEqual(after.rulesSnapshots.latest(), first, 'the snapshot before the kill, whole');
        assert.equal(firings(after, hubId), 1, 'the crossing fired once, committed before the snapshot was begun');
        storedNow = count(after);
      } finally {
        after.close();
      }
    } catch (e) {
      tmp.cleanup();
      throw e;
    } finally {
      await killHard(child.proc);
    }

    const restarted = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, rules: true, log: () => undefined });
    try {
      const { url: again } = asOwner(restarted, await restarted.start());
      assert.deepStrictEqual(restarted.rules?.started, { from: 'snapshot', replayed: storedNow - storedThen }, 'only what was stored after the snapshot kept');
      node.append(3);
      assert.equal((await post(`${again}/v1/uplink`, cbor(node.batch(22, 24)))).status, 200);
      assert.equal(firings(restarted.cartridge, hubId), 1, 'nothing carried out twice');
      assert.deepStrictEqual(
        restarted.rules?.list().map((r) => [r.id, r.firings]),
        [['relay-when-warm', 1]],
      );
      assert.equal(restarted.cartridge.commands.list().length, 1, 'one command for the one firing');
    } finally {
      await restarted.stop();
      tmp.cleanup();
    }
  });
});
