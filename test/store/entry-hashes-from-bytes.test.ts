import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { entryHash } from '../../firmware/event/envelope.js';
import { bundleFromValue } from '../../host/store/bundle-format.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { entryHashesFromBytes } from '../../host/store/entry-hashes-from-bytes.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { pageLast } from '../../host/mesh/page-last.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-hashes-');
after(() => tmp.cleanup());

describe('entry hashes from the bytes of a bundle', () => {
  it('equal entryHash of every decoded entry: a clock field, nested data, long strings', () => {
    const c = Cartridge.open(`${tmp.dir}/c.db`, { clock: () => 1_767_225_600_000 });
    const a = new TestNode(61, () => 'rtc');
    c.addNode(a.identity.publicKey);
    a.append(30);
    a.record(
      'system.health',
      'hub',
      { heap: 123456, nested: { list: [1, -2.5, 'é'.repeat(300), new Uint8Array(40)], yes: true, no: null } },
      1_767_225_700_000,
    );
    a.record('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 41.25, quality: 'uncertain', time: 1_767_225_700_500 }, 1_767_225_701_000);
    c.ingestBatch(a.batch(1, 32));
    const bytes = exportBundle(c, a.id).bytes;
    const b = bundleFromValue(decodeCbor(bytes));
    const hashes = entryHashesFromBytes(bytes, b.entries.length, crypto);
    assert.deepStrictEqual(
      hashes,
      b.entries.map((e) => entryHash(e, crypto)),
    );
    assert.equal(pageLast(bytes), 32);
    c.close();
  });

  it('are undefined for what is not laid out as a bundle', () => {
    assert.equal(entryHashesFromBytes(encodeCbor(['fazt/bundle/v1', {}, [], [{ type: 'x' }]]), 1, crypto), undefined);
    assert.equal(entryHashesFromBytes(encodeCbor(['fazt/bundle/v1', {}, [], []]), 1, crypto), undefined);
    assert.equal(pageLast(encodeCbor(['fazt/bundle/v1', { last: [1, 2] }, [], []])), undefined);
    assert.equal(pageLast(encodeCbor({ last: 3 })), undefined);
    assert.equal(pageLast(new Uint8Array(0)), undefined);
  });
});
