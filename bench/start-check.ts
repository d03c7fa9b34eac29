/**
 * bench/start-check: what the hub's start check (host/store/check-cartridge.ts)
 * costs on a big cartridge, against the full walk `fazt restore` makes
 * (verifyStoredChains from seq 1) in the same run. 10 nodes' BME280 readings,
 * 1 M entries in all (`--quick`: 100 k), ingested in batches of 32 by the hub's
 * own ingest; then the cartridge is closed and opened again, as at a start.
 * The OS page cache is warm (the file was just written): a cold SD card adds
 * the time to read the file once.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Cartridge } from '../host/store/cartridge.js';
import { checkCartridge, START_CHECK_RECENT } from '../host/store/check-cartridge.js';
import { verifyStoredChains } from '../host/store/verify-stored-chains.js';

const quick = process.argv.includes('--quick');
const NODES = 10;
const EVENTS = quick ? 100_000 : 1_000_000;
const BATCH = 32;
const T0 = Date.UTC(2026, 0, 1);

const dir = mkdtempSync(join(tmpdir(), 'fazt-start-check-'));
const file = join(dir, 'fazt.db');
const fill = Cartridge.open(file, { crypto: nodeCrypto, clock: () => T0 });
fill.db.pragma('synchronous = OFF'); // the same pages; the bench is quicker
const t0 = performance.now();
for (let n = 0; n < NODES; n++) {
  const id = identityFromSecretKey(new Uint8Array(32).fill(n + 1), nodeCrypto);
  let t = T0;
  const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => (t += 10_000), clockSource: () => 'hub' });
  fill.addNode(id.publicKey);
  for (let done = 0; done < EVENTS / NODES; done += BATCH) {
    const es = [];
    for (let k = 0; k < BATCH && done + k < EVENTS / NODES; k++)
      es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21 + ((done + k) % 70) / 10, quality: 'good', time: t }));
    fill.ingestBatch(createBatch(es, id, nodeCrypto));
  }
}
const filled = (performance.now() - t0) / 1000;
fill.close();

const timed = <T>(f: () => T): [T, number] => {
  const s = performance.now();
  const r = f();
  return [r, performance.now() - s];
};
const c = Cartridge.open(file, { crypto: nodeCrypto });
const [, quickMs] = timed(() => c.db.pragma('quick_check', { simple: true }));
const [check, checkMs] = timed(() => checkCartridge(c, nodeCrypto));
const [heads, fullMs] = timed(() => verifyStoredChains(c, nodeCrypto));
c.close();
const mb = statSync(file).size / 1e6;
rmSync(dir, { recursive: true, force: true });
if (heads.reduce((s, h) => s + h.events, 0) !== EVENTS) throw new Error('the full walk did not see every entry');

console.log(
  `bench/start-check: ${NODES} nodes × ${(EVENTS / NODES).toLocaleString('en-US')} readings, ${mb.toFixed(0)} MB cartridge (filled in ${filled.toFixed(0)} s)`,
);
console.log(
  `  start check: ${checkMs.toFixed(0)} ms (quick_check alone ${quickMs.toFixed(0)} ms; ${check.entries.toLocaleString('en-US')} entries rehashed, ${START_CHECK_RECENT} a chain, ${check.checkpoints} checkpoints)`,
);
console.log(`  full walk (fazt restore's check): ${fullMs.toFixed(0)} ms; the start check costs ${(checkMs / fullMs).toFixed(3)}× of it`);
