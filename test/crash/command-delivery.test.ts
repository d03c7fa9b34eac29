import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { memoryPreferences } from '../../hal/contracts/preferences.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub-wiring.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import type { NodeStatus } from '../../sim/node/simulated-node.js';
import { httpDownlink, httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { killHard, type ScriptChild } from '../helpers/child-process.js';
import { tempDir } from '../hub/helpers.js';
import { startCrashHub } from './hub-child.js';

const T0 = Date.UTC(2026, 5, 1);
const PIN = 4;

describe('crash matrix: kill -9 of the hub during command delivery', () => {
  it("killed after marking a command delivered, then while storing the node's evidence: the node (XS, its flash kept) applies it once, though the hub sends it again", {
    timeout: 90_000,
  }, async (t) => {
    const tmp = tempDir('fazt-crash-downlink-');
    const file = join(tmp.dir, CARTRIDGE_FILE);
    const identity = identityFromSecretKey(new Uint8Array(32).fill(0x61), nodeCrypto);
    // The hub's key and the node's enrolment, made once in process; from here the hub runs only as a child.
    const setup = new Hub({ dataDir: tmp.dir, host: '127.0.0.1', port: 0, log: () => undefined });
    await setup.start();
    const hubKey = setup.publicKey;
    setup.cartridge.addNode(identity.publicKey, { name: 'relay', board: 'esp32-devkitc' });
    await setup.stop();

    let url = 'http://127.0.0.1:1';
    const acks: number[] = [];
    const replies: string[] = [];
    /** The node's way to the hub: every answer it gets is noted (the acknowledged seq, the commands it carried). */
    const noted = (send: (hex: string) => Promise<HttpReply>) => async (hex: string) => {
      const r = await send(hex);
      if ('status' in r && r.status === 200) {
        const body = Buffer.from(r.body).toString();
        replies.push(body);
        const ack = (JSON.parse(body) as { ack?: unknown }).ack;
        if (typeof ack === 'number') acks.push(ack);
      }
      return r;
    };
    const clock = new VirtualClock(T0);
    let board: SimBoard | undefined;
    const node = await XsNode.start({
      name: 'relay',
      board: getBoard('esp32-devkitc'),
      clock,
      config: {
        board: 'esp32-devkitc',
        secretKey: toJsonValue(identity.secretKey),
        hub: { url, publicKey: toJsonValue(hubKey) },
        sensors: [{ name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 }],
        uplink: { batchSize: 16, maxDelayMs: 2000, downlinkPollMs: 1000 },
        buffer: { budgetBytes: 65_536 },
      } as JsonValue,
      uplink: noted(httpUplink(() => url)),
      downlink: noted(httpDownlink(() => url)),
      preferences: memoryPreferences(),
      collect: true,
      wire: (b: SimBoard) => {
        board = b;
      },
    });
    const events: NodeStatus['events'] = [];
    let last: NodeStatus | undefined;
    const run = async (ms: number) => {
      last = (await node.run(clock.now() + ms)).status;
      events.push(...last.events);
    };
    const pin = () => (board as SimBoard).pins.driven(PIN);
    const applied = () => events.filter((e) => e.type === 'effect.applied').length;
    const hubs: ScriptChild[] = [];
    try {
      // 1. The hub marks the command delivered and is killed before its answer leaves.
      const h1 = await startCrashHub(tmp.dir, 'deliver');
      hubs.push(h1);
      url = h1.url;
      await run(3000);
      assert.ok(acks.length > 0, 'the node booted and its boot was acknowledged');
      const queue = Cartridge.open(file); // a second writer beside the hub, as `fazt` commands are
      const command = queue.commands.enqueue(identity.id, { output: 'relay', op: 'toggle' }, { notAfterMs: Date.now() + 600_000 });
      queue.close();
      const polling = run(3000);
      const held = await h1.line(/holding deliver (\S+)/, 'the hub inside the delivery');
      assert.equal(held[1], `${command.id}:${command.seq}`);
      await killHard(h1.proc);
      await polling;
      assert.deepStrictEqual([pin(), applied()], [0, 0], 'the answer never reached the node');

      // 2. Restarted, it sends the command again; the node applies it and its evidence is cut off by the next kill.
      const h2 = await startCrashHub(tmp.dir, 'evidence');
      hubs.push(h2);
      url = h2.url;
      const applying = run(3000);
      await h2.line(/holding evidence/, 'the hub holding the batch with the effect');
      await killHard(h2.proc);
      await applying;
      assert.deepStrictEqual([pin(), applied()], [1, 1], 'applied once: the toggle drove the relay on');

      // 3. The node's power goes too (its evidence was only in RAM); both come back.
      await node.powerCycle();
      const h3 = await startCrashHub(tmp.dir);
      hubs.push(h3);
      url = h3.url;
      await run(8000);
      await killHard(h3.proc);
      const carried = replies.filter((b) => b.includes(command.id)).length;
      assert.ok(carried >= 2, `the restarted hubs sent the command again (${carried} answers carried it)`);
      assert.ok((last?.downlink?.duplicates ?? 0) >= 1, `the rebooted node skipped it as done: ${JSON.stringify(last?.downlink)}`);
      assert.equal(applied(), 1, 'applied once in all');
      assert.equal(pin(), 0, "the rebooted board's relay was not toggled again");

      const c = Cartridge.open(file);
      try {
        assert.equal(c.db.pragma('integrity_check', { simple: true }), 'ok');
        const head = verifyStoredChains(c, nodeCrypto).find((h) => h.node === identity.id);
        assert.ok((head?.seq ?? 0) >= Math.max(...acks), `every acknowledged event is stored: head ${head?.seq}, acknowledged ${Math.max(...acks)}`);
        const rows = c.commands.list({ node: identity.id });
        assert.deepStrictEqual(
          rows.map((r) => [r.id, r.state]),
          [[command.id, 'delivered']],
          'one command; its evidence went with the power, so the hub still offers it until its notAfter',
        );
        t.diagnostic(`3 hub processes, 2 killed; the command carried by ${carried} answers; node head ${head?.seq}, acknowledged ${Math.max(...acks)}`);
      } finally {
        c.close();
      }
    } finally {
      for (const h of hubs) await killHard(h.proc);
      await node.close();
      tmp.cleanup();
    }
  });
});
