import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Value } from '../../firmware/codec/value.js';
import { createPoll } from '../../firmware/uplink/downlink-poll.js';
import { checkAck } from '../../firmware/uplink/signed-ack.js';
import { uplinkResult } from '../../firmware/uplink/transport.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { cbor, crypto, post, startHub, TestNode } from '../hub/helpers.js';

/**
 * The hub's side of the downlink: the command queue in the cartridge
 * (migration 6), enqueue's refusals, the signed answers of POST /v1/uplink
 * and POST /v1/downlink carrying the queue, and commands settled by the
 * node-signed effect events as they are stored.
 */
const HUB_TIME = 1_767_225_600_000;
let now = HUB_TIME;
let h: Awaited<ReturnType<typeof startHub>>;
const relayNode = new TestNode(21);
const bareNode = new TestNode(22);
const stranger = new TestNode(23);

/** Appends an event of the node's own making (TestNode.append makes readings). */
function record(n: TestNode, type: string, component: string, data: Value): void {
  n.entries.push(n.log.append(type, component, data));
}
const boot = (outputs?: Value) => ({ firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1, ...(outputs ? { outputs } : {}) });
const sent = new Map<TestNode, number>();
/** Uplinks what the node has not sent yet; returns the hub's answer, checked against the hub key. */
async function uplink(n: TestNode) {
  const first = (sent.get(n) ?? 0) + 1;
  sent.set(n, n.entries.length);
  const batch = n.batch(first, n.entries.length);
  const r = await post(`${h.url}/v1/uplink`, cbor(batch));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const parsed = uplinkResult(200, JSON.stringify(r.body));
  assert.ok(parsed.ok);
  const c = checkAck(parsed.ack, { node: n.id, head: batch.head, nonce: null }, h.hub.publicKey, crypto);
  assert.ok(c.ok, JSON.stringify(c));
  return c;
}
const later = () => now + 60_000;

before(async () => {
  h = await startHub({ clock: () => now });
  for (const n of [relayNode, bareNode]) h.hub.cartridge.addNode(n.identity.publicKey, { name: n === relayNode ? 'porch' : 'bare', board: 'esp32-devkitc' });
  record(relayNode, 'system.boot', 'node', boot([{ name: 'relay', driver: 'digital-output', pin: 4 }]));
  await uplink(relayNode);
});
after(() => h.stop());

describe('the command queue refuses at enqueue, naming what is wrong', () => {
  it('an unknown node, an output the node lacks (listing its outputs), an op its driver cannot do, a node that declared no outputs', () => {
    const q = h.hub.cartridge.commands;
    assert.throws(() => q.enqueue(stranger.id, { output: 'relay', op: 'on' }, { notAfterMs: later() }), {
      code: 'unknown-node',
      message: new RegExp(`node ${stranger.id} is not enrolled`),
    });
    assert.throws(() => q.enqueue(relayNode.id, { output: 'fan', op: 'on' }, { notAfterMs: later() }), {
      code: 'unknown-output',
      message: new RegExp(`node ${relayNode.id} \\(porch\\) has no output 'fan'; its outputs: relay \\(digital-output\\)`),
    });
    assert.throws(() => q.enqueue(relayNode.id, { output: 'relay', op: 'duty', duty: 0.5 }, { notAfterMs: later() }), {
      code: 'unsupported-op',
      message: /output 'relay' of node .* is a digital-output, which cannot duty \(it can on, off, toggle, pulse\)/,
    });
    assert.throws(() => q.enqueue(bareNode.id, { output: 'relay', op: 'on' }, { notAfterMs: later() }), {
      code: 'unknown-output',
      message: /declared no outputs at its last boot/,
    });
    assert.throws(() => q.enqueue(relayNode.id, { output: 'relay', op: 'pulse' }, { notAfterMs: later() }), { name: 'TypeError', message: /action\.ms/ });
    assert.throws(() => q.enqueue(relayNode.id, { output: 'relay', op: 'on' }, { notAfterMs: now }), {
      name: 'RangeError',
      message: /notAfterMs .* is not in the future/,
    });
    assert.throws(() => q.enqueue(relayNode.id, { output: 'relay', op: 'on' }, { notAfterMs: later(), cause: 'x' }), {
      name: 'TypeError',
      message: /cause must be an event id/,
    });
    assert.deepStrictEqual(q.list(), [], 'nothing was queued');
  });

  it('follows the latest boot: an output the node no longer declares is refused', async () => {
    const n = new TestNode(24);
    h.hub.cartridge.addNode(n.identity.publicKey);
    const q = h.hub.cartridge.commands;
    record(n, 'system.boot', 'node', boot([{ name: 'buzzer', driver: 'buzzer', pin: 5 }]));
    await uplink(n);
    assert.equal(q.enqueue(n.id, { output: 'buzzer', op: 'pulse', ms: 200 }, { notAfterMs: later() }).seq, 1);
    record(n, 'system.boot', 'node', boot());
    await uplink(n);
    assert.throws(() => q.enqueue(n.id, { output: 'buzzer', op: 'on' }, { notAfterMs: later() }), { code: 'unknown-output' });
  });
});

