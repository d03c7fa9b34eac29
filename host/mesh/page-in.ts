import type { Batch } from '../../firmware/batch/batch.js';
import { withCheckedSignature } from '../../firmware/batch/checked-signature.js';
import { withLinkedHashes } from '../../firmware/batch/compact-batch.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { ForkError, GapError, VerifyError } from '../../firmware/errors.js';
import { type EventEntry, entryHash } from '../../firmware/event/envelope.js';
import { bytesEqual } from '../../firmware/event/verify-chain.js';
import { type Bundle, BundleError } from '../store/bundle-format.js';
import type { Cartridge } from '../store/cartridge.js';
import { indexOfSeq } from '../store/seq-index.js';
import { StoreError } from '../store/store-error.js';
import { checkBundle } from '../store/verify-bundle.js';
import { MeshError, type MeshErrorCode } from './mesh-error.js';

/** The largest page accepted (a page of a few thousand entries ending on a checkpoint is well under it). */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** What storing one page did. */
export interface PageStored {
  node: string;
  /** Entries the page carried and how many of them were new here (0 when resent). */
  entries: number;
  stored: number;
  /** The chain's stored head seq after the page. */
  head: number;
}

/** A refused page's BundleError as the mesh's code: what was done to it, else what is wrong with it. */
function meshCodeOf(e: BundleError): MeshErrorCode {
  if (e.fault === 'forged') return 'forged-checkpoint';
  if (e.fault) return e.fault;
  return e.code === 'bundle-unverifiable' ? 'unsigned' : 'malformed';
}

/** The page's checkpoints as the batches they signed (each its range of entries already hashed and linked, its signature already verified), for the Ingestor. */
function batchesOf(b: Bundle, hashes: Uint8Array[], signedForms: Uint8Array[]): Batch[] {
  // A checkpoint over a range the peer's retention pruned has lost entries: storePage has checked this hub holds them.
  const pruned = b.pruned ?? [];
  const kept = pruned.length === 0 ? b.checkpoints : b.checkpoints.filter((c) => !pruned.some((p) => p.first <= c.last && p.last >= c.first));
  return kept.map((c, k) => {
    const i = kept === b.checkpoints ? k : b.checkpoints.indexOf(c);
    // checkBundle found each kept checkpoint's range whole in the page: its ends are there.
    const from = indexOfSeq(b.entries, c.first);
    const to = indexOfSeq(b.entries, c.last) + 1;
    const entries = b.entries.slice(from, to);
    const batch: Batch = { v: 1, node: b.node, key: b.key, first: c.first, last: c.last, head: c.head, entries, sig: c.sig };
    if (c.dropped) batch.dropped = { ...c.dropped };
    return withCheckedSignature(withLinkedHashes(batch, hashes.slice(from, to)), signedForms[i]);
  });
}

export interface PageInContext {
  cartridge: Cartridge;
  crypto: CryptoProvider;
  /** A paired hub's key by its id (its chain is kept as kind 'peer'), else undefined. */
  pairedKey: (hub: string) => Uint8Array | undefined;
  /** Called inside the page's transaction with a paired hub chain's fresh entries (replicated administration). */
  onPeerHubEntries?: (peer: string, fresh: readonly EventEntry[]) => void;
}

/** A page checked whole (checkBundle): the bundle, its entries' hashes and each checkpoint's verified signed form. */
export interface CheckedPage {
  bundle: Bundle;
  hashes: Uint8Array[];
  signedForms: Uint8Array[];
}

/** A refused page's BundleError as the MeshError the mesh throws. */
export function refusedPage(node: string, e: BundleError): MeshError {
  return new MeshError(meshCodeOf(e), `page of ${node}: ${e.message}`, { cause: e });
}

/**
 * Checks a page of `node` whole (checkBundle), here and now. With
 * `deferSignatures`, everything but its checkpoints' signatures, which are
 * handed to it, and the node it is of (checkNode): what it returns then is
 * not a CheckedPage until they passed (host/mesh/page-check-off-thread.ts
 * verifies them on a worker thread). Throws refusedPage's MeshError.
 */
export function checkPage(
  crypto: CryptoProvider,
  node: string,
  bytes: Uint8Array,
  deferSignatures?: (checkpoint: number, sig: Uint8Array, signedForm: Uint8Array) => void,
): CheckedPage {
  let b: Bundle;
  let hashes: Uint8Array[];
  const signedForms: Uint8Array[] = [];
  try {
    // decodedOnly: what is stored is re-derived from the decoded, checked parts (checkBundle's options say why).
    ({ bundle: b, hashes } = checkBundle(bytes, crypto, {
      maxBytes: MAX_PAGE_BYTES,
      decodedOnly: true,
      onSignatureChecked: (i, form) => void (signedForms[i] = form),
      deferSignatures:
        deferSignatures &&
        ((i, sig, form) => {
          signedForms[i] = form;
          deferSignatures(i, sig, form);
        }),
    }));
  } catch (e) {
    if (e instanceof BundleError) throw refusedPage(node, e);
    throw e;
  }
  if (!deferSignatures) checkNode(b, node);
  return { bundle: b, hashes, signedForms };
}

/** A page of another chain than the one asked for is refused (after its signatures, as checkBundle's refusals come first). */
export function checkNode(b: Bundle, node: string): void {
  if (b.node !== node) throw new MeshError('malformed', `asked for a page of ${node}, got one of ${b.node}`);
}

