import { bytesEqual } from '../event/verify-chain.js';
import type { Batch } from './batch.js';

/**
 * Signatures already checked, so a batch is not verified twice: a mesh page's
 * checkpoints are verified whole (host/store/verify-bundle.ts) before the
 * Ingestor's verifyBatch sees them as batches. Keyed by the batch object and
 * holding what was verified (signed form, signature, key): verifyBatch skips
 * the check only when the batch still signs exactly those bytes with that
 * signature and key, so a changed or copied batch is verified afresh.
 */
const checked = new WeakMap<Batch, { form: Uint8Array; sig: Uint8Array; key: Uint8Array }>();

/** Records that `b.sig` over `form` by `b.key` was verified; returns the batch. */
export function withCheckedSignature(b: Batch, form: Uint8Array): Batch {
  checked.set(b, { form, sig: new Uint8Array(b.sig), key: new Uint8Array(b.key) });
  return b;
}

/** Whether `b`'s signature over `form` by its key was already verified (withCheckedSignature). */
export function signatureChecked(b: Batch, form: Uint8Array): boolean {
  const c = checked.get(b);
  return c !== undefined && bytesEqual(c.form, form) && bytesEqual(c.sig, b.sig) && bytesEqual(c.key, b.key);
}
