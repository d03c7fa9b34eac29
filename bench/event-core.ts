/**
 * bench/event-core: the event core's figures, each beside a baseline measured
 * in the same run.
 *  1. wire size of one event and of a 32-event batch: JSON text vs CBOR
 *  2. encode/decode rates: our deterministic CBOR and JSON form vs native
 *     JSON.stringify/parse (baseline) and cbor-x (reference, not deterministic)
 *  3. sign and verify one 32-event batch: noble (portable) vs node:crypto
 *  4. the hub's own one-event batch (host/hub/hub-log.ts) as the store verifies it:
 *     its signature taken as checked (HubLog just made it) vs verified again
 *  5. XS: compute steps and heap for encoding and for signing one 32-event batch
 * Prints figures, never gates CI.
 */
import { encode as cborxEncode, decode as cborxDecode } from 'cbor-x';
import { batchSignedForm, batchToValue, createBatch } from '../firmware/batch/batch.js';
import { withCheckedSignature } from '../firmware/batch/checked-signature.js';
import { verifyBatch } from '../firmware/batch/verify-batch.js';
import { decodeCbor } from '../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { parseJson, stringifyJson, toJsonValue } from '../firmware/codec/json-form.js';
import type { CryptoProvider } from '../firmware/crypto/crypto-provider.js';
import { nobleCrypto } from '../firmware/crypto/noble-crypto.js';
import { entryToValue, type EventEntry } from '../firmware/event/envelope.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { XsSession } from '../sim/xs/xs-session.js';

const id = identityFromSecretKey(new Uint8Array(32).fill(7), nobleCrypto);

function readings(n: number): EventEntry[] {
  let t = 1767225600000;
  const log = new EventLog({ nodeId: id.id, crypto: nobleCrypto, clock: () => (t += 1000) });
  return Array.from({ length: n }, (_, i) =>
    log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 20 + i / 10, quality: 'good', time: t }),
  );
}

/** Operations per second of fn, over at least `ms` after a warm-up. */
function rate(fn: () => unknown, ms = 400): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const es = readings(32);
const batch = createBatch(es, id, nobleCrypto);
const batchValue = batchToValue(batch);
const eventValue = entryToValue(es[0]);

// 1. Sizes
const evJson = Buffer.byteLength(stringifyJson(eventValue));
const evCbor = encodeCbor(eventValue).length;
const bJson = Buffer.byteLength(stringifyJson(batchValue));
const bCbor = encodeCbor(batchValue).length;
console.log('\n1. Wire size (bytes)');
console.log(`   one reading event: JSON ${evJson}, CBOR ${evCbor}  → CBOR/JSON ${(evCbor / evJson).toFixed(3)}`);
console.log(`   32-event batch:    JSON ${bJson}, CBOR ${bCbor}  → CBOR/JSON ${(bCbor / bJson).toFixed(3)}; ${fmt(bCbor / 32, 1)} CBOR bytes per reading`);

// 2. Rates on the 32-event batch
const bytes = encodeCbor(batchValue);
const jsonText = stringifyJson(batchValue);
const nativeText = JSON.stringify(toJsonValue(batchValue));
const cborxBytes = cborxEncode(toJsonValue(batchValue));
const r = {
  nativeStringify: rate(() => JSON.stringify(toJsonValue(batchValue))),
  oursJsonOut: rate(() => stringifyJson(batchValue)),
  oursCborOut: rate(() => encodeCbor(batchValue)),
  cborxOut: rate(() => cborxEncode(toJsonValue(batchValue))),
  nativeParse: rate(() => JSON.parse(nativeText)),
  oursJsonIn: rate(() => parseJson(jsonText)),
  oursCborIn: rate(() => decodeCbor(bytes)),
  cborxIn: rate(() => cborxDecode(cborxBytes)),
};
console.log('\n2. Encode/decode of one 32-event batch (batches/s; baseline = native JSON)');
console.log(
  `   encode: native JSON.stringify ${fmt(r.nativeStringify)}, our JSON form ${fmt(r.oursJsonOut)} (${(r.oursJsonOut / r.nativeStringify).toFixed(2)}×), our deterministic CBOR ${fmt(r.oursCborOut)} (${(r.oursCborOut / r.nativeStringify).toFixed(2)}×), cbor-x ${fmt(r.cborxOut)} (${(r.cborxOut / r.nativeStringify).toFixed(2)}×)`,
);
console.log(
  `   decode: native JSON.parse ${fmt(r.nativeParse)}, our JSON form ${fmt(r.oursJsonIn)} (${(r.oursJsonIn / r.nativeParse).toFixed(2)}×), our strict CBOR ${fmt(r.oursCborIn)} (${(r.oursCborIn / r.nativeParse).toFixed(2)}×), cbor-x ${fmt(r.cborxIn)} (${(r.cborxIn / r.nativeParse).toFixed(2)}×)`,
);

