import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { idFromHash } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import type { CommandAction } from '../../firmware/uplink/command-action.js';
import type { DownlinkCommand } from '../../firmware/uplink/signed-ack.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import type { NodeStatus } from '../../sim/node/simulated-node.js';
import { XsNode } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { type AnswerMode, type Made, replayOf, ScriptedHub } from './scripted-hub.js';

/**
 * The node's end of the downlink, its firmware inside XS, against a hub in
 * the test's hands (scripted-hub.ts) that answers signed, unsigned, forged
 * or replayed. Whatever the node decides is on its own chain, which the
 * hub verifies and keeps.
 */
const T0 = Date.UTC(2026, 3, 1);
const SKEW = 3_600_000; // the hub's clock is an hour ahead of the node's
const PIN = 4;
const POLL_MS = 1000;
let seed = 0x30;
const nodes: XsNode[] = [];

type Event = NodeStatus['events'][number];

/** A node with a relay and its scripted hub; `mode` from the first answer on (the node sends its first batch as it boots). */
async function rig(mode: AnswerMode = 'signed') {
  const clock = new VirtualClock(T0);
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed++), nodeCrypto);
  const hub = new ScriptedHub(() => Math.floor(clock.now()) + SKEW, identity.publicKey);
  hub.mode = mode;
  let board: SimBoard | undefined;
  const config: JsonValue = {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(identity.secretKey),
    hub: { url: 'http://127.0.0.1:1', publicKey: toJsonValue(hub.key.publicKey) },
    sensors: [{ name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 }],
    uplink: { batchSize: 16, maxDelayMs: 600_000, downlinkPollMs: POLL_MS },
    buffer: { budgetBytes: 65_536 },
  };
  const node = await XsNode.start({
    name: 'relay-node',
    board: getBoard('esp32-devkitc'),
    clock,
    config,
    uplink: hub.uplink,
    downlink: hub.downlink,
    collect: true,
    wire: (b) => {
      board = b;
    },
  });
  nodes.push(node);
  const events: Event[] = [];
  let last: NodeStatus | undefined;
  const run = async (ms: number): Promise<NodeStatus> => {
    const { status } = await node.run(clock.now() + ms);
    events.push(...status.events);
    last = status;
    return status;
  };
  const pin = () => (board as SimBoard).pins.driven(PIN);
  const hubNow = () => Math.floor(clock.now()) + SKEW;
  const command = (seq: number, action: CommandAction, notAfter = hubNow() + 60_000): DownlinkCommand => ({
    id: idFromHash(nodeCrypto.sha256(encodeCbor(['test-command', seed, seq]))),
    seq,
    action,
    notAfter,
  });
  const of = (type: string) => events.filter((e) => e.type === type);
  return { hub, node, run, pin, command, of, events, status: () => last as NodeStatus };
}

