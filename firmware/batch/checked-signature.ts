import { bytesEqual } from '../event/verify-chain.js';
import type { Batch } from './batch.js';

/**
 * Headers already checked, so a batch is not verified twice: a mesh page's
 * checkpoints are verified whole (host/store/verify-bundle.ts: its node id
 * derived from its key, each signature verified) before the Ingestor's
 * verifyBatch sees them as batches. Keyed by the batch object and holding
 * what was checked (node, key, signature, signed form): verifyBatch skips a
 * check only while the batch still holds exactly those, so a changed or
 * copied batch is checked afresh.
 */
const checked = new WeakMap<Batch, { node: string; key: Uint8Array; sig: Uint8Array; form: Uint8Array }>();

/** Records that `b.node` derives from `b.key` and that `b.sig` over `form` by that key was verified; returns the batch. */
export function withCheckedSignature(b: Batch, form: Uint8Array): Batch {
  checked.set(b, { node: b.node, key: new Uint8Array(b.key), sig: new Uint8Array(b.sig), form });
  return b;
}

/** The signed form recorded for `b` (withCheckedSignature) while its node, key and signature are still the ones checked, else undefined. */
export function checkedForm(b: Batch): Uint8Array | undefined {
  const c = checked.get(b);
  return c !== undefined && c.node === b.node && bytesEqual(c.key, b.key) && bytesEqual(c.sig, b.sig) ? c.form : undefined;
}
