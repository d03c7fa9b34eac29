import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { batchToValue, createBatch } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkAck } from '../../firmware/uplink/signed-ack.js';
import type { UplinkResult } from '../../firmware/uplink/transport.js';
import type { Timers } from '../../hal/contracts/time.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { FetchTransport } from '../../host/node/fetch-transport.js';

const timers: Timers = { setTimeout: (cb, ms) => setTimeout(cb, ms) as unknown as number, clearTimeout: (id) => clearTimeout(id as unknown as NodeJS.Timeout) };
const send = (t: FetchTransport, bytes: Uint8Array) => new Promise<UplinkResult>((r) => t.send(bytes, r));

describe('FetchTransport (the uplink when the firmware runs on Node)', () => {
  it("gets the hub's ack, a refusal as refused, and an unreachable hub as retryable", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fazt-fetch-'));
    const hub = new Hub({ dataDir: dir, port: 0 });
    const { url } = await hub.start();
    try {
      const id = identityFromSecretKey(new Uint8Array(32).fill(4), nodeCrypto);
      let t = 0;
      const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 1000) });
      const signed = createBatch([log.append('system.boot', 'node', {})], id, nodeCrypto);
      const batch = encodeCbor(batchToValue(signed));
      const unknown = await send(new FetchTransport(url, timers), batch);
      assert.ok(!unknown.ok && unknown.refused && unknown.status === 403, JSON.stringify(unknown));
      hub.cartridge.addNode(id.publicKey, {});
      const before = Date.now();
      const ok = await send(new FetchTransport(url, timers), batch);
      assert.ok(ok.ok, JSON.stringify(ok));
      const { time, sig, head, ...ack } = ok.ack;
      assert.deepStrictEqual(ack, { ack: 1, stored: 1 });
      assert.equal(head, toHex(signed.head), 'the answer names the head of the batch it acknowledges');
      assert.ok(
        typeof sig === 'string' && checkAck(ok.ack, { node: id.id, head: signed.head, nonce: null }, hub.publicKey, nodeCrypto).ok,
        'signed by the hub key',
      );
      assert.ok(typeof time === 'number' && time >= before - 1000 && time <= Date.now() + 1000, `the hub's clock comes through: ${time}`);
    } finally {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    const down = await send(new FetchTransport(url, timers, 2000), new Uint8Array([0xa0]));
    assert.ok(!down.ok && !down.refused && /cannot reach/.test(down.message), JSON.stringify(down));
  });
});
