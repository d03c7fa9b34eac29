import { batchSignedForm } from '../../firmware/batch/batch.js';
import { isValueMap } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import type { Cartridge } from './cartridge.js';
import { type Checkpoint, Checkpoints } from './checkpoints.js';
import { type PrunedRange, summaryStates } from './pruned-ranges.js';
import { PRUNED_TYPE } from './retention-pass.js';

/**
 * Why a chain's pruned range is not vouched for, or undefined when it is:
 * its summary on the hub's chain is a `system.retention.pruned` stating this
 * very range (node, first, last, count, hash, prev, last hash) inside a
 * checkpoint the hub signed, and the node's own checkpoint at `last` signs
 * the range's last hash as its head. So neither a row of pruned_ranges nor a
 * summary can be changed (or made up) without the other and a signature.
 */
export function prunedRangeFault(cartridge: Cartridge, crypto: CryptoProvider, node: string, p: PrunedRange): string | undefined {
  const name = `pruned range ${p.first}..${p.last}`;
  let summary: ReturnType<Cartridge['chain']> extends IterableIterator<infer E> ? E | undefined : never;
  for (const e of cartridge.chain(p.hub, { from: p.summary, to: p.summary })) summary = e;
  const d = summary?.data;
  if (!summary || summary.type !== PRUNED_TYPE || !isValueMap(d)) return `${name}: its summary (hub seq ${p.summary}) is not on the hub chain`;
  if (!summaryStates(d, node, p)) return `${name}: its summary (hub seq ${p.summary}) states another range or hash`;
  const checkpoints = new Checkpoints(cartridge.db);
  const hubSigned = checkpoints.endingFrom(p.hub, p.summary).find((c) => c.first <= p.summary);
  if (!hubSigned || !signedBy(cartridge, crypto, p.hub, hubSigned)) return `${name}: no checkpoint the hub signed covers its summary (hub seq ${p.summary})`;
  const nodeSigned = checkpoints.endingFrom(node, p.last)[0];
  if (!nodeSigned || nodeSigned.last !== p.last || !bytesEqual(nodeSigned.head, p.lastHash) || !signedBy(cartridge, crypto, node, nodeSigned))
    return `${name}: the node's checkpoint at seq ${p.last} does not sign its last hash`;
  return undefined;
}

function signedBy(cartridge: Cartridge, crypto: CryptoProvider, chain: string, c: Checkpoint): boolean {
  const key = cartridge.nodeKey(chain)?.publicKey;
  return key !== undefined && crypto.verify(c.sig, batchSignedForm(chain, c.first, c.last, c.head, c.dropped), key);
}