describe('commands travel in signed answers and are settled by the node-signed effect events', () => {
  it('per-node seqs from 1, content ids; the next uplink answer carries them oldest first and marks them delivered', async () => {
    const q = h.hub.cartridge.commands;
    const cause = 'abcdefghijklmnop';
    const c1 = q.enqueue(relayNode.id, { output: 'relay', op: 'on' }, { notAfterMs: later(), cause });
    const c2 = q.enqueue(relayNode.id, { output: 'relay', op: 'pulse', ms: 500 }, { notAfterMs: later() });
    assert.deepStrictEqual([c1.seq, c2.seq, c1.state, c1.cause, c2.cause, c1.node, c1.createdAt], [1, 2, 'queued', cause, null, relayNode.id, HUB_TIME]);
    assert.match(c1.id, /^[a-z2-7]{16}$/);
    record(relayNode, 'sensor.reading', 'relay', { name: 'on', value: false, quality: 'good', time: now });
    const answer = await uplink(relayNode);
    assert.deepStrictEqual(
      answer.commands,
      [c1, c2].map((c) => ({ id: c.id, seq: c.seq, action: c.action, notAfter: c.notAfter })),
    );
    assert.deepStrictEqual(
      q.list({ node: relayNode.id }).map((c) => c.state),
      ['delivered', 'delivered'],
    );
  });

  it("the node's effect.applied and effect.failed settle them (state and the event's id), once; another node's event settles nothing", async () => {
    const q = h.hub.cartridge.commands;
    const [c1, c2] = q.list({ node: relayNode.id });
    // A stranger's event naming the command changes nothing.
    const n = new TestNode(25);
    h.hub.cartridge.addNode(n.identity.publicKey);
    record(n, 'effect.applied', 'relay', { command: c1.id, seq: c1.seq, output: 'relay', op: 'on', value: true });
    assert.equal((await post(`${h.url}/v1/uplink`, cbor(n.batch(1, 1)))).status, 200);
    assert.equal(q.get(c1.id)?.state, 'delivered');

    record(relayNode, 'effect.applied', 'relay', { command: c1.id, seq: c1.seq, output: 'relay', op: 'on', value: true });
    record(relayNode, 'effect.failed', 'relay', { command: c2.id, seq: c2.seq, output: 'relay', op: 'pulse', reason: 'closed', message: 'x' });
    record(relayNode, 'effect.expired', 'downlink', { command: c1.id, seq: c1.seq, notAfter: c1.notAfter });
    const answer = await uplink(relayNode);
    assert.deepStrictEqual(answer.commands, [], 'settled commands are not sent again');
    const stored = [...h.hub.cartridge.chain(relayNode.id)];
    const idOf = (type: string) => stored.find((e) => e.type === type)?.id;
    assert.deepStrictEqual(
      [q.get(c1.id)?.state, q.get(c1.id)?.result, q.get(c2.id)?.state, q.get(c2.id)?.result],
      ['applied', idOf('effect.applied'), 'failed', idOf('effect.failed')],
      'a later event about a settled command changes nothing',
    );
    assert.deepStrictEqual(
      q.list({ state: 'applied' }).map((c) => c.id),
      [c1.id],
    );
  });
});

