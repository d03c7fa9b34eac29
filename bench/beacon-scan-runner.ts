/**
 * Runs inside one host of bench/beacon's LAN: `runs` searches for `expect`
 * hubs, each the full `fazt beacon scan` path (node-ssdp M-SEARCH, every answer
 * verified: CBOR record, id from key, Ed25519 signature, source address),
 * alternating with a raw baseline: the same M-SEARCH from a bare UDP socket,
 * timed to the last hub's first answer packet, nothing parsed or verified.
 * Prints one JSON line: {verified: ms[], raw: ms[]}.
 *
 *   node --import tsx bench/beacon-scan-runner.ts <expect> <runs>
 */
import { createSocket } from 'node:dgram';
import { BEACON_SEARCH_TARGET } from '../firmware/beacon/beacon-record.js';
import { scanBeacons } from '../host/beacon/scan.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';

const expect = Number(process.argv[2]);
const runs = Number(process.argv[3]);
const TIMEOUT_MS = 5000;

function rawSearch(): Promise<number> {
  const msg = Buffer.from(
    ['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 1', `ST: ${BEACON_SEARCH_TARGET}`, '', ''].join('\r\n'),
  );
  return new Promise((ok, fail) => {
    const s = createSocket('udp4');
    const from = new Set<string>();
    let t0 = 0;
    const timer = setTimeout(() => (s.close(), fail(new Error(`raw search: ${from.size}/${expect} answers in ${TIMEOUT_MS} ms`))), TIMEOUT_MS);
    s.on('message', (_m, r) => {
      from.add(r.address);
      if (from.size === expect) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        s.close();
        ok(ms);
      }
    });
    s.bind(0, () => {
      t0 = performance.now();
      s.send(msg, 1900, '239.255.255.250');
    });
  });
}

const verified: number[] = [];
const raw: number[] = [];
for (let i = 0; i < runs; i++) {
  const r = await scanBeacons({ crypto: nodeCrypto, timeoutMs: TIMEOUT_MS, until: (peers) => peers.length >= expect });
  if (r.peers.length < expect) throw new Error(`run ${i}: ${r.peers.length}/${expect} hubs found in ${TIMEOUT_MS} ms`);
  verified.push(Math.max(...Object.values(r.foundAfterMs)));
  raw.push(await rawSearch());
}
process.stdout.write(JSON.stringify({ verified, raw }) + '\n');
