/**
 * The nodes bench/soak simulates: each its own key and its own loopback
 * source address (the hub caps connections per address), and a kind that
 * sets how often it reads.
 */
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { prng } from './rule-fixtures.js';

/** env: temperature and humidity every 10–60 s; fast: temperature every second; pir: motion in bursts. */
export type SoakKind = 'env' | 'fast' | 'pir';

export interface SoakNode {
  name: string;
  secretKey: number[];
  address: string;
  kind: SoakKind;
  /** Between readings (pir: between looks for motion). */
  intervalMs: number;
}

/** `count` nodes: 80 % env, 10 % fast, 10 % pir; with `rate`, every node reads a temperature once a second. */
export function soakNodes(count: number, rate: boolean): (SoakNode & { publicKey: Uint8Array })[] {
  const rnd = prng(1019);
  return Array.from({ length: count }, (_, i) => {
    const secret = new Uint8Array(32).fill(0x5a);
    new DataView(secret.buffer).setUint32(0, i + 1);
    const k = rnd();
    const kind: SoakKind = rate ? 'fast' : k < 0.8 ? 'env' : k < 0.9 ? 'fast' : 'pir';
    const intervalMs = kind === 'env' ? 10_000 + Math.floor(rnd() * 50_000) : kind === 'fast' ? 1000 : 5000;
    return {
      name: `soak-${i}`,
      secretKey: [...secret],
      publicKey: identityFromSecretKey(secret, nodeCrypto).publicKey,
      address: `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      kind,
      intervalMs,
    };
  });
}
