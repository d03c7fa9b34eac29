import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { type Bundle, BundleError, bundleFromValue, encodeBundle } from '../../host/store/bundle-format.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { verifyBundle } from '../../host/store/verify-bundle.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { hubKey, openWithHub, pass, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-export-');
after(() => tmp.cleanup());
let n = 0;

function pruned(readings = 200) {
  const { c, log } = openWithHub(join(tmp.dir, `e${++n}.db`));
  const a = storeMixed(c, 71 + n, readings);
  pass(c, log).runAll();
  return { c, a };
}

const rebuilt = (bytes: Uint8Array, change: (b: Bundle) => void) => {
  const b = bundleFromValue(decodeCbor(bytes));
  change(b);
  return encodeBundle(b);
};

const refused = (bytes: Uint8Array, message: RegExp) =>
  assert.throws(
    () => verifyBundle(bytes, crypto),
    (e: unknown) => e instanceof BundleError && message.test(e.message),
  );

describe('export and offline verify across pruned ranges', () => {
  it('a bundle spanning pruned ranges carries their signed summaries and verifies with no hub', () => {
    const { c, a } = pruned();
    const x = exportBundle(c, a.id);
    c.close();
    assert.deepEqual([x.first, x.last, x.entries, x.pruned], [1, 102, 2, 2]);
    assert.deepEqual(verifyBundle(x.bytes, crypto), {
      node: a.id,
      first: 1,
      last: 102,
      entries: 2,
      checkpoints: 6,
      gaps: [],
      pruned: [
        { from: 2, to: 101, hub: hubKey.id },
        { from: 103, to: 202, hub: hubKey.id },
      ],
    });
  });

  it('a chain with nothing pruned exports the four-item bundle as before', () => {
    const { c, log } = openWithHub(join(tmp.dir, `e${++n}.db`));
    const a = storeMixed(c, 79, 20);
    void log;
    const x = exportBundle(c, a.id);
    c.close();
    assert.equal((decodeCbor(x.bytes) as unknown[]).length, 4);
    assert.equal(verifyBundle(x.bytes, crypto).pruned, undefined);
  });

  it('a tampered summary, range or link fails verification, naming it', () => {
    const { c, a } = pruned();
    const { bytes } = exportBundle(c, a.id);
    c.close();
    // The range's hash changed: the hub's summary states another.
    refused(
      rebuilt(bytes, (b) => (b.pruned![0].hash = new Uint8Array(32))),
      /pruned range 2\.\.101: its summary \(hub seq 1\) states another range or hash/,
    );
    // The summary's data changed: it no longer hashes to what the hub signed.
    refused(
      rebuilt(bytes, (b) => ((b.pruned![0].summary.data as Record<string, unknown>).count = 49)),
      /pruned range 2\.\.101: its summary \(hub seq 1\) is not signed by hub/,
    );
    // A range dropped from the bundle: the entries jump with nothing to cover it.
    refused(
      rebuilt(bytes, (b) => (b.pruned = b.pruned!.slice(1))),
      /lacks entries it signed|missing and no checkpoint signed them/,
    );
    // A summary of another node's range does not vouch for this one.
    refused(
      rebuilt(bytes, (b) => {
        const [p, q] = b.pruned!;
        b.pruned = [{ ...p, summary: q.summary, checkpoint: q.checkpoint }, q];
      }),
      /pruned range 2\.\.101: its summary \(hub seq 2\) states another range or hash/,
    );
  });
});