// 3. Sign and verify per batch
function signVerify(c: CryptoProvider): { sign: number; verify: number } {
  return {
    sign: rate(() => createBatch(es, id, c), 600),
    verify: rate(() => verifyBatch(batch, { crypto: c }), 600),
  };
}
const noble = signVerify(nobleCrypto);
const node = signVerify(nodeCrypto);
console.log('\n3. One 32-event batch: hash chain head + Ed25519 (batches/s; baseline = noble)');
console.log(`   sign:   noble ${fmt(noble.sign)}, node:crypto ${fmt(node.sign)} (${(node.sign / noble.sign).toFixed(2)}×)`);
console.log(
  `   verify: noble ${fmt(noble.verify)}, node:crypto ${fmt(node.verify)} (${(node.verify / noble.verify).toFixed(2)}×)  [verify hashes all 32 entries]`,
);

// 4. The hub's own batch: one event (a percept, a rule firing), as HubLog hands it to the store
{
  const e = readings(1);
  const again = () => verifyBatch(createBatch(e, id, nodeCrypto), { crypto: nodeCrypto });
  const taken = () => {
    const b = createBatch(e, id, nodeCrypto);
    return verifyBatch(withCheckedSignature(b, batchSignedForm(b.node, b.first, b.last, b.head)), { crypto: nodeCrypto });
  };
  const [a, t] = [rate(again, 600), rate(taken, 600)];
  console.log("\n4. The hub's own one-event batch, signed and verified as HubLog stores it (node:crypto; baseline = signature verified again)");
  console.log(
    `   sign + verify again: ${fmt(1e6 / a, 1)} µs; sign + signature taken as checked: ${fmt(1e6 / t, 1)} µs (${(a / t).toFixed(2)}× the time; ${fmt(1e6 / a - 1e6 / t, 1)} µs saved an append)`,
  );
}

// 5. XS meter
const xs = await XsSession.start(new URL('../test/xs/entries/core-entry.ts', import.meta.url).pathname);
try {
  const seed = '07'.repeat(32);
  await xs.call('batchWork', seed, 32, 'sign'); // warm-up: noble builds its curve tables on first use
  const stage = async (s: 'events' | 'encode' | 'sign') => (await xs.call('batchWork', seed, 32, s)).meter;
  const events = await stage('events');
  const encoded = await stage('encode');
  const signed = await stage('sign');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 5; i++) await xs.call('batchWork', seed, 32, 'sign');
  const xsMs = Number(process.hrtime.bigint() - t0) / 5e6;
  const v8Ms = 1000 / rate(() => createBatch(readings(32), id, nobleCrypto), 600);
  console.log('\n5. XS (xsnap-worker: Moddable XS 13.3) for one 32-event batch, compute steps from the XS meter');
  console.log(`   append 32 events (each CBOR-encoded and SHA-256 hashed into the chain): ${fmt(events.compute)} steps`);
  console.log(`   + encode the batch body as CBOR: ${fmt(encoded.compute - events.compute)} steps`);
  console.log(`   + Ed25519 sign (and encode the signed batch): ${fmt(signed.compute - events.compute)} steps; total ${fmt(signed.compute)} steps`);
  console.log(
    `   heap after: ${fmt(signed.currentHeapCount)} slots; wall time ${xsMs.toFixed(1)} ms on this host vs ${v8Ms.toFixed(2)} ms for the same work on V8 (${(xsMs / v8Ms).toFixed(0)}×)`,
  );
  const fw = await import('node:fs').then((fs) => fs.statSync(new URL('../dist/firmware.xs.js', import.meta.url)).size).catch(() => 0);
  console.log(`   firmware bundle (dist/firmware.xs.js, minified): ${fmt(fw / 1024, 1)} KiB`);
} finally {
  await xs.close();
}
