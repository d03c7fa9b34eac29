import type { Batch } from '../../../firmware/batch/batch.js';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import type { CryptoProvider } from '../../../firmware/crypto/crypto-provider.js';
import { ForkError, GapError, VerifyError } from '../../../firmware/errors.js';
import { BundleError, bundleFromValue } from '../../store/bundle-format.js';
import type { Cartridge } from '../../store/cartridge.js';
import { StoreError } from '../../store/store-error.js';
import { verifyBundle } from '../../store/verify-bundle.js';
import { MeshError, type MeshErrorCode } from '../mesh-error.js';
import type { ApplyResult, MeshSink } from './mesh-sink.js';

const BUNDLE_CODES: Record<string, MeshErrorCode> = {
  'bundle-entry': 'altered',
  'bundle-checkpoint': 'forged-checkpoint',
  'bundle-gap': 'truncated',
  'bundle-unverifiable': 'unsigned',
};

/**
 * The stand-in sink until the mesh store's page-in is wired (issue 17, sync):
 * verifies the page on its own (verifyBundle), then stores each checkpoint's
 * range as a batch through the cartridge's ingest, which verifies it again
 * against the stored head and is idempotent on (node, seq). Refuses what
 * either check rejects, naming the MeshError code; throws for a page that
 * starts past the stored head, so the consumer delivers it again later.
 */
export class CartridgeSink implements MeshSink {
  constructor(
    private readonly cartridge: Cartridge,
    private readonly crypto: CryptoProvider,
  ) {}

  async apply(bytes: Uint8Array, from: string): Promise<ApplyResult> {
    const refuse = (code: MeshErrorCode, why: string): ApplyResult => ({ ok: false, error: new MeshError(code, `page from ${from}: ${why}`) });
    let batches: Batch[];
    try {
      verifyBundle(bytes, this.crypto);
      const b = bundleFromValue(decodeCbor(bytes));
      batches = b.checkpoints.map((c) => ({
        v: 1,
        node: b.node,
        key: b.key,
        first: c.first,
        last: c.last,
        head: c.head,
        sig: c.sig,
        entries: b.entries.filter((e) => e.seq >= c.first && e.seq <= c.last),
        ...(c.dropped ? { dropped: c.dropped } : {}),
      }));
    } catch (e) {
      if (e instanceof BundleError) return refuse(BUNDLE_CODES[e.code] ?? 'malformed', e.message);
      return refuse('malformed', (e as Error).message);
    }
    let stored = 0;
    for (const batch of batches) {
      try {
        stored += this.cartridge.ingestBatch(batch).stored;
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'unknown-node' || e.code === 'node-revoked')) return refuse(e.code, e.message);
        if (e instanceof ForkError) return refuse('fork', e.message);
        // Ahead of the stored head (the page before it is still to come, or was nak'ed): not a refusal, it comes again.
        if (e instanceof GapError)
          throw new MeshError('truncated', `page from ${from} is ahead of the stored chain, it waits for the one before: ${e.message}`);
        if (e instanceof VerifyError) return refuse(e.code === 'bad-signature' ? 'forged-checkpoint' : 'altered', e.message);
        throw e;
      }
    }
    return { ok: true, stored };
  }
}
