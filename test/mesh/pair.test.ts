import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { PairInviteBook } from '../../host/mesh/pair-invites.js';
import { pairInviteFromToken, pairInviteToToken } from '../../host/mesh/pair-token.js';
import { crypto, startHub } from '../hub/helpers.js';
import { chainEvents, makeInvite, peersOf, postJson, type RunningHub } from './pair-helpers.js';

describe('pairing two hubs on loopback', () => {
  let a: RunningHub;
  let b: RunningHub;
  let c: RunningHub;
  let now = Date.UTC(2026, 11, 7, 12);
  before(async () => {
    a = await startHub({ clock: () => now });
    b = await startHub();
    c = await startHub();
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  });

  it('an invite is a token naming the hub key and URL; the secret is stored only as its hash', async () => {
    const inv = await makeInvite(a);
    const parsed = pairInviteFromToken(inv.token);
    assert.equal(parsed.url, a.url);
    assert.equal(pairInviteToToken(parsed), inv.token);
    assert.equal(inv.words.length, 24);
    const rows = a.hub.cartridge.db.prepare('SELECT token_hash FROM mesh_pair_invites').all() as { token_hash: Buffer }[];
    assert.ok(rows.length >= 1);
    for (const r of rows) assert.notEqual(toHex(r.token_hash), toHex(parsed.secret));
  });

  it('token: the other hub accepts; both store each other and say so on their chains', async () => {
    const inv = await makeInvite(a);
    const r = await postJson(`${b.url}/v1/mesh/pair/accept`, { token: inv.token, name: 'workshop' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.hub, a.hub.hubLog.id);
    const onA = await peersOf(a);
    const onB = await peersOf(b);
    assert.deepEqual(
      onA.map((p) => [p.hub, p.publicKey, p.name, p.url, p.only]),
      [[b.hub.hubLog.id, toHex(b.hub.publicKey), 'workshop', b.url, null]],
    );
    assert.deepEqual(
      onB.map((p) => [p.hub, p.publicKey, p.url]),
      [[a.hub.hubLog.id, toHex(a.hub.publicKey), a.url]],
    );
    const pairedA = chainEvents(a.hub, 'system.mesh.paired');
    assert.deepEqual(pairedA.at(-1), { peer: b.hub.hubLog.id, role: 'inviter', name: 'workshop', url: b.url });
    const pairedB = chainEvents(b.hub, 'system.mesh.paired');
    assert.equal(pairedB.at(-1)?.peer, a.hub.hubLog.id);
    assert.equal(pairedB.at(-1)?.role, 'accepter');
    assert.ok(!JSON.stringify([pairedA, pairedB]).includes(inv.token.slice(4, 20)), 'no event carries the invite');
  });

  it('a used invite is refused (pair-invite), and nothing is stored', async () => {
    const inv = await makeInvite(a);
    assert.equal((await postJson(`${b.url}/v1/mesh/pair/accept`, { token: inv.token })).status, 200);
    const before = (await peersOf(a)).length;
    const again = await postJson(`${c.url}/v1/mesh/pair/accept`, { token: inv.token });
    assert.equal(again.status, 403, JSON.stringify(again.body));
    assert.equal(again.body.error?.code, 'pair-invite');
    assert.match(again.body.error?.message ?? '', /already used/);
    assert.deepEqual(await peersOf(c), []);
    assert.equal((await peersOf(a)).length, before);
    assert.equal(chainEvents(c.hub, 'system.mesh.paired').length, 0);
  });

  it('an expired invite is refused (pair-invite), and nothing is stored', async () => {
    const inv = await makeInvite(a, { ttl: '1h' });
    now += 3_600_000;
    const r = await postJson(`${c.url}/v1/mesh/pair/accept`, { token: inv.token });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'pair-invite');
    assert.match(r.body.error?.message ?? '', /expired/);
    assert.deepEqual(await peersOf(c), []);
  });

  it('an unknown invite is refused: a mistyped secret', async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    inv.secret[0] ^= 1;
    const r = await postJson(`${c.url}/v1/mesh/pair/accept`, { token: pairInviteToToken(inv) });
    assert.equal(r.status, 403);
    assert.equal(r.body.error?.code, 'pair-invite');
    assert.match(r.body.error?.message ?? '', /no pairing invite/);
  });

  it('words: the 24 words and the URL beside them pair the same way', async () => {
    const inv = await makeInvite(a);
    const r = await postJson(`${c.url}/v1/mesh/pair/accept`, { words: inv.words.join(' '), url: a.url });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok((await peersOf(a)).some((p) => p.hub === c.hub.hubLog.id));
    assert.ok((await peersOf(c)).some((p) => p.hub === a.hub.hubLog.id));
  });

  it('unpairing: the peer is gone from the list, and the chain says so', async () => {
    const r = await postJson(`${a.url}/v1/mesh/peers/remove`, { hub: c.hub.hubLog.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!(await peersOf(a)).some((p) => p.hub === c.hub.hubLog.id));
    const ev = chainEvents(a.hub, 'system.mesh.unpaired');
    assert.equal(ev.at(-1)?.peer, c.hub.hubLog.id);
    const again = await postJson(`${a.url}/v1/mesh/peers/remove`, { hub: c.hub.hubLog.id });
    assert.equal(again.status, 404);
    assert.equal(again.body.error?.code, 'unpaired');
  });

  it('the pairing routes are the owner’s, except the two the invite itself authenticates', async () => {
    for (const path of ['/v1/mesh/pair/invite', '/v1/mesh/pair/accept', '/v1/mesh/peers/remove']) {
      const res = await fetch(`${a.url}${path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 401, path);
    }
    assert.equal((await fetch(`${a.url}/v1/mesh/peers`)).status, 401);
    assert.equal((await fetch(`${a.url}/v1/mesh/pair/key`)).status, 200);
  });
});

describe('PairInviteBook', () => {
  it('refuses an invite at its expiry, once used, and one it never made', async () => {
    const h = await startHub();
    try {
      const book = new PairInviteBook(h.hub.cartridge.db, crypto);
      const seed = new Uint8Array(16).fill(7);
      const made = book.create({ ttlMs: 60_000, now: 1000, entropy: () => seed.slice() });
      assert.throws(() => book.claim(seed, 'x', made.expiresAt), { code: 'pair-invite', message: /expired/ });
      const other = book.create({ ttlMs: 60_000, now: 1000, entropy: () => new Uint8Array(16).fill(8) });
      book.claim(new Uint8Array(16).fill(8), 'x', other.createdAt + 1);
      assert.throws(() => book.claim(new Uint8Array(16).fill(8), 'y', other.createdAt + 2), { code: 'pair-invite', message: /already used/ });
      assert.throws(() => book.claim(new Uint8Array(16).fill(9), 'y', 2000), { code: 'pair-invite', message: /no pairing invite/ });
      assert.throws(() => book.create({ ttlMs: 10, now: 0, entropy: () => seed }), RangeError);
    } finally {
      await h.stop();
    }
  });
});