describe('the node acts only on verified answers from its hub (firmware in XS)', () => {
  after(async () => {
    for (const n of nodes) await n.close();
  });

  it("trusts the hub's time only when the answer's signature verifies: unsigned and forged answers leave it unsynced, each refusal on its chain", async () => {
    const r = await rig('unsigned');
    await r.run(3000);
    r.hub.mode = 'forged';
    await r.run(3000);
    assert.ok(r.hub.made.length >= 4, `answers made: ${r.hub.made.length}`);
    assert.equal(r.status().clock.syncs, 0, 'no answer moved the clock');
    assert.ok(
      r.events.every((e) => e.clock === 'unsynced'),
      'every event still stamped by the unsynced local clock',
    );
    assert.deepStrictEqual(
      r.of('effect.refused').map((e) => (e.data as { reason: string }).reason),
      ['unsigned', 'bad-signature'],
      'each reason recorded once while answers carry no command',
    );
    r.hub.mode = 'signed';
    await r.run(3000);
    const sync = r.of('system.clock');
    assert.equal(sync.length, 1);
    assert.ok(Math.abs((sync[0].data as { offsetMs: number }).offsetMs - SKEW) <= 50, JSON.stringify(sync[0].data));
    assert.equal(r.status().clock.source, 'hub');
    assert.ok(r.hub.events('effect.refused').length === 2, 'the refusals reached the hub on the chain');
  });

  it('a forged answer and an unsigned answer carrying a command are refused, naming the command; the relay does not move', async () => {
    const r = await rig();
    await r.run(2000);
    const c = r.command(1, { output: 'relay', op: 'on' });
    r.hub.commands = [c];
    r.hub.mode = 'forged';
    await r.run(2500);
    r.hub.mode = 'unsigned';
    await r.run(2500);
    assert.equal(r.pin(), 0);
    const refused = r.of('effect.refused').map((e) => e.data as { reason: string; commands: string[] });
    assert.ok(refused.length >= 4, `${refused.length} refusals`);
    assert.ok(refused.some((d) => d.reason === 'bad-signature') && refused.some((d) => d.reason === 'unsigned'));
    assert.ok(refused.every((d) => d.commands.length === 1 && d.commands[0] === c.id));
    assert.equal(r.of('effect.applied').length, 0);
    r.hub.mode = 'signed';
    await r.run(2500);
    assert.equal(r.pin(), 1, 'the genuine answer switches it');
    assert.equal(r.of('effect.applied').length, 1);
  });

  it("a replayed answer (a poll's signed answer, recorded and sent to a later request) is refused as a replay and not acted on", async () => {
    const r = await rig();
    await r.run(2000);
    assert.equal(r.status().bufferBytes, 0, 'nothing to send: the next exchange is a poll');
    const c = r.command(1, { output: 'relay', op: 'on' });
    r.hub.commands = [c];
    let recorded: Made | undefined;
    r.hub.intercept = (made) => {
      if (!recorded && made.to === 'poll') {
        recorded = made;
        return { error: 'connection reset' }; // the man in the middle keeps the answer
      }
      if (recorded) return replayOf(recorded); // …and plays it back to the next request
      return undefined;
    };
    await r.run(POLL_MS * 2 + 100);
    assert.equal(r.pin(), 0);
    const refused = r.of('effect.refused').map((e) => e.data as { reason: string; commands: string[] });
    assert.deepStrictEqual(
      refused.map((d) => [d.reason, d.commands]),
      [['replay', [c.id]]],
    );
    assert.equal(r.of('effect.applied').length, 0);
  });

  it('an expired command is recorded as expired, a duplicated one applied once, and the node refuses what it cannot do even when the hub signed it', async () => {
    const r = await rig();
    await r.run(2000);
    const expired = r.command(1, { output: 'relay', op: 'on' }, r.command(0, { output: 'relay', op: 'on' }).notAfter - 120_000);
    const on = r.command(2, { output: 'relay', op: 'on' });
    const fan = r.command(3, { output: 'fan', op: 'on' });
    const duty = r.command(4, { output: 'relay', op: 'duty', duty: 0.5 });
    const bad = { ...r.command(5, { output: 'relay', op: 'on' }), action: { output: 'relay', op: 'explode' } } as unknown as DownlinkCommand;
    r.hub.commands = [on, expired, fan, duty, bad]; // out of order: the node takes them by seq
    await r.run(POLL_MS * 6);
    assert.ok(r.hub.made.filter((m) => m.fields.commands.length > 0).length >= 3, 'the hub sent the same commands again and again');
    assert.deepStrictEqual(
      r.events
        .filter((e) => e.type.startsWith('effect.'))
        .map((e) => [e.type, (e.data as { seq: number }).seq, (e.data as { reason?: string }).reason ?? null]),
      [
        ['effect.expired', 1, null],
        ['effect.applied', 2, null],
        ['effect.refused', 3, 'unknown-output'],
        ['effect.refused', 4, 'unsupported-op'],
        ['effect.refused', 5, 'bad-action'],
      ],
    );
    assert.deepStrictEqual(r.of('effect.expired')[0].data, { command: expired.id, seq: 1, notAfter: expired.notAfter });
    assert.deepStrictEqual(r.of('effect.applied')[0].data, { command: on.id, seq: 2, output: 'relay', op: 'on', value: true });
    assert.equal(r.of('effect.applied')[0].component, 'relay');
    assert.equal(r.pin(), 1);
    assert.ok((r.status().downlink?.duplicates ?? 0) >= 5, JSON.stringify(r.status().downlink));
    assert.equal(r.status().downlink?.lastSeq, 5);
    const onHub = r.hub.stored.filter((e) => e.type.startsWith('effect.')).map((e) => e.id);
    assert.equal(onHub.length, 5, 'every outcome reached the hub on the chain');
  });
});