/**
 * A page a paired hub sent for `node`: verified whole (checkPage: every
 * entry's hash and link, every checkpoint's signature), then stored
 * (storeChecked). Throws MeshError: the BundleError's code mapped (altered,
 * reordered, truncated, forged-checkpoint, unsigned, malformed),
 * 'unknown-node', 'node-revoked', or 'fork' with the first seq where a
 * validly signed entry differs from the stored one (`fork` then holds it).
 * Nothing of a refused page is stored.
 */
export function storePage(ctx: PageInContext, node: string, bytes: Uint8Array): PageStored {
  return storeChecked(ctx, node, checkPage(ctx.crypto, node, bytes));
}

/**
 * A page checkPage verified whole, checked against what is stored
 * (continuity with the stored head, or overlap with stored entries) and
 * stored through the Ingestor, one transaction for the page; throws as
 * storePage says.
 */
export function storeChecked(ctx: PageInContext, node: string, page: CheckedPage): PageStored {
  const { bundle: b, hashes, signedForms } = page;
  const c = ctx.cartridge;
  let kind = c.nodeKey(node)?.kind;
  if (!kind) {
    const peerKey = ctx.pairedKey(node);
    if (!peerKey) throw new MeshError('unknown-node', `${node} is neither enrolled here nor a paired hub`);
    c.addNode(peerKey, {}, 'peer');
    kind = 'peer';
  }
  const before = c.head(node)?.seq ?? 0;
  // Ranges the peer pruned (each with its hub's signed summary, checked): taken only where this hub holds them already.
  const ahead = b.pruned?.find((p) => p.last > before);
  if (ahead)
    throw new MeshError(
      'truncated',
      `page of ${node}: seqs ${ahead.first}..${ahead.last} were pruned by the peer's retention (its signed summary, hub seq ${ahead.summary.seq}, came instead); this hub holds up to seq ${before} and does not take a pruned range from a peer`,
    );
  for (const p of b.pruned ?? []) {
    // The node signed the range's last hash; another one here at that seq is a fork inside the range.
    const ours = [...c.chain(node, { from: p.last, to: p.last })].map((e) => entryHash(e, ctx.crypto))[0];
    if (ours && !bytesEqual(ours, p.lastHash))
      throw new ForkSeen({ node, seq: p.last, stored: ours, other: p.lastHash }, new Error(`the peer pruned ${p.first}..${p.last} over another chain`));
  }
  try {
    const results = c.ingestPage(batchesOf(b, hashes, signedForms), (rs) => {
      if (kind !== 'peer' || !ctx.onPeerHubEntries) return;
      const fresh = rs.flatMap((r) => r.fresh);
      if (fresh.length > 0) ctx.onPeerHubEntries(node, fresh);
    });
    const stored = results.reduce((n, r) => n + r.stored, 0);
    return { node, entries: b.entries.length, stored, head: Math.max(before, ...results.map((r) => r.ack)) };
  } catch (e) {
    if (e instanceof ForkError) throw forkOf(c, b, ctx.crypto, e);
    if (e instanceof StoreError && (e.code === 'unknown-node' || e.code === 'node-revoked')) throw new MeshError(e.code, e.message, { cause: e });
    if (e instanceof GapError) throw new PageAhead(`page of ${node} starts past the stored head ${before}: ${e.message}`, e);
    if (e instanceof VerifyError) throw new MeshError(e.code === 'gap' ? 'truncated' : 'altered', `page of ${node}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * A page that starts past the stored head (the bundle itself has no gap: it
 * verified whole). From a peer asked for what follows the head it is a
 * truncated answer; over NATS, where chains' pages may arrive out of order,
 * it waits for the page before it.
 */
export class PageAhead extends MeshError {
  constructor(message: string, cause: GapError) {
    super('truncated', message, { cause });
    this.name = 'PageAhead';
  }
}

/** A fork: the first entry of the page whose hash differs from the one stored at its seq. */
export class ForkSeen extends MeshError {
  constructor(
    readonly fork: { node: string; seq: number; stored: Uint8Array; other: Uint8Array },
    cause: unknown,
  ) {
    super('fork', `${fork.node} forked at seq ${fork.seq}: a validly signed entry differs from the stored one (kept as proof, neither wins)`, { cause });
    this.name = 'ForkSeen';
  }
}

function forkOf(c: Cartridge, b: Bundle, crypto: CryptoProvider, cause: ForkError): ForkSeen {
  const head = c.head(b.node)?.seq ?? 0;
  const last = Math.min(head, b.last);
  const stored = new Map<number, EventEntry>();
  for (const e of c.chain(b.node, { from: b.first, to: last })) stored.set(e.seq, e);
  for (const e of b.entries) {
    const s = stored.get(e.seq);
    if (s && s.id !== e.id) return new ForkSeen({ node: b.node, seq: e.seq, stored: entryHash(s, crypto), other: entryHash(e, crypto) }, cause);
    if (e.seq === head + 1 && !s) {
      // The page's next entry links to another entry at the stored head's seq: the fork is there.
      const h = c.head(b.node);
      if (h && !bytesEqual(e.prev, h.hash)) return new ForkSeen({ node: b.node, seq: head, stored: h.hash, other: e.prev }, cause);
    }
  }
  return new ForkSeen({ node: b.node, seq: cause.stored.seq, stored: cause.stored.hash, other: b.checkpoints[b.checkpoints.length - 1].head }, cause);
}