describe('POST /v1/downlink', () => {
  const nonce = new Uint8Array(16).fill(7);
  const pollOf = (n: TestNode, key = n) => {
    const last = n.entries[n.entries.length - 1];
    const hash = crypto.sha256(new Uint8Array(0));
    return createPoll({ ...key.identity, id: n.id }, { seq: last ? last.seq : 0, hash }, nonce, crypto);
  };

  it('answers a signed poll with the signed form: the stored head as ack, the nonce, the pending commands', async () => {
    const q = h.hub.cartridge.commands;
    now += 1000;
    const c = q.enqueue(relayNode.id, { output: 'relay', op: 'toggle' }, { notAfterMs: later() });
    const r = await post(`${h.url}/v1/downlink`, pollOf(relayNode));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.nonce, Buffer.from(nonce).toString('hex'));
    const parsed = uplinkResult(200, JSON.stringify(r.body));
    assert.ok(parsed.ok);
    const check = checkAck(parsed.ack, { node: relayNode.id, head: crypto.sha256(new Uint8Array(0)), nonce }, h.hub.publicKey, crypto);
    assert.ok(check.ok, JSON.stringify(check));
    assert.deepStrictEqual([parsed.ack.ack, parsed.ack.stored, check.time], [relayNode.entries.length, 0, now]);
    assert.deepStrictEqual(
      check.commands.map((x) => x.id),
      [c.id],
    );
    assert.equal(q.get(c.id)?.state, 'delivered');
  });

  it('refuses a poll signed by another key (401), from a node not enrolled (403), malformed (400), of the wrong type (415)', async () => {
    const refused = async (body: Uint8Array, status: number, code: string, type = 'application/cbor') => {
      const r = await post(`${h.url}/v1/downlink`, body, type);
      assert.deepStrictEqual([r.status, r.body.error?.code], [status, code], JSON.stringify(r.body));
    };
    await refused(pollOf(relayNode, bareNode), 401, 'bad-signature');
    await refused(pollOf(stranger), 403, 'unknown-node');
    await refused(new Uint8Array([0xa1, 0x61, 0x76, 0x01]), 400, 'malformed');
    await refused(new Uint8Array([0xff]), 400, 'indefinite-length');
    await refused(pollOf(relayNode), 415, 'unsupported-media-type', 'application/json');
  });
});

describe('the queue an answer reads', () => {
  it('a command queued by another connection to the cartridge (a CLI beside the hub) reaches the next answer, though the one before found none', async () => {
    const hub = await startHub({ clock: () => now });
    const n = new TestNode(24);
    let cli: Cartridge | undefined;
    try {
      hub.hub.cartridge.addNode(n.identity.publicKey, { name: 'shed', board: 'esp32-devkitc' });
      n.entries.push(n.log.append('system.boot', 'node', boot([{ name: 'relay', driver: 'digital-output', pin: 4 }])));
      const answer = async () => {
        const r = await post(`${hub.url}/v1/uplink`, cbor(n.batch(1, n.entries.length)));
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return (r.body as { commands?: { id: string }[] }).commands ?? [];
      };
      assert.deepStrictEqual(await answer(), [], 'nothing queued');
      // Queued here: known to this connection.
      const mine = hub.hub.cartridge.commands.enqueue(n.id, { output: 'relay', op: 'on' }, { notAfterMs: later() });
      assert.deepStrictEqual(
        (await answer()).map((c) => c.id),
        [mine.id],
      );
      hub.hub.cartridge.commands.settle(n.id, [n.log.append('effect.applied', 'relay', { command: mine.id, seq: mine.seq })]);
      assert.deepStrictEqual(await answer(), [], 'settled: none open');
      // Queued by another connection: this one learns of it by the cartridge's data version.
      cli = Cartridge.open(hub.hub.cartridge.file, { crypto });
      const theirs = cli.commands.enqueue(n.id, { output: 'relay', op: 'off' }, { notAfterMs: Date.now() + 60_000 }); // its own clock
      assert.deepStrictEqual(
        (await answer()).map((c) => c.id),
        [theirs.id],
      );
    } finally {
      cli?.close();
      await hub.stop();
    }
  });
});
