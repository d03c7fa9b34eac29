/**
 * bench/node-xs: the node firmware inside XS (xsnap: Moddable's XS 13.3),
 * one BME280 sampled every second, batches of 32, against an in-process
 * receiver that verifies and acknowledges like the hub (no HTTP, so the
 * figures are the firmware's). Prints the bundle size, XS compute and heap
 * per reading cycle, per signed batch, and the heap after 10,000 cycles
 * against the heap after 1,000 (the baseline: no growth means no leak).
 */
import { batchFromValue } from '../firmware/batch/batch.js';
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

let head: EventLogHead | undefined;
let batches = 0;
const clock = new VirtualClock(Date.UTC(2026, 0, 1));
const node = await XsNode.start({
  name: 'bench',
  board: getBoard('esp32-devkitc'),
  clock,
  config: {
    board: 'esp32-devkitc',
    secretKey: toJsonValue(new Uint8Array(32).fill(5)),
    hub: { publicKey: toJsonValue(new Uint8Array(32).fill(6)) },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
    uplink: { batchSize: 32, maxDelayMs: 600_000 },
    buffer: { budgetBytes: 262_144 },
  },
  uplink: async (hex) => {
    const r = verifyBatch(batchFromValue(decodeCbor(Buffer.from(hex, 'hex'))), { crypto: nodeCrypto, known: head });
    head = r.head;
    batches++;
    return { status: 200, body: Buffer.from(JSON.stringify({ ack: r.head.seq, stored: r.fresh.length })) };
  },
  wire: (b) => {
    const m = new Bme280Model(0x76, b.clock);
    m.setSignal('temperature', (t) => 21 + Math.sin(t / 600_000));
    b.attachI2c(m);
  },
});
const t0 = clock.now();
// Warm up past the first batches (noble builds its tables on first use).
await node.run(t0 + 100_000);
// One cycle (a BME280 sample: 3 readings, 3 events) without a batch, then one that completes a batch.
let cycle = { compute: 0, heap: 0 };
let withBatch = { compute: 0 };
for (let s = 101; s < 200; s++) {
  const before = batches;
  const { meter } = await node.run(t0 + s * 1000);
  if (batches === before && cycle.compute === 0) cycle = { compute: meter.compute, heap: meter.currentHeapCount };
  if (batches > before && withBatch.compute === 0) withBatch = { compute: meter.compute };
}
const heapAt = async (cycles: number) => {
  const { meter } = await node.run(t0 + cycles * 1000);
  return meter.currentHeapCount;
};
const wall0 = process.hrtime.bigint();
const h1k = await heapAt(1000);
const h10k = await heapAt(10_000);
const wallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
await node.close();
const fw = statSync(new URL('../dist/firmware.xs.js', import.meta.url)).size;
console.log('bench/node-xs: node firmware in XS, one BME280 at 1 Hz (3 readings a cycle), batches of 32');
console.log(
  `  firmware bundle: ${(node.bundleBytes / 1024).toFixed(1)} KiB unminified (node app + drivers + sim bridge); core only, minified: ${(fw / 1024).toFixed(1)} KiB`,
);
console.log(`  one reading cycle (sample, 3 chained events, bridge calls): ${cycle.compute.toLocaleString('en-US')} XS compute steps`);
console.log(
  `  a cycle that also signs and sends a batch of 32: ${withBatch.compute.toLocaleString('en-US')} steps (${(withBatch.compute / cycle.compute).toFixed(1)}× a plain cycle)`,
);
console.log(
  `  heap after 1,000 cycles: ${h1k.toLocaleString('en-US')} slots; after 10,000: ${h10k.toLocaleString('en-US')} (${h10k <= h1k * 1.05 ? 'no growth' : `GROWTH ${((h10k / h1k - 1) * 100).toFixed(1)}%`}); ${batches} batches acknowledged`,
);
console.log(`  9,000 cycles ran in ${(wallMs / 1000).toFixed(1)} s wall (${Math.round(9_000_000 / wallMs)}× real time)`);
