/**
 * Bundled for XS by test/ota/ota-updater-xs.test.ts: the node's OTA updater
 * inside xsnap-worker, fed an offer and the image's chunks by the entry
 * itself (the hub's side is not what is tested here), writing into a slot
 * that only records what it was given.
 */
import { toJsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import type { Value } from '../../../firmware/codec/value.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { chunkRequestFromCbor, verifyChunkRequest } from '../../../firmware/ota/chunk-request.js';
import { OtaUpdater } from '../../../firmware/ota/ota-updater.js';
import type { Ota } from '../../../hal/contracts/ota.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';

interface Run {
  node: string;
  hubKey: string;
  board: string;
  running: string;
  offer: Record<string, unknown>;
  /** The bytes the "hub" serves (hex): the image, or an altered one. */
  served: string;
}

serveCommands({
  update(r: Run) {
    const identity = identityFromSecretKey(fromHex(r.node), nobleCrypto);
    const served = fromHex(r.served);
    const chunk = r.offer.chunk as number;
    const calls: string[] = [];
    const ota: Ota = {
      begin: (size) => void calls.push(`begin ${size}`),
      write: (b) => void calls.push(`write ${b.length}`),
      commit: () => void calls.push('commit'),
      abort: () => void calls.push('abort'),
      confirm: () => void calls.push('confirm'),
      pendingVerify: false,
      rolledBackFrom: undefined,
    };
    const queue: (() => void)[] = [];
    const events: [string, unknown][] = [];
    let seq = 0;
    const updater = new OtaUpdater({
      identity,
      board: r.board,
      hubKey: fromHex(r.hubKey),
      crypto: nobleCrypto,
      ota,
      running: r.running,
      fetchChunk: (request, done) => {
        const q = chunkRequestFromCbor(request);
        if (!verifyChunkRequest(q, identity.publicKey, nobleCrypto)) return done({ ok: false, refused: true, message: 'bad-signature' });
        done({ ok: true, bytes: served.subarray(q.n * chunk, (q.n + 1) * chunk) });
      },
      timers: { setTimeout: (cb) => queue.push(cb), clearTimeout: () => undefined },
      record: (type: string, _c: string, data: Value) => {
        events.push([type, toJsonValue(data)]);
        return ++seq;
      },
      flush: () => undefined,
      idle: () => true,
      restart: () => void calls.push('restart'),
    });
    updater.offer({ command: 'aaaaaaaaaaaaaaaa', seq: 1 }, r.offer);
    for (let i = 0; i < 10_000 && queue.length; i++) (queue.shift() as () => void)();
    updater.acked(seq);
    return { calls, events };
  },
});
