import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nobleCrypto as crypto } from '../../firmware/crypto/noble-crypto.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { hubTransport } from '../../firmware/node/hub-transport.js';
import { HubFailover } from '../../firmware/uplink/hub-failover.js';
import { checkAck, signAck } from '../../firmware/uplink/signed-ack.js';
import { checkHubHead, signHubHead } from '../../firmware/uplink/signed-head.js';
import type { Transport, UplinkResult } from '../../firmware/uplink/transport.js';

const ok = (ack: number): UplinkResult => ({ ok: true, ack: { ack, stored: 1 } });
const away: UplinkResult = { ok: false, refused: false, message: 'connect ECONNREFUSED' };
const gap: UplinkResult = { ok: false, refused: true, status: 409, code: 'gap', message: 'holds 3', head: { seq: 3 } };

/** A hub's transport answering what `answer` says now, counting what reached it. */
function hub(answer: () => UplinkResult): Transport & { calls: number } {
  const t = { calls: 0, send: (_b: Uint8Array, done: (r: UplinkResult) => void) => void (t.calls++, done(answer())) };
  return t;
}
const send = (t: Transport) => new Promise<UplinkResult>((r) => t.send(new Uint8Array(1), r));

describe('HubFailover (a node of several hubs)', () => {
  it('sends to the hub reached last, tries the others in order when it is away, and says every hub it missed', async () => {
    let aUp = true;
    let bUp = true;
    const a = hub(() => (aUp ? ok(1) : away));
    const b = hub(() => (bUp ? ok(2) : away));
    const c = hub(() => away);
    const f = new HubFailover([a, b, c]);
    assert.deepStrictEqual(await send(f), ok(1));
    aUp = false;
    assert.deepStrictEqual(await send(f), ok(2));
    assert.equal(f.hub, 1);
    aUp = true;
    assert.deepStrictEqual(await send(f), ok(2), 'the hub reached last comes first');
    assert.deepStrictEqual([a.calls, b.calls], [2, 2]);
    aUp = false;
    bUp = false;
    const r = await send(f);
    assert.equal(r.ok, false);
    assert.deepStrictEqual(r, { ok: false, refused: false, message: 'hub 2: connect ECONNREFUSED; hub 1: connect ECONNREFUSED; hub 3: connect ECONNREFUSED' });
  });
  it("takes a gap from a hub that never acknowledged as a hub that has not caught up (no rewind), and passes the acknowledging hub's own gap on", async () => {
    let aUp = true;
    const a = hub(() => (aUp ? ok(5) : gap));
    const b = hub(() => gap);
    const f = new HubFailover([a, b]);
    assert.deepStrictEqual(await send(f), ok(5));
    aUp = false;
    const r = await send(f);
    assert.deepStrictEqual(r, gap, 'the hub that acknowledged refuses: the Uplink judges it (a restored hub)');
    const only = new HubFailover([hub(() => away), b]);
    const lagging = await send(only);
    assert.equal(lagging.ok || lagging.refused, false);
    assert.match((lagging as { message: string }).message, /hub 2 has not caught up with this node's chain/);
  });
  it('is only made for a configuration with more than one hub url', () => {
    const key = new Uint8Array(32).fill(1);
    const made: string[] = [];
    const make = (url: string) => (made.push(url), hub(() => away));
    assert.ok(!(hubTransport({ hub: { url: 'http://a', publicKey: key }, otherHubs: [{ publicKey: key }] }, make) instanceof HubFailover));
    assert.ok(hubTransport({ hub: { url: 'http://a', publicKey: key }, otherHubs: [{ publicKey: key, url: 'http://b' }] }, make) instanceof HubFailover);
    assert.deepStrictEqual(made, ['http://a', 'http://a', 'http://b']);
    assert.throws(() => hubTransport({ hub: { publicKey: key } }, make), /needs hub.url/);
    assert.throws(() => new HubFailover([]), /non-empty array/);
  });
});

describe('several hub keys', () => {
  const node = identityFromSecretKey(new Uint8Array(32).fill(2), crypto);
  const a = identityFromSecretKey(new Uint8Array(32).fill(3), crypto);
  const b = identityFromSecretKey(new Uint8Array(32).fill(4), crypto);
  const stranger = identityFromSecretKey(new Uint8Array(32).fill(5), crypto);
  const head = new Uint8Array(32).fill(6);
  const fields = { node: node.id, ack: 1, stored: 1, time: 1, commands: [], head, nonce: null };
  it('an answer signed by any listed hub verifies, naming the key; another key is refused', () => {
    const byB = checkAck(signAck(fields, b, crypto), { node: node.id, head, nonce: null }, [a.publicKey, b.publicKey], crypto);
    assert.ok(byB.ok);
    assert.deepStrictEqual(byB.hubKey, b.publicKey);
    const byStranger = checkAck(signAck(fields, stranger, crypto), { node: node.id, head, nonce: null }, [a.publicKey, b.publicKey], crypto);
    assert.deepStrictEqual(
      [byStranger.ok, !byStranger.ok && byStranger.message],
      [false, "the acknowledgement's signature does not verify against any of the hub keys"],
    );
    assert.throws(() => checkAck(signAck(fields, a, crypto), { node: node.id, head, nonce: null }, [], crypto), /at least one hub key/);
  });
  it("a signed head from any listed hub is taken; another key's is not", () => {
    const held = { seq: 4, hash: new Uint8Array(32).fill(7) };
    assert.deepStrictEqual(checkHubHead(signHubHead(node.id, held, head, b, crypto), { node: node.id, batch: head }, [a.publicKey, b.publicKey], crypto), {
      ok: true,
      head: held,
    });
    assert.equal(
      checkHubHead(signHubHead(node.id, held, head, stranger, crypto), { node: node.id, batch: head }, [a.publicKey, b.publicKey], crypto).ok,
      false,
    );
  });
});
