import { encodeCbor } from '../codec/cbor-encode.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import { POLL_NONCE_BYTES } from './downlink-poll.js';

/**
 * Fresh poll nonces without a random source at hand: SHA-256 over a seed and
 * a counter, the first 16 bytes. They never repeat while the seed does not:
 * the seed comes from injected entropy where there is some, otherwise from
 * the node's secret key and its clock at boot (NodeApp), which a device sets
 * over SNTP before the firmware starts.
 */
export function pollNonces(seed: Uint8Array, crypto: CryptoProvider): () => Uint8Array {
  let n = 0;
  return () => crypto.sha256(encodeCbor(['fazt/poll-nonce/v1', seed, n++])).slice(0, POLL_NONCE_BYTES);
}
