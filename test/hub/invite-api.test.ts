import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inviteFromMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { readWavAt48k } from '../../host/chirp/wav.js';
import { ownerAuth, post, startHub } from './helpers.js';

describe('POST /v1/invites: an invite as the dashboard shows it', () => {
  let h: Awaited<ReturnType<typeof startHub>>;
  before(async () => {
    h = await startHub();
  });
  after(() => h.stop());

  it('answers the token, its 24 words and a playable WAV of the signed chirp', async () => {
    const r = await post(`${h.url}/v1/invites`, JSON.stringify({ ttl: '15m' }), 'application/json');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const b = r.body as { token: string; words: string[]; expiresAt: number; sound: string; url: string };
    assert.match(b.token, /^fzi[a-z2-7]{32}$/);
    assert.equal(b.words.length, 24);
    assert.equal(inviteFromMnemonic(b.words.join(' ')).token, b.token);
    assert.equal(b.url, h.url);
    assert.ok(!b.sound.includes(b.token), 'the sound is not named by the secret');
    assert.equal((await fetch(`${h.url}${b.sound}`)).status, 401, 'the sound carries the invite: the owner only');
    const wav = await fetch(`${h.url}${b.sound}`, { headers: ownerAuth(h.url) });
    assert.equal(wav.status, 200);
    assert.equal(wav.headers.get('content-type'), 'audio/wav');
    const pcm = readWavAt48k(new Uint8Array(await wav.arrayBuffer()));
    assert.ok(pcm.length > 48_000 / 2, 'at least half a second of sound');
    assert.equal(h.hub.cartridge.counts().invites, 1);
  });

  it('refuses a bad ttl or an unknown field; an unknown sound is 404', async () => {
    for (const [body, message] of [
      [{ ttl: 'forever' }, /ttl/],
      [{ ttl: '0s' }, /ttl must be from 1s/],
      [{ colour: 'red' }, /unknown field 'colour'/],
    ] as const) {
      const r = await post(`${h.url}/v1/invites`, JSON.stringify(body), 'application/json');
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.error?.message ?? '', message);
    }
    assert.equal((await fetch(`${h.url}/v1/invites/sound?id=0123`, { headers: ownerAuth(h.url) })).status, 404);
  });
});
