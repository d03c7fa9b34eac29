import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { signManifest } from '../../firmware/ota/firmware-manifest.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { XsSession } from '../../sim/xs/xs-session.js';

/**
 * The node's side of an update inside the real XS engine: the offer's
 * signature checked with the hub key, the image hashed as its chunks
 * stream into the slot, committed only when the hash is the signed one.
 */
const entry = new URL('../xs/entries/ota-entry.ts', import.meta.url).pathname;
const hub = identityFromSecretKey(new Uint8Array(32).fill(0x41), nodeCrypto);
const forger = identityFromSecretKey(new Uint8Array(32).fill(0x42), nodeCrypto);
const node = new Uint8Array(32).fill(0x43);
const BOARD = 'esp32-devkitc';
const image = Uint8Array.from({ length: 2500 }, (_, i) => (i * 7) & 0xff);
let xs: XsSession;

function offer(signer = hub, bytes = image, version = '0.2.0') {
  const m = { board: BOARD, version, size: bytes.length, sha256: nodeCrypto.sha256(bytes) };
  return { op: 'ota', board: BOARD, version, size: m.size, sha256: toHex(m.sha256), sig: toHex(signManifest(m, signer, nodeCrypto)), chunk: 1024 };
}

type Result = { calls: string[]; events: [string, Record<string, unknown>][] };
const run = async (o: Record<string, unknown>, served = image, board = BOARD) =>
  (await xs.call<Result>('update', { node: toHex(node), hubKey: toHex(hub.publicKey), board, running: '0.1.0', offer: o, served: toHex(served) })).value;

describe('the OTA updater on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('streams three chunks, commits the image the hub signed, and restarts once the outcome is acknowledged', async () => {
    const r = await run(offer());
    assert.deepStrictEqual(r.calls, ['begin 2500', 'write 1024', 'write 1024', 'write 452', 'commit', 'restart']);
    assert.deepStrictEqual(
      r.events.map((e) => e[0]),
      ['system.ota.started', 'system.ota.applied'],
    );
  });

  it('altered bytes: aborted before commit, refused for the hash', async () => {
    const bad = image.slice();
    bad[2000] ^= 0x80;
    const r = await run(offer(), bad);
    assert.deepStrictEqual(r.calls, ['begin 2500', 'write 1024', 'write 1024', 'write 452', 'abort']);
    assert.equal(r.events[1][0], 'system.ota.refused');
    assert.equal(r.events[1][1].reason, 'hash-mismatch');
  });

  it('a manifest signed by another key, an image for another board, the running version, a malformed offer: refused before begin', async () => {
    for (const [o, board, reason] of [
      [offer(forger), BOARD, 'bad-signature'],
      [offer(), 'esp32-c3-devkitm-1', 'wrong-board'],
      [offer(hub, image, '0.1.0'), BOARD, 'same-version'],
      [{ ...offer(), chunk: 7 }, BOARD, 'bad-offer'],
    ] as const) {
      const r = await run(o, image, board);
      assert.deepStrictEqual(r.calls, [], reason);
      assert.deepStrictEqual(
        r.events.map((e) => [e[0], e[1].reason]),
        [['system.ota.refused', reason]],
      );
    }
  });
});
