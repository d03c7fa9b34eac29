/**
 * bench/node-xs: the node firmware inside XS (xsnap: Moddable's XS 13.3),
 * one BME280 sampled every second, batches of 32, against an in-process
 * receiver that verifies and acknowledges like the hub (no HTTP, so the
 * figures are the firmware's). Prints the bundle size, XS compute steps
 * per reading cycle and per signed batch, and the live heap after 10,000
 * cycles against the live heap after 1,000 (the baseline: no growth means
 * no leak), each read after a forced full garbage collection (xsnap's gc()):
 * the meter of an ordinary exchange also counts garbage not yet collected.
 * Then the downlink's work on the node (sim/xs/entries/downlink-work-entry.ts):
 * verifying a hub's signed answer with 4 commands, acting on them and
 * recording the outcomes, signing a poll, beside signing a batch of 32; and
 * the crypto alone. All of it with the JavaScript crypto (@noble): a
 * Moddable build hashes and signs in native code (firmware/crypto/native),
 * which xsnap has not, so those figures cannot be measured here.
 */
import { BatchReader } from '../firmware/batch/batch-reader.js';
import { verifyBatch } from '../firmware/batch/verify-batch.js';
import { decodeCbor } from '../firmware/codec/cbor-decode.js';
import { toJsonValue } from '../firmware/codec/json-form.js';
import type { EventLogHead } from '../firmware/event/event-log.js';
import { getBoard } from '../host/boards/board-registry.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Bme280Model } from '../sim/models/bme280-model.js';
import { XsNode } from '../sim/node/xs-node.js';
import { VirtualClock } from '../sim/world/virtual-clock.js';
import { statSync } from 'node:fs';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { signAck } from '../firmware/uplink/signed-ack.js';
import { XsSession } from '../sim/xs/xs-session.js';

/** Reads the node's batches, compact (the node's default) or full. */
const reader = new BatchReader(nodeCrypto);

let head: EventLogHead | undefined;
let batches = 0;
let batchBytes = 0;
const clock = new VirtualClock(Date.UTC(2026, 0, 1));

/** A node in XS sending batches in `form` to a receiver that verifies them as the hub does. */
async function startNode(form: 'compact' | 'full'): Promise<XsNode> {
  head = undefined;
  return XsNode.start({
    name: `bench-${form}`,
    board: getBoard('esp32-devkitc'),
    clock,
    config: {
      board: 'esp32-devkitc',
      secretKey: toJsonValue(new Uint8Array(32).fill(5)),
      hub: { publicKey: toJsonValue(new Uint8Array(32).fill(6)) },
      sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
      uplink: { batchSize: 32, maxDelayMs: 600_000, form },
      buffer: { budgetBytes: 262_144 },
    },
    uplink: async (hex) => {
      const r = verifyBatch(reader.read(decodeCbor(Buffer.from(hex, 'hex'))), { crypto: nodeCrypto, known: head });
      head = r.head;
      batches++;
      batchBytes = hex.length / 2;
      return { status: 200, body: Buffer.from(JSON.stringify({ ack: r.head.seq, stored: r.fresh.length })) };
    },
    wire: (b) => {
      const m = new Bme280Model(0x76, b.clock);
      m.setSignal('temperature', (t) => 21 + Math.sin(t / 600_000));
      b.attachI2c(m);
    },
  });
}

/** One cycle (a BME280 sample: 3 readings, 3 events) without a batch, and one that completes a batch, after a warm-up. */
async function cycleCost(node: XsNode, from: number): Promise<{ cycle: number; withBatch: number; bytes: number }> {
  // Warm up past the first batches (noble builds its tables on first use; the dictionary goes whole once).
  await node.run(from + 100_000);
  let cycle = 0;
  let withBatch = 0;
  for (let s = 101; s < 200 && (cycle === 0 || withBatch === 0); s++) {
    const before = batches;
    const { meter } = await node.run(from + s * 1000);
    if (batches === before && cycle === 0) cycle = meter.compute;
    if (batches > before && withBatch === 0) withBatch = meter.compute;
  }
  return { cycle, withBatch, bytes: batchBytes };
}

