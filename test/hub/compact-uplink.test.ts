import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Batch } from '../../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { compactBatchFromValue, compactBatchToValue } from '../../firmware/batch/compact-batch.js';
import { dictionaryOf, itemKey, itemOf } from '../../firmware/batch/compact-dictionary.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { stringifyJson, toJsonValue } from '../../firmware/codec/json-form.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { Value } from '../../firmware/codec/value.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { Hub } from '../../host/hub/hub.js';
import { acked, asOwner, crypto, post, tempDir, TestNode } from './helpers.js';

let h: { hub: Hub; url: string };
const { dir: dataDir, cleanup } = tempDir();
const HUB_TIME = 1_767_225_600_000;
const a = new TestNode(21, () => 'hub');
const b = new TestNode(22);

function snapshot(): string {
  const c = h.hub.cartridge;
  return JSON.stringify({
    counts: c.counts(),
    heads: c.nodes().map((n) => [n.id, n.headSeq]),
    dictionaries: c.db.prepare('SELECT count(*) FROM dictionaries').pluck().get(),
  });
}

function compact(x: Batch, inline: boolean): Uint8Array {
  const items = x.entries.map(itemOf).filter((item, i, all) => all.findIndex((y) => itemKey(y) === itemKey(item)) === i);
  return encodeCbor(compactBatchToValue(x, dictionaryOf(items, crypto), inline));
}

async function refused(body: Uint8Array, status: number, code: string): Promise<string> {
  const before = snapshot();
  const r = await post(`${h.url}/v1/uplink`, body);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error?.code, code, JSON.stringify(r.body));
  assert.equal(snapshot(), before, 'a refusal leaves the store (and the dictionaries) unchanged');
  return r.body.error?.message ?? '';
}

/** A hub on the test's data directory (started again on the same file to test what survives). */
async function startHub(): Promise<{ hub: Hub; url: string }> {
  const hub = new Hub({ dataDir, host: '127.0.0.1', port: 0, log: () => undefined, clock: () => HUB_TIME });
  return { hub, url: asOwner(hub, await hub.start()).url };
}

before(async () => {
  h = await startHub();
  for (const n of [a, b]) h.hub.cartridge.addNode(n.identity.publicKey, { board: 'esp32-devkitc' });
  a.append(24);
  a.record('system.boot', 'node', { firmware: '0.1.0', board: 'esp32-devkitc', sensors: 1 }, 1_767_225_700_000);
  a.append(7);
  b.append(8);
});
after(async () => {
  await h.hub.stop();
  cleanup();
});

describe('compact batches at the hub', () => {
  it('a batch naming a dictionary the hub never saw is refused as unknown-dictionary, and its dictionary is not kept', async () => {
    const message = await refused(compact(a.batch(1, 8), false), 409, 'unknown-dictionary');
    assert.match(message, /send it whole/);
  });

  it('refuses what a full batch would be refused for: a bad signature, a changed entry, a wrong chain — and keeps no dictionary from them', async () => {
    const forged = decodeCbor(compact(a.batch(1, 8), true)) as Value[];
    (forged[5] as Uint8Array)[0] ^= 1;
    await refused(encodeCbor(forged), 401, 'bad-signature');
    const changed = decodeCbor(compact(a.batch(1, 8), true)) as Value[];
    (changed[8] as Value[][])[7][2] = 99.5;
    await refused(encodeCbor(changed), 409, 'tampered');
    await refused(compact(a.batch(2, 8), true), 409, 'gap');
    const bytes = compact(a.batch(1, 8), true);
    await refused(bytes.subarray(0, bytes.length - 1), 400, 'truncated');
  });

  it('stores a compact batch carrying its dictionary, then one naming it, each entry exactly as signed', async () => {
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, compact(a.batch(1, 8), true)), h.hub, a.id), { ack: 8, stored: 8, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, compact(a.batch(9, 16), false)), h.hub, a.id), { ack: 16, stored: 8, time: HUB_TIME });
    assert.deepStrictEqual(acked(await post(`${h.url}/v1/uplink`, compact(a.batch(9, 16), false)), h.hub, a.id), { ack: 16, stored: 0, time: HUB_TIME });
    const stored = [...h.hub.cartridge.chain(a.id)];
    assert.deepStrictEqual(
      stored.map((e) => toHex(encodeCbor(entryToValue(e)))),
      a.entries.slice(0, 16).map((e) => toHex(encodeCbor(entryToValue(e)))),
    );
    // Served as JSON, an entry that came compact reads exactly as one that came whole (same key order).
    const page = h.hub.cartridge.events({ node: a.id, limit: 1 }).events[0];
    assert.equal(
      stringifyJson(entryToValue(page)),
      stringifyJson(entryToValue(compactBatchFromValue(decodeCbor(compact(a.batch(1, 1), true)), crypto, () => undefined).batch.entries[0])),
    );
    // The dictionary is another node's to name only by sending it: b's batch naming a's dictionary is unknown.
    const byA = decodeCbor(compact(b.batch(1, 4), false)) as Value[];
    byA[6] = (decodeCbor(compact(a.batch(1, 8), false)) as Value[])[6];
    await refused(encodeCbor(byA), 409, 'unknown-dictionary');
  });

  it('the compact form travels as JSON too (the same data model, byte strings as $bytes)', async () => {
    const asJson = JSON.stringify(toJsonValue(decodeCbor(compact(b.batch(1, 4), true))));
    assert.equal((await post(`${h.url}/v1/uplink`, asJson, 'application/json')).status, 200);
    assert.equal(h.hub.cartridge.head(b.id)?.seq, 4);
  });

  it('a node that uplinks with the compact encoder recovers by itself from a hub that lost its dictionaries', async () => {
    const enc = new CompactBatchEncoder(crypto);
    const send = async (x: Batch): Promise<{ status: number; code?: string }> => {
      const r = await post(`${h.url}/v1/uplink`, enc.encode(x));
      if (r.status === 200) enc.accepted();
      else enc.refused(r.body.error?.code ?? '');
      return { status: r.status, code: r.body.error?.code };
    };
    assert.equal((await send(a.batch(17, 24))).status, 200, 'whole: the encoder starts without a held dictionary');
    assert.equal((await send(a.batch(25, 28))).status, 200, 'a new item (the boot): whole again');
    // A hub restored from a backup taken before (here: its dictionaries emptied, then restarted, as it also reads them from memory).
    h.hub.cartridge.db.exec('DELETE FROM dictionaries');
    await h.hub.stop();
    h = await startHub();
    assert.deepStrictEqual(await send(a.batch(29, 30)), { status: 409, code: 'unknown-dictionary' });
    assert.equal((await send(a.batch(29, 30))).status, 200, 'sent whole at once');
    assert.equal(h.hub.cartridge.head(a.id)?.seq, 30);
    // Kept across a restart: the restarted hub takes the hash alone.
    await h.hub.stop();
    h = await startHub();
    const r = await post(`${h.url}/v1/uplink`, enc.encode(a.batch(31, 32)));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(!Array.isArray((decodeCbor(enc.encode(a.batch(31, 32))) as Value[])[6]), 'named by hash');
  });
});
