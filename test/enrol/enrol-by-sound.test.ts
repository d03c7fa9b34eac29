import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { batchToValue, createBatch } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { enrollRequest } from '../../firmware/node/enroll-request.js';
import { openSoundInvite, signSoundInvite } from '../../firmware/node/sound-invite.js';
import { encodeMessage, receiveMessage } from '../../host/chirp/chirp.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import { AcousticChannel } from '../../sim/acoustic/acoustic-channel.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/**
 * Enrolment by sound, between two virtual boards: the hub's board plays a
 * signed invite through the simulated acoustic channel (noise, echo, a
 * sound-card clock mismatch); the node's board hears it on its microphone,
 * checks the hub's signature, and enrols over the network with the token.
 */
const dir = mkdtempSync(join(tmpdir(), 'fazt-sound-'));
let hub: Hub;
let url = '';

function toInt16(pcm: Float32Array): Int16Array {
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] * 32767)));
  return out;
}

async function hearInvite(channel: AcousticChannel): Promise<unknown> {
  const clock = new VirtualClock(0);
  const hubBoard = new SimBoard('hub', getBoard('rpi-4b'), clock, { audio: channel });
  const nodeBoard = new SimBoard('node', getBoard('esp32-s3-devkitc-1'), clock, { audio: channel });
  const heard: Int16Array[] = [];
  const mic = nodeBoard.backend.audioIn({ sampleRate: 48000, channels: 1, bitsPerSample: 16, onSamples: (s) => void heard.push(s) });
  mic.start();
  const token = hub.cartridge.createInvite({ ttlMs: 600_000 }).token;
  const hubKey = loadOrCreateHubKey(hub.cartridge, dir, nodeCrypto, (n) => new Uint8Array(randomBytes(n)));
  const pcm = await encodeMessage(signSoundInvite({ url, token, expires: Date.now() + 600_000 }, hubKey, nodeCrypto), { mode: 'robust' });
  const speaker = hubBoard.backend.audioOut({ sampleRate: 48000, channels: 1, bitsPerSample: 16 });
  for (let i = 0; i < pcm.length; i += 4096) speaker.write(toInt16(pcm.subarray(i, i + 4096)));
  channel.settle();
  mic.close();
  return receiveMessage(heard, { timeoutSeconds: 60 });
}

describe('enrolment by sound between two virtual boards', () => {
  before(async () => {
    hub = new Hub({ dataDir: dir, port: 0 });
    url = (await hub.start()).url;
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a node that hears the invite through noise, echo and clock drift enrols, and its batches are then accepted', async () => {
    const channel = new AcousticChannel({ seed: 7, attenuationDb: 6, echo: { seed: 3, rt60: 0.2 }, drift: 0.001, noise: { colour: 'pink', rms: 0.01 } });
    const heard = await hearInvite(channel);
    const invite = openSoundInvite(heard as never, nodeCrypto, Date.now());
    assert.deepStrictEqual(invite.hub, hub.publicKey, 'the hub key arrived intact');
    const node = identityFromSecretKey(new Uint8Array(randomBytes(32)), nodeCrypto);
    const res = await fetch(`${invite.url}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(enrollRequest(invite.token, node, nodeCrypto, { name: 'by-sound', board: 'esp32-s3-devkitc-1' })),
    });
    assert.equal(res.status, 200, await res.text());
    assert.ok(hub.cartridge.hasNode(node.id));
    let t = 0;
    const log = new EventLog({ nodeId: node.id, crypto: nodeCrypto, clock: () => (t += 1000) });
    const batch = encodeCbor(batchToValue(createBatch([log.append('system.boot', 'node', {})], node, nodeCrypto)));
    const up = await fetch(`${url}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: batch });
    assert.equal(up.status, 200);
  });

  it('the token heard is single-use: a second node with the same invite is refused', async () => {
    const channel = new AcousticChannel({ seed: 8 });
    const invite = openSoundInvite((await hearInvite(channel)) as never, nodeCrypto, Date.now());
    const first = identityFromSecretKey(new Uint8Array(randomBytes(32)), nodeCrypto);
    const second = identityFromSecretKey(new Uint8Array(randomBytes(32)), nodeCrypto);
    const post = (id: typeof first) =>
      fetch(`${invite.url}/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(enrollRequest(invite.token, id, nodeCrypto)),
      });
    assert.equal((await post(first)).status, 200);
    const again = await post(second);
    assert.equal(again.status, 403);
    assert.match(await again.text(), /invite-used/);
  });
});