// The full form first, as the baseline, on a node of its own.
const fullNode = await startNode('full');
const full = await cycleCost(fullNode, clock.now());
await fullNode.close();
const node = await startNode('compact');
const t0 = clock.now();
const compact = await cycleCost(node, t0);
const cycle = { compute: compact.cycle };
const withBatch = { compute: compact.withBatch };
/** The live heap after `cycles` cycles: the meter's count as the last cycle ended, and after a full collection. */
const heapAt = async (cycles: number) => {
  const { meter } = await node.run(t0 + cycles * 1000);
  return { metered: meter.currentHeapCount, live: await node.liveHeapSlots() };
};
const wall0 = process.hrtime.bigint();
const h1k = await heapAt(1000);
const h10k = await heapAt(10_000);
const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
await node.close();
const fw = statSync(new URL('../dist/firmware.xs.js', import.meta.url)).size;
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
console.log('bench/node-xs: node firmware in XS, one BME280 at 1 Hz (3 readings a cycle), batches of 32, JavaScript crypto (@noble)');
console.log(
  `  firmware bundle: ${(node.bundleBytes / 1024).toFixed(1)} KiB unminified (node app + drivers + sim bridge); core only, minified: ${(fw / 1024).toFixed(1)} KiB`,
);
console.log(`  one reading cycle (sample, 3 chained events, bridge calls): ${cycle.compute.toLocaleString('en-US')} XS compute steps`);
console.log(
  `  a cycle that also signs and sends a batch of 32: ${withBatch.compute.toLocaleString('en-US')} steps (${(withBatch.compute / cycle.compute).toFixed(1)}× a plain cycle)`,
);
const perBatch = (c: { cycle: number; withBatch: number }) => c.withBatch - c.cycle;
console.log(
  `  signing and sending a batch of 32, compact: ${f0(perBatch(compact))} steps (${f0(perBatch(compact) / 32)} a reading), ${compact.bytes} B; full (baseline): ${f0(perBatch(full))} steps (${f0(perBatch(full) / 32)} a reading), ${full.bytes} B; compact/full ${(perBatch(compact) / perBatch(full)).toFixed(2)}× the steps, ${(compact.bytes / full.bytes).toFixed(2)}× the bytes`,
);
console.log(`  a plain cycle (3 readings), compact node: ${f0(compact.cycle)} steps (${f0(compact.cycle / 3)} a reading); full node: ${f0(full.cycle)} steps`);
const ratio = h10k.live / h1k.live;
console.log(
  `  live heap after a forced full collection: ${f0(h1k.live)} slots after 1,000 cycles (baseline), ${f0(h10k.live)} after 10,000: ${ratio.toFixed(3)}× (${ratio <= 1.05 ? 'no growth' : `GROWTH ${((ratio - 1) * 100).toFixed(1)}%`}); ${f0(h1k.live * 16)} / ${f0(h10k.live * 16)} B at 16 B a slot (32-bit XS; chunks not counted, xsnap does not report them)`,
);
console.log(`  (the meter as the cycle ended, garbage included: ${f0(h1k.metered)} and ${f0(h10k.metered)} slots); ${batches} batches acknowledged`);
console.log(`  9,000 cycles ran in ${(wallMs / 1000).toFixed(1)} s wall (${Math.round(9_000_000 / wallMs)}× real time)`);

// The downlink: the node's cost of a hub's signed answer, beside the cost of signing a batch.
const work = await XsSession.start(new URL('../sim/xs/entries/downlink-work-entry.ts', import.meta.url).pathname);
try {
  const hub = identityFromSecretKey(new Uint8Array(32).fill(8), nodeCrypto);
  const { value: nodeId } = await work.call<string>('setup', '09'.repeat(32), Buffer.from(hub.publicKey).toString('hex'));
  const head = new Uint8Array(32).fill(0x3c);
  const outputs = ['relay', 'led', 'fan', 'pump'];
  const answer = (n: number) =>
    JSON.stringify(
      signAck(
        {
          node: nodeId,
          ack: 1234,
          stored: 32,
          time: Date.UTC(2026, 0, 1),
          commands: outputs.slice(0, n).map((output, i) => ({
            id: `aaaaaaaaaaaaaaa${'abcd'[i]}`,
            seq: i + 1,
            action: i === 3 ? { output, op: 'pulse' as const, ms: 1500 } : { output, op: 'on' as const },
            notAfter: Date.UTC(2027, 0, 1),
          })),
          head,
          nonce: null,
        },
        hub,
        nodeCrypto,
      ),
    );
  const headHex = Buffer.from(head).toString('hex');
  const steps = async (cmd: string, ...args: unknown[]) => (await work.call(cmd, ...args)).meter.compute;
  // Warm up: noble builds its tables on first use, in verifying as in signing.
  await work.call('verify', answer(4), headHex);
  await work.call('append', 32);
  await work.call('sign');
  const noop = await steps('noop');
  const verify0 = (await steps('verify', answer(0), headHex)) - noop;
  const verify4 = (await steps('verify', answer(4), headHex)) - noop;
  const handle4 = (await steps('handle', answer(4), headHex, outputs)) - noop;
  const poll = (await steps('poll')) - noop;
  await work.call('append', 32);
  const sign = (await steps('sign')) - noop;
  // The crypto alone, on the bytes the batch just hashed and signed: what a Moddable build runs natively.
  const { value: sizes } = await work.call<{ hashed: number; signed: number }>('cryptoSizes');
  const hashOnly = (await steps('hashOnly')) - noop;
  const signOnly = (await steps('signOnly')) - noop;
  const f = (n: number) => n.toLocaleString('en-US');
  console.log('bench/node-xs: the downlink on the node, XS compute steps (the exchange itself, ' + f(noop) + ' steps, taken off)');
  console.log(
    `  verify a signed answer with 4 commands: ${f(verify4)} steps (without commands: ${f(verify0)}); ${(verify4 / sign).toFixed(2)}× signing a batch`,
  );
  console.log(`  verify, act on the 4 through digital outputs and chain 4 effect events: ${f(handle4)} steps`);
  console.log(`  sign a downlink poll: ${f(poll)} steps; sign a batch of 32 (baseline): ${f(sign)} steps`);
  const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)} %`;
  console.log('bench/node-xs: the crypto alone in JavaScript (@noble), what a Moddable build hashes and signs in native code instead');
  console.log(
    `  Ed25519 signature of a batch's signed form (${sizes.signed} B): ${f(signOnly)} steps, ${pct(signOnly, sign)} of signing a batch of 32 (baseline), ${pct(signOnly, perBatch(compact))} of signing and sending one compact`,
  );
  console.log(
    `  SHA-256 of an event's hashed form (${sizes.hashed} B): ${f(hashOnly)} steps; one for each of a cycle's 3 events: ${pct(3 * hashOnly, compact.cycle)} of a plain cycle (baseline: ${f0(compact.cycle)} steps)`,
  );
  console.log("  native code (the SDK's Digest, libsodium) does not run in xsnap: its figures cannot be measured here, only on a device");
} finally {
  await work.close();
}
