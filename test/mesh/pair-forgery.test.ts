import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { open, seal } from '../../host/chirp/seal.js';
import { pairRequest } from '../../host/mesh/pair-exchange.js';
import { pairInviteFromToken, pairInviteToToken } from '../../host/mesh/pair-token.js';
import { crypto, startHub } from '../hub/helpers.js';
import { makeInvite, peersOf, postJson, type RunningHub } from './pair-helpers.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const mallory = identityFromSecretKey(bytes(32, 0x66), crypto);
const bob = identityFromSecretKey(bytes(32, 0x42), crypto);

/** A hub on loopback that is not the invited one: answers /v1/mesh/pair/key and /v1/mesh/pair as given; records what it was sent. */
async function impostor(key: Uint8Array, answer: (body: string) => unknown): Promise<{ url: string; heard: string[]; server: Server }> {
  const heard: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      heard.push(body);
      const reply = req.url === '/v1/mesh/pair/key' ? { hub: toHex(key) } : answer(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heard, server };
}

describe('pairing refuses forgeries', () => {
  let a: RunningHub;
  let b: RunningHub;
  const servers: Server[] = [];
  before(async () => {
    a = await startHub();
    b = await startHub();
  });
  after(async () => {
    for (const s of servers) s.close();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a request signed by one key naming another is refused (bad-signature); the invite stays unspent', async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    // Mallory seals Bob's key with the secret, signs with her own: the pair would be Bob's key held by no one there.
    const plaintext = encodeCbor(['fazt/mesh-pair/v1', bob.publicKey, inv.secret, null, null, bytes(16, 1)]);
    const box = seal(plaintext, a.hub.publicKey, { signWith: mallory.secretKey });
    const r = await postJson(`${a.url}/v1/mesh/pair`, { box: toHex(encodeCbor(box)) });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'bad-signature');
    assert.deepEqual(await peersOf(a), []);
    // The genuine hub still pairs with that invite.
    const ok = await postJson(`${b.url}/v1/mesh/pair/accept`, { token: pairInviteToToken(inv) });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    await postJson(`${a.url}/v1/mesh/peers/remove`, { hub: b.hub.hubLog.id });
    await postJson(`${b.url}/v1/mesh/peers/remove`, { hub: a.hub.hubLog.id });
  });

  it("a hub on the path that re-signs the accepting hub's request as its own is refused (bad-signature)", async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    const { body } = pairRequest({ inviterKey: a.hub.publicKey, secret: inv.secret, self: bob, entropy: (n) => bytes(n, 3) });
    const box = decodeCbor(fromHex(body.box)) as ValueMap;
    assert.throws(() => open(box, mallory.secretKey), { code: 'unseal' }, 'the box opens only with the invited key: the secret stays sealed');
    const forged = { ...box, from: mallory.publicKey, sig: crypto.sign(encodeCbor(['fazt/chirp/seal/v1', box.e, box.c, a.hub.publicKey]), mallory.secretKey) };
    const r = await postJson(`${a.url}/v1/mesh/pair`, { box: toHex(encodeCbor(forged)) });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'bad-signature');
    assert.deepEqual(await peersOf(a), []);
  });

  it('a request that is not a sealed box is refused (malformed), naming what was wrong', async () => {
    const r = await postJson(`${a.url}/v1/mesh/pair`, { box: 'zz' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error?.code, 'malformed');
    assert.match(r.body.error?.message ?? '', /needs \{"box": hex\}/);
    const extra = await postJson(`${a.url}/v1/mesh/pair`, { box: '00', token: 'x' });
    assert.equal(extra.status, 400);
    assert.match(extra.body.error?.message ?? '', /unknown field 'token'/);
  });

  it('a box sealed for another key than the inviting hub is refused', async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    const { body } = pairRequest({ inviterKey: mallory.publicKey, secret: inv.secret, self: bob, entropy: (n) => bytes(n, 4) });
    const r = await postJson(`${a.url}/v1/mesh/pair`, body);
    assert.equal(r.status, 401);
    assert.equal(r.body.error?.code, 'bad-signature');
  });

  it('a hub impersonating the inviter with its own key is refused before anything is sent; nothing is stored', async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    const fake = await impostor(mallory.publicKey, () => ({}));
    servers.push(fake.server);
    const r = await postJson(`${b.url}/v1/mesh/pair/accept`, { token: pairInviteToToken({ ...inv, url: fake.url }) });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'bad-signature');
    assert.match(r.body.error?.message ?? '', /another key than the one the invite names/);
    assert.deepEqual(fake.heard, [''], 'it was asked for its key, and sent nothing else');
    assert.deepEqual(await peersOf(b), []);
  });

  it("a man in the middle serving the inviter's key cannot answer for it, nor read the secret", async () => {
    const inv = pairInviteFromToken((await makeInvite(a)).token);
    const mitm = await impostor(a.hub.publicKey, () => ({ hub: toHex(a.hub.publicKey), name: null, sig: toHex(crypto.sign(bytes(8, 0), mallory.secretKey)) }));
    servers.push(mitm.server);
    const r = await postJson(`${b.url}/v1/mesh/pair/accept`, { token: pairInviteToToken({ ...inv, url: mitm.url }) });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, 'bad-signature');
    assert.match(r.body.error?.message ?? '', /not signed by the invited hub/);
    assert.deepEqual(await peersOf(b), []);
    const sent = JSON.parse(mitm.heard[1]) as { box: string };
    assert.ok(!sent.box.includes(toHex(inv.secret)), 'the secret does not travel in the clear');
    assert.throws(() => open(decodeCbor(fromHex(sent.box)), mallory.secretKey), { code: 'unseal' });
  });
});

describe('pairing guesses are limited', () => {
  it('past 10 refused requests a minute from one address, it waits (429), even with a valid invite', async () => {
    const h = await startHub();
    try {
      for (let i = 0; i < 10; i++) {
        const guess = pairRequest({ inviterKey: h.hub.publicKey, secret: bytes(16, i), self: bob, entropy: (n) => bytes(n, i) });
        assert.equal((await postJson(`${h.url}/v1/mesh/pair`, guess.body)).status, 403);
      }
      const real = pairInviteFromToken((await makeInvite(h)).token);
      const r = await postJson(
        `${h.url}/v1/mesh/pair`,
        pairRequest({ inviterKey: h.hub.publicKey, secret: real.secret, self: bob, entropy: (n) => bytes(n, 99) }).body,
      );
      assert.equal(r.status, 429, JSON.stringify(r.body));
      assert.equal(r.body.error?.code, 'rate-limited');
      assert.deepEqual(await peersOf(h), []);
    } finally {
      await h.stop();
    }
  });
});
