import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { killHard, type ScriptChild } from '../helpers/child-process.js';
import { asOwner, cbor, crypto, post, tempDir, TestNode } from '../hub/helpers.js';
import { startCrashHub } from './hub-child.js';

const T0 = 1_767_225_600_000;
const rule = {
  id: 'relay-when-warm',
  name: 'Relay on when the lab is warm',
  triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 21, hysteresis: 0.5 }],
  actions: [{ kind: 'output', node: 'lab', output: 'relay', op: 'on' }],
};

/** What the hub's chain and queue hold of the rule's work. */
function work(c: Cartridge, hub: string) {
  const own = [...c.chain(hub)];
  return {
    fired: own.filter((e) => e.type === 'system.rule.fired'),
    requested: own.filter((e) => e.type === 'effect.requested'),
    commands: c.commands.list(),
  };
}

describe('crash matrix: kill -9 of the hub during a rule firing', () => {
  it('a firing killed before its commit leaves nothing half done, and nothing is carried out twice after the restart', { timeout: 60_000 }, async (t) => {
    const tmp = tempDir('fazt-crash-rule-');
    const file = join(tmp.dir, CARTRIDGE_FILE);
    const node = new TestNode(0x62);
    const hubs: ScriptChild[] = [];
    try {
      const setup = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, rules: true, log: () => undefined });
      const { url: setupUrl } = asOwner(setup, await setup.start());
      const hubId = setup.hubLog.id;
      setup.cartridge.addNode(node.identity.publicKey, { name: 'lab', board: 'esp32-devkitc' });
      node.record('system.boot', 'system', { outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] }, T0);
      assert.equal((await post(`${setupUrl}/v1/uplink`, cbor(node.batch(1, 1)))).status, 200);
      const added = await post(`${setupUrl}/v1/rules`, JSON.stringify(rule), 'application/json');
      assert.equal(added.status, 201, JSON.stringify(added.body));
      await setup.stop();

      let acked = 1;
      const uplink = async (url: string, first: number, last: number) => {
        const res = await fetch(`${url}/v1/uplink`, {
          method: 'POST',
          body: cbor(node.batch(first, last)),
          headers: { 'content-type': 'application/cbor' },
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { ack?: number; commands?: { id: string }[] };
        assert.equal(res.status, 200, JSON.stringify(body));
        acked = Math.max(acked, body.ack ?? 0);
        return body;
      };

      // The readings cross 21 °C: the rule fires and its command is queued inside the firing's transaction, where the kill lands.
      const h1 = await startCrashHub(tmp.dir, 'firing', ['--rules']);
      hubs.push(h1);
      node.append(20); // 20.0 … 21.9 °C
      const sent = uplink(h1.url, 2, 21).catch((e: unknown) => e);
      const held = await h1.line(/holding firing (\S+)/, 'the hub inside the firing');
      await killHard(h1.proc);
      t.diagnostic(`the batch that fired it: ${String(await sent)}`);
      let c = Cartridge.open(file);
      try {
        const w = work(c, hubId);
        assert.deepStrictEqual([w.fired.length, w.requested.length, w.commands.length], [0, 0, 0], `nothing of the firing (${held[1]}) was committed`);
        assert.equal(c.head(node.id)?.seq, 21, "the node's batch was committed before the rules ran");
      } finally {
        c.close();
      }

      // Restarted: the node sends the batch it got no answer for again, then more warm readings (no new crossing).
      const h2 = await startCrashHub(tmp.dir, '', ['--rules']);
      hubs.push(h2);
      node.append(5); // 22.0 … 22.4 °C
      const reply = await uplink(h2.url, 2, 26);
      await killHard(h2.proc);
      c = Cartridge.open(file);
      try {
        assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
        const heads = verifyStoredChains(c, crypto);
        assert.equal(heads.find((h) => h.node === node.id)?.seq, acked);
        assert.deepStrictEqual([...c.chain(node.id)], node.entries, "every one of the node's events, once");
        const w = work(c, hubId);
        // At most once: the restart replays the log and takes what it decides again as carried out when first
        // decided, so the firing the kill cut off is not redone, and the resent batch (stored already) fires nothing.
        assert.deepStrictEqual(
          [w.fired.length, w.requested.length, w.commands.length, reply.commands ?? []],
          [0, 0, 0, []],
          'no firing, request or command appears after the restart, so none can reach the node twice',
        );
        t.diagnostic(
          `killed with command ${held[1]} queued inside the uncommitted firing; after the restart: ${w.fired.length} firings, ${w.commands.length} commands`,
        );
      } finally {
        c.close();
      }
    } finally {
      for (const h of hubs) await killHard(h.proc);
      tmp.cleanup();
    }
  });
});
