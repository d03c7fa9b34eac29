import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { enrollRequest as makeEnrollRequest } from '../../firmware/node/enroll-request.js';
import { applyPeerAdmin } from '../../host/mesh/peer-admin.js';
import { validateOnHost } from '../../host/schema/host-validators.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { acked, cbor, crypto, post, startHub, TestNode, tempDir } from './helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;
let h: Started;
let now = 1_767_225_600_000;
const node = new TestNode(21);
const other = new TestNode(22);

const enroll = (body: unknown) => post(`${h.url}/v1/enroll`, JSON.stringify(body), 'application/json');
const state = () => JSON.stringify(h.hub.cartridge.counts());

async function refused(body: unknown, status: number, code: string): Promise<{ path?: string; rule?: string }> {
  const before = state();
  const r = await enroll(body);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error?.code, code);
  assert.equal(state(), before, 'a refused enrolment changes nothing');
  return r.body.error ?? {};
}

before(async () => {
  h = await startHub({ clock: () => now });
});
after(() => h.stop());

describe('POST /v1/enroll', () => {
  it('registers the node for a valid invite and proof, spends the invite, and answers with the hub key', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 3_600_000 });
    const r = await enroll(makeEnrollRequest(inv.token, node.identity, crypto, { name: 'Kitchen', board: 'esp32-c3-devkitm-1' }));
    assert.equal(r.status, 200);
    assert.deepStrictEqual(r.body, { node: node.id, hub: { id: h.addr.hubId, publicKey: toHex(h.hub.publicKey) } });
    const n = h.hub.cartridge.nodes().find((x) => x.id === node.id);
    assert.deepStrictEqual([n?.name, n?.board, n?.headSeq], ['Kitchen', 'esp32-c3-devkitm-1', 0]);
    assert.equal(h.hub.cartridge.counts().usedInvites, 1);
    node.append(3);
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, cbor(node.batch(1, 3))), h.hub, node.id), { ack: 3, stored: 3, time: now });
  });
  it('re-enrolling an enrolled key with a fresh invite is allowed and keeps its history', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 60_000 });
    const r = await enroll(makeEnrollRequest(inv.token, node.identity, crypto, { name: 'Kitchen 2' }));
    assert.equal(r.status, 200);
    assert.equal(r.body.node, node.id);
    const n = h.hub.cartridge.nodes().filter((x) => x.id === node.id);
    assert.deepStrictEqual(
      n.map((x) => [x.name, x.board, x.headSeq, x.eventCount]),
      [['Kitchen 2', 'esp32-c3-devkitm-1', 3, 3]],
    );
  });
  it("puts each enrolment on the hub's chain as system.node.enrolled (schema-valid, with the key, never the invite), a re-enrolment saying existed", () => {
    const enrolled = [...h.hub.cartridge.chain(h.hub.hubLog.id)].filter((e) => e.type === 'system.node.enrolled');
    const key = toHex(node.identity.publicKey);
    assert.deepStrictEqual(
      enrolled.map((e) => e.data),
      [
        { node: node.id, publicKey: key, existed: false, name: 'Kitchen', board: 'esp32-c3-devkitm-1' },
        { node: node.id, publicKey: key, existed: true, name: 'Kitchen 2' },
      ],
    );
    for (const e of enrolled) {
      validateOnHost('eventData', { type: e.type, data: toJsonValue(e.data) });
      assert.doesNotMatch(JSON.stringify(toJsonValue(e.data)), /fzi/, 'no invite token in it');
    }
    // A paired hub replicating this chain registers the node with its key (host/mesh/peer-admin.ts).
    const t = tempDir('fazt-enrol-peer-');
    const peer = Cartridge.open(join(t.dir, 'peer.db'), { clock: () => now });
    try {
      const outcomes = applyPeerAdmin(peer, h.hub.hubLog.id, [...h.hub.cartridge.chain(h.hub.hubLog.id)], now);
      assert.deepStrictEqual(
        outcomes.map((o) => o.result),
        ['applied', 'applied'],
      );
      assert.deepStrictEqual(peer.nodeKey(node.id)?.publicKey, node.identity.publicKey);
      assert.deepStrictEqual([peer.nodes()[0]?.name, peer.nodes()[0]?.board], ['Kitchen 2', 'esp32-c3-devkitm-1'], 'as on the hub that took them');
      assert.deepStrictEqual(
        applyPeerAdmin(peer, h.hub.hubLog.id, [...h.hub.cartridge.chain(h.hub.hubLog.id)], now).map((o) => o.result),
        ['unchanged', 'unchanged'],
        'applying again changes nothing',
      );
    } finally {
      peer.close();
      t.cleanup();
    }
  });
  it('refuses an unknown token (403 invite-unknown)', async () => {
    await refused(makeEnrollRequest('fzi' + 'b'.repeat(32), other.identity, crypto), 403, 'invite-unknown');
    await refused(makeEnrollRequest('not-a-token', other.identity, crypto), 403, 'invite-unknown');
  });
  it('refuses a used token (403 invite-used)', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 60_000 });
    assert.equal((await enroll(makeEnrollRequest(inv.token, node.identity, crypto))).status, 200);
    await refused(makeEnrollRequest(inv.token, other.identity, crypto), 403, 'invite-used');
  });
  it('refuses an expired token (403 invite-expired), by the injected clock', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 60_000 });
    now += 60_000;
    await refused(makeEnrollRequest(inv.token, other.identity, crypto), 403, 'invite-expired');
  });
  it('refuses a bad proof (401 bad-proof) without spending the invite', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 60_000 });
    const signedByOther = makeEnrollRequest(inv.token, other.identity, crypto);
    await refused({ ...signedByOther, publicKey: toHex(new TestNode(23).identity.publicKey) }, 401, 'bad-proof');
    await refused({ ...makeEnrollRequest(inv.token + 'x', other.identity, crypto), token: inv.token }, 401, 'bad-proof');
    assert.equal((await enroll(signedByOther)).status, 200, 'the invite is still good');
  });
  it('refuses a malformed body: 422 with path and rule, 400 for bad JSON, 415 for another type', async () => {
    const inv = h.hub.cartridge.createInvite({ ttlMs: 60_000 });
    const good = makeEnrollRequest(inv.token, other.identity, crypto);
    const e = await refused({ ...good, publicKey: 'abc' }, 422, 'schema');
    assert.deepStrictEqual([e.path, e.rule], ['/publicKey', 'pattern']);
    const { proof: _p, ...noProof } = good;
    assert.equal((await refused(noProof, 422, 'schema')).path, '/proof');
    assert.equal((await refused({ ...good, admin: true }, 422, 'schema')).rule, 'additionalProperties');
    assert.equal((await post(`${h.url}/v1/enroll`, '{"token"', 'application/json')).body.error?.code, 'malformed-json');
    assert.equal((await post(`${h.url}/v1/enroll`, JSON.stringify(good), 'text/plain')).status, 415);
  });
});
