import { encodeCbor } from '../codec/cbor-encode.js';
import { fromHex, toHex } from '../codec/text-encodings.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { EventLogHead } from '../event/event-log.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { keyList } from './hub-keys.js';
import type { HubHead } from './transport.js';

/**
 * The head a hub holds for a node, signed by the hub's key, in its 409
 * `chain-broken` refusal: `head` = {seq, hash, sig}, where `sig` is the hub
 * key's Ed25519 signature (hex) over the deterministic CBOR of
 *   ["fazt/hub-head/v1", node, seq, hash, batch]
 * and `batch` is the signed head (last entry's hash) of the batch refused.
 * A node that lost its persisted chain head (a flash erase that kept its key)
 * continues from it (firmware/node/chain-adoption.ts). The node id binds it
 * to one node, `batch` to the one refusal: an old refusal replayed answers
 * another batch and is ignored, so it cannot rewind the node.
 */
const HEAD_DOMAIN = 'fazt/hub-head/v1';
const SIG_HEX = /^[0-9a-f]{128}$/;
const HASH_HEX = /^[0-9a-f]{64}$/;

function signedForm(node: string, seq: number, hash: Uint8Array, batch: Uint8Array): Uint8Array {
  return encodeCbor([HEAD_DOMAIN, node, seq, hash, batch]);
}

/** The hub's side: its head for `node`, signed for the refusal of the batch whose head is `batch`. */
export function signHubHead(node: string, head: EventLogHead, batch: Uint8Array, hub: NodeIdentity, crypto: CryptoProvider): Required<HubHead> {
  const sig = crypto.sign(signedForm(node, head.seq, head.hash, batch), hub.secretKey);
  return { seq: head.seq, hash: toHex(head.hash), sig: toHex(sig) };
}

/**
 * The node's side: the head in a refusal of its batch (`batch`: that batch's
 * head) when a hub key of its configuration signed it for this node and this batch; otherwise
 * why not (no signature, not the form, a signature that does not verify).
 */
export function checkHubHead(
  head: HubHead,
  expect: { node: string; batch: Uint8Array },
  hubKeys: Uint8Array | readonly Uint8Array[],
  crypto: CryptoProvider,
): { ok: true; head: EventLogHead } | { ok: false; message: string } {
  if (head.sig === undefined) return { ok: false, message: 'the head in the refusal is not signed' };
  if (!SIG_HEX.test(head.sig) || head.hash === undefined || !HASH_HEX.test(head.hash) || !(head.seq >= 1))
    return { ok: false, message: 'the signed head must be a seq ≥ 1, a 64-hex-digit hash and a 128-hex-digit sig' };
  const hash = fromHex(head.hash);
  const sig = fromHex(head.sig);
  const form = signedForm(expect.node, head.seq, hash, expect.batch);
  const keys = keyList(hubKeys);
  if (!keys.some((k) => crypto.verify(sig, form, k)))
    return {
      ok: false,
      message: `the head's signature does not verify against ${keys.length === 1 ? 'the hub key' : 'any of the hub keys'} for this node and batch`,
    };
  return { ok: true, head: { seq: head.seq, hash } };
}
