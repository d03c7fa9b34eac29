import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { batchToValue, createBatch } from '../../firmware/batch/batch.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import { EventLog } from '../../firmware/event/event-log.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { XsSession } from '../../sim/xs/xs-session.js';
import { batchVectors, cborVectors, compactVectors, eventVectors, identityVectors, invalidCborVectors } from '../helpers/vectors.js';

/**
 * The portable core inside the real XS engine. No skip: if XS is missing,
 * XsSession.start throws and this suite fails.
 */
const entry = new URL('./entries/core-entry.ts', import.meta.url).pathname;
let xs: XsSession;

describe('the firmware core on XS', () => {
  before(async () => {
    xs = await XsSession.start(entry);
  });
  after(async () => {
    await xs?.close();
  });

  it('really runs in XS: the host bridge is there, Node is not, and XS meters the work', async () => {
    const { value, meter } = await xs.call<Record<string, string>>('engine');
    assert.deepStrictEqual(value, { issueCommand: 'function', process: 'undefined', require: 'undefined' });
    assert.ok(meter.compute > 0, 'only xsnap reports a compute meter');
    assert.ok(meter.currentHeapCount > 0);
  });

  it('encodes every CBOR vector to the same bytes as Node', async () => {
    const { value } = await xs.call<string[]>('cborEncode', cborVectors);
    assert.deepStrictEqual(
      value,
      cborVectors.map((v) => v.cbor),
    );
  });

  it('decodes every CBOR vector to the same JSON as Node', async () => {
    const { value } = await xs.call<string[]>(
      'cborDecode',
      cborVectors.map((v) => v.cbor),
    );
    value.forEach((got, i) => {
      const v = cborVectors[i];
      if (v.json === null) assert.equal(got, v.value, v.name);
      else assert.deepStrictEqual(JSON.parse(got.replace('-0.0', '"-0"')), JSON.parse(v.json.replace('-0.0', '"-0"')), v.name);
    });
  });

  it('decodes a 20 000-character string (XS has a 4096-slot stack)', async () => {
    const text = 'a'.repeat(20000) + 'é';
    const { value } = await xs.call<string[]>('cborDecode', [toHex(encodeCbor(text))]);
    assert.equal(value[0], JSON.stringify(text));
  });

  it('refuses every invalid CBOR vector with the same code as Node', async () => {
    const { value } = await xs.call<string[]>(
      'cborRefuse',
      invalidCborVectors.map((v) => v.cbor),
    );
    assert.deepStrictEqual(
      value,
      invalidCborVectors.map((v) => v.code),
    );
  });

  it('hashes every event vector identically', async () => {
    const { value } = await xs.call<string[]>(
      'eventHashes',
      eventVectors.map((v) => v.json),
    );
    assert.deepStrictEqual(
      value,
      eventVectors.map((v) => v.hash),
    );
  });

  it('derives keys, node ids and signatures as RFC 8032 and Node do', async () => {
    for (const v of identityVectors) {
      const { value } = await xs.call<{ publicKey: string; nodeId: string; signature: string }>('identity', v.secretKey, v.message);
      assert.deepStrictEqual(value, { publicKey: v.publicKey, nodeId: v.nodeId, signature: v.signature });
    }
  });

  it('verifies the batch vectors and returns the same fresh entries', async () => {
    const { value } = await xs.call<number[][]>('verifyBatches', batchVectors);
    assert.deepStrictEqual(
      value.map((seqs) => seqs.length),
      [4, 4, 1, 3],
    );
  });

  it('writes and reads the compact vectors to the same bytes as Node, both ways', async () => {
    const { value } = await xs.call<{ hash: string; batches: { inline: string; byHash: string; fromInline: string; fromHash: string }[] }>(
      'compactVectors',
      compactVectors.dictionary.items,
      compactVectors.batches,
    );
    assert.equal(value.hash, compactVectors.dictionary.hash);
    value.batches.forEach((got, i) => {
      const v = compactVectors.batches[i];
      assert.deepStrictEqual(got, { inline: v.inline, byHash: v.byHash, fromInline: v.full, fromHash: v.full }, v.name);
    });
  });

  it('signs a 32-event batch to the same bytes Node produces', async () => {
    const seed = '07'.repeat(32);
    const { value } = await xs.call<string>('batchWork', seed, 32, 'sign');
    const id = identityFromSecretKey(fromHex(seed), nobleCrypto);
    let t = 1767225600000;
    const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => (t += 1000) });
    const es: EventEntry[] = [];
    for (let i = 0; i < 32; i++)
      es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + i / 10, quality: 'good', time: t }));
    assert.equal(value, toHex(encodeCbor(batchToValue(createBatch(es, id, nobleCrypto)))));
    assert.ok(decodeCbor(fromHex(value)));
  });

  it('refuses tampered, reordered, truncated, gapped and replayed batches with their own errors', async () => {
    const { value } = await xs.call<Record<string, string>>('tamperedBatchCodes', batchVectors[0].cbor);
    assert.deepStrictEqual(value, {
      signature: 'bad-signature',
      tampered: 'tampered',
      reordered: 'reordered',
      truncated: 'truncated',
      gap: 'gap',
      replay: 'replay',
    });
  });

  it('validates with the generated validators, naming path and rule', async () => {
    assert.equal((await xs.call('schema', 'event', eventVectors[0].json)).value, null);
    const bad = JSON.parse(eventVectors[0].json) as Record<string, unknown>;
    bad.seq = 0;
    assert.deepStrictEqual((await xs.call('schema', 'event', JSON.stringify(bad))).value, { path: '/seq', rule: 'minimum' });
  });

  it('runs the bus with its overflow policy', async () => {
    assert.deepStrictEqual((await xs.call('bus')).value, { got: [2, 4], dropped: 1 });
  });

  it('applies the board pin rules', async () => {
    const { value } = await xs.call<string[]>('claims', getBoard('esp32-devkitc'), [
      { gpio: 4, use: 'digital-out' },
      { gpio: 4, use: 'digital-in' },
      { gpio: 34, use: 'digital-out' },
      { gpio: 7, use: 'digital-in' },
      { gpio: 0, use: 'digital-in' },
      { gpio: 40, use: 'digital-in' },
    ]);
    assert.deepStrictEqual(value, ['none', 'pin-in-use', 'input-only', 'reserved-pin', 'strapping-pin', 'unknown-pin']);
  });
  it('constructs every error class with Error.prototype frozen, as in a Moddable build (runs last: it freezes)', async () => {
    const { value } = await xs.call<string[]>('frozenErrors');
    assert.deepStrictEqual(value, ['CodecError:x', 'SchemaError:schema', 'VerifyError:gap', 'BoardError:unknown-pin', 'IoError:nack', 'Error:c']);
  });
});
