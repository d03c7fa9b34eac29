/**
 * bench/retention's pass in its own process (its own connection, as the
 * hub's schedule would share the file with ingest): argv file, keep ms.
 * Prints one JSON line: ranges, rows, seconds, the longest transaction (ms).
 */
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { HubLog } from '../host/hub/hub-log.js';
import { Cartridge } from '../host/store/cartridge.js';
import { RetentionPass } from '../host/store/retention-pass.js';

const [file, keep] = process.argv.slice(2);
const cartridge = Cartridge.open(file, { crypto: nodeCrypto });
const hub = new HubLog({ cartridge, identity: identityFromSecretKey(new Uint8Array(32).fill(99), nodeCrypto), crypto: nodeCrypto, clock: Date.now });
let longest = 0;
// The pass's write transactions, timed (everything else it does is reading, which ingest never waits for).
const timedLog = {
  id: hub.id,
  append: hub.append.bind(hub),
  atomically<T>(fn: () => T): T {
    const s = performance.now();
    try {
      return hub.atomically(fn);
    } finally {
      longest = Math.max(longest, performance.now() - s);
    }
  },
};
const pass = new RetentionPass({ cartridge, hubLog: timedLog, crypto: nodeCrypto, keepMs: Number(keep), clock: Date.now });
const t0 = performance.now();
let ranges = 0;
let rows = 0;
for (let s = pass.step(); s; s = pass.step()) {
  ranges++;
  rows += s.count;
}
const seconds = (performance.now() - t0) / 1000;
cartridge.close();
process.stdout.write(JSON.stringify({ ranges, rows, seconds, longestMs: longest }) + '\n');
