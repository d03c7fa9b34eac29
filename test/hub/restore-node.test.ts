import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { dispatch } from '../../host/cli/command.js';
import { restoreCommand } from '../../host/cli/commands/restore.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { NodeStatus, SimulatedNode } from '../../sim/node/simulated-node.js';
import { httpUplink, XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from './helpers.js';

/**
 * README "Backups and restore": a node whose chain moved on after the backup (the lost hub
 * acknowledged more, the node let it go) meets the restored hub, is refused as a gap with
 * the head the hub holds, signs the lost seqs as dropped by itself and carries on. The node
 * is the real firmware, run on Node and inside XS, over HTTP to real hubs.
 */
const T0 = Date.UTC(2026, 2, 1);
const tmp = tempDir('fazt-restore-node-');
after(() => tmp.cleanup());

type Event = NodeStatus['events'][number];

for (const engine of ['node', 'xs'] as const) {
  describe(`a ${engine === 'xs' ? 'XS' : 'Node'} node carries on with a hub restored behind it`, () => {
    it('refused with the gap and the head the hub holds → signs the lost seqs as dropped → its later readings are stored, the gap recorded, the chains verify', async () => {
      const clock = new VirtualClock(T0);
      const dirA = join(tmp.dir, `${engine}-a`);
      const dirB = join(tmp.dir, `${engine}-b`);
      const backup = join(tmp.dir, `${engine}-backup.db`);
      const hubLog: string[] = [];
      const hubOptions = (dataDir: string) => ({
        dataDir,
        host: '127.0.0.1',
        port: 0,
        clock: () => Math.floor(clock.now()),
        pulse: { everyMs: 0 },
        log: (line: string) => void hubLog.push(line),
      });
      const hubA = new Hub(hubOptions(dirA));
      let url = (await hubA.start()).url;
      const identity = identityFromSecretKey(new Uint8Array(32).fill(engine === 'xs' ? 81 : 82), nodeCrypto);
      hubA.cartridge.addNode(identity.publicKey, { name: 'porch', board: 'esp32-devkitc' });
      const replies: { status: number; body: string }[] = [];
      const send = httpUplink(() => url);
      const o = {
        name: 'porch',
        board: getBoard('esp32-devkitc'),
        clock,
        config: {
          board: 'esp32-devkitc',
          secretKey: toJsonValue(identity.secretKey),
          hub: { url, publicKey: toJsonValue(hubA.publicKey) },
          sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
          uplink: { batchSize: 4, maxDelayMs: 2000 },
          buffer: { budgetBytes: 65536 },
        } as JsonValue,
        uplink: async (hex: string) => {
          const r = await send(hex);
          if ('status' in r) replies.push({ status: r.status, body: Buffer.from(r.body).toString() });
          return r;
        },
        collect: true,
        wire: (b: SimBoard) => {
          const m = new Bme280Model(0x76, b.clock);
          m.setValue('temperature', 21.5);
          b.attachI2c(m);
        },
      };
      const node: SimulatedNode = engine === 'xs' ? await XsNode.start(o) : new NodeRuntimeNode('porch', o);
      const events: Event[] = [];
      const run = async (ms: number): Promise<NodeStatus> => {
        const { status } = await node.run(clock.now() + ms);
        events.push(...status.events);
        return status;
      };
      let hubB: Hub | undefined;
      try {
        await run(10_000);
        const atBackup = hubA.cartridge.head(identity.id) as { seq: number; hash: Uint8Array };
        assert.ok(atBackup.seq >= 8, `the node uplinked before the backup (head ${atBackup.seq})`);
        await hubA.cartridge.backup(backup);
        const before = await run(10_000);
        const lost = hubA.cartridge.head(identity.id)?.seq as number;
        assert.ok(lost > atBackup.seq + 4, `acknowledged after the backup: ${atBackup.seq + 1}..${lost}`);
        assert.equal(before.head - before.buffered, lost, 'the node let go of what the hub acknowledged');
        await hubA.stop();

        let out = '';
        const io = { stdin: async () => Buffer.alloc(0), out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
        assert.equal(await dispatch(restoreCommand, [backup, '--data', dirB], ['fazt', 'restore'], io), 0, out);
        hubB = new Hub(hubOptions(dirB));
        url = (await hubB.start()).url;
        const refusedBefore = before.uplink.refusals;

        const status = await run(20_000);
        // The restored hub refused the continuation as a gap, stating the head it holds…
        const refusals = replies.filter((r) => r.status === 409).map((r) => JSON.parse(r.body) as { error: { code: string; message: string; head?: unknown } });
        assert.equal(refusals.length, 1, 'one refusal, then the node recovered');
        assert.equal(refusals[0].error.code, 'gap');
        assert.match(refusals[0].error.message, new RegExp(`stored up to seq ${atBackup.seq}; entries start at seq ${lost + 1}`));
        assert.deepEqual(refusals[0].error.head, { seq: atBackup.seq, hash: toHex(atBackup.hash) });
        const refusedLines = hubLog.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.code === 'refused');
        assert.deepEqual(
          refusedLines.map((r) => [r.status, r.error, r.route]),
          [[409, 'gap', 'POST /v1/uplink']],
          "the hub's log shows the refusal",
        );
        // …the node signed for what it no longer holds, once, and said so on its own chain…
        assert.deepEqual([status.uplink.refusals - refusedBefore, status.uplink.rewinds], [1, 1]);
        const behind = events.filter((e) => e.type === 'system.hub.behind');
        assert.deepEqual(
          behind.map((e) => e.data),
          [{ hubSeq: atBackup.seq, ackedSeq: lost, dropped: lost - atBackup.seq, from: atBackup.seq + 1, to: lost }],
        );
        // …and the hub recorded the node-signed gap and stored everything after it.
        const b = hubB;
        assert.deepEqual(
          b.cartridge.gaps(identity.id).map((g) => [g.from, g.to]),
          [[atBackup.seq + 1, lost]],
        );
        assert.deepEqual(
          hubLog
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .filter((r) => r.code === 'node-gap')
            .map((r) => [r.level, r.node, r.from, r.to]),
          [['warn', identity.id, atBackup.seq + 1, lost]],
          "the hub's log says the node signed the range",
        );
        const stored = b.cartridge.head(identity.id)?.seq as number;
        assert.equal(stored, status.head - status.buffered, 'every reading since is stored');
        assert.ok(stored > lost + 10, `the node kept uplinking (head ${stored})`);
        assert.ok(events.some((e) => e.type === 'sensor.reading' && e.seq > lost));
        const heads = verifyStoredChains(b.cartridge, nodeCrypto);
        assert.equal(heads.find((h) => h.node === identity.id)?.seq, stored, 'the chain verifies across the gap');
        // Pulse counts the range among the node's gaps.
        const figures = b.pulse?.beat().metrics.nodes[identity.id]?.figures;
        assert.deepEqual([figures?.gaps, figures?.dropped], [1, lost - atBackup.seq]);
      } finally {
        await node.close();
        await hubB?.stop();
        await hubA.stop().catch(() => undefined);
      }
    });
  });
}
