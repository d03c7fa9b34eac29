import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { type JsonValue, toJsonValue } from '../../firmware/codec/json-form.js';
import { idFromHash } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { CommandAction } from '../../firmware/uplink/command-action.js';
import type { DownlinkCommand } from '../../firmware/uplink/signed-ack.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import type { NodeStatus, SimulatedNode } from '../../sim/node/simulated-node.js';
import { XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { ScriptedHub } from './scripted-hub.js';

/**
 * A node of two of the owner's hubs (node config hub + otherHubs), its
 * firmware in XS and on Node: it uplinks to the first, fails over to the
 * second when the first is away, verifies both hubs' answers, and takes
 * each hub's commands by that hub's own seqs. The hubs are in the test's
 * hands (scripted-hub.ts); "replication" is the test copying the head.
 */
const T0 = Date.UTC(2026, 4, 1);
const PIN = 4;
let seed = 0x50;
const nodes: SimulatedNode[] = [];
type Event = NodeStatus['events'][number];

async function rig(runtime: 'xs' | 'node') {
  const clock = new VirtualClock(T0);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed++), nodeCrypto);
  const a = new ScriptedHub(() => Math.floor(clock.now()), identity.publicKey, 0x74);
  const b = new ScriptedHub(() => Math.floor(clock.now()), identity.publicKey, 0x75);
  let board: SimBoard | undefined;
  const config: JsonValue = {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(identity.secretKey),
    hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(a.key.publicKey) },
    otherHubs: [{ url: 'http://127.0.0.1:2', publicKey: toJsonValue(b.key.publicKey) }],
    sensors: [{ name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 }],
    uplink: { batchSize: 16, maxDelayMs: 600_000, downlinkPollMs: 1000 },
    buffer: { budgetBytes: 65_536 },
  };
  const options = {
    name: 'relay-node',
    board: getBoard('esp32-devkitc'),
    clock,
    config,
    uplink: a.uplink,
    downlink: a.downlink,
    otherHubs: [{ uplink: b.uplink, downlink: b.downlink }],
    collect: true,
    wire: (x: SimBoard) => {
      board = x;
    },
  };
  const node: SimulatedNode = runtime === 'xs' ? await XsNode.start(options) : new NodeRuntimeNode(options.name, options);
  nodes.push(node);
  const events: Event[] = [];
  let last: NodeStatus | undefined;
  const run = async (ms: number): Promise<NodeStatus> => {
    const { status } = await node.run(clock.now() + ms);
    events.push(...status.events);
    last = status;
    return status;
  };
  const command = (hub: string, seq: number, action: CommandAction): DownlinkCommand => ({
    id: idFromHash(nodeCrypto.sha256(encodeCbor(['multi-hub', hub, seq, identity.id]))),
    seq,
    action,
    notAfter: Math.floor(clock.now()) + 600_000,
  });
  const applied = () => events.filter((e) => e.type === 'effect.applied').map((e) => (e.data as { command: string }).command);
  const refused = () => events.filter((e) => e.type === 'effect.refused');
  return { a, b, run, command, applied, refused, pin: () => (board as SimBoard).pins.driven(PIN), status: () => last as NodeStatus };
}

for (const runtime of ['xs', 'node'] as const) {
  describe(`a node of two hubs (firmware on ${runtime === 'xs' ? 'XS' : 'Node'})`, () => {
    after(async () => {
      for (const n of nodes.splice(0)) await n.close();
    });

    it('uplinks to the first hub, then to the second when the first is away; both answers verify; each hub’s commands apply once by its own seqs', async () => {
      const r = await rig(runtime);
      await r.run(2000);
      assert.ok(r.a.made.length > 0, 'the first hub answered');
      assert.equal(r.b.made.length, 0, 'the second is not asked while the first answers');
      const fromA = r.command('a', 1, { output: 'relay', op: 'on' });
      r.a.commands = [fromA];
      await r.run(2500);
      assert.equal(r.pin(), 1);

      // The first hub goes away; the second holds what it held (replication) and numbers its own commands from 1.
      r.a.down = true;
      r.b.head = r.a.head;
      const fromB = r.command('b', 1, { output: 'relay', op: 'off' });
      r.b.commands = [fromB];
      await r.run(3000);
      assert.ok(r.b.made.length >= 2, `the second hub answered ${r.b.made.length} times`);
      assert.equal(r.pin(), 0, "the second hub's seq 1 is not a replay of the first's");
      assert.ok(r.b.events('effect.applied').length >= 1, 'the evidence reached the second hub');

      // Back to the first (the second away): its seq 1 again is a replay, its seq 2 is new.
      r.b.down = true;
      r.a.down = false;
      r.a.head = r.b.head;
      await r.run(2500);
      assert.equal(r.pin(), 0, "the first hub's command 1 again is refused as a replay");
      r.a.commands = [fromA, r.command('a', 2, { output: 'relay', op: 'on' })];
      await r.run(2500);
      assert.equal(r.pin(), 1);

      assert.deepStrictEqual(r.applied(), [fromA.id, fromB.id, r.command('a', 2, { output: 'relay', op: 'on' }).id], 'each command applied once');
      assert.deepStrictEqual(r.refused(), [], 'no answer refused: both hubs’ signatures verify');
      const s = r.status();
      assert.ok((s.downlink?.duplicates ?? 0) >= 2, `replays skipped: ${s.downlink?.duplicates}`);
      assert.equal(s.clock.source, 'hub');
    });
  });
}
