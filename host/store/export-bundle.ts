import type { EventEntry } from '../../firmware/event/envelope.js';
import { encodeBundle, unsignedRuns } from './bundle-format.js';
import type { Cartridge } from './cartridge.js';
import { Checkpoints } from './checkpoints.js';
import { StoreError } from './store-error.js';

export interface ExportedBundle {
  bytes: Uint8Array;
  node: string;
  first: number;
  last: number;
  entries: number;
  checkpoints: number;
  /** Runs of exported seqs no checkpoint signs (stored before migration step 13): verify reports them unverifiable. */
  unsigned: { from: number; to: number }[];
}

/**
 * One chain (a node's or the hub's own) from `since` as a bundle
 * (host/store/bundle-format.ts). The range starts where the first checkpoint
 * ending at or after `since` starts, so each exported checkpoint has all its
 * entries and the bundle verifies on its own. Throws StoreError
 * 'unknown-node' for a chain the cartridge does not hold, RangeError for a
 * bad `since`.
 */
export function exportBundle(cartridge: Cartridge, node: string, since = 1): ExportedBundle {
  if (!Number.isSafeInteger(since) || since < 1) throw new RangeError(`since must be a seq (a whole number from 1), got ${since}`);
  const key = cartridge.nodeKey(node)?.publicKey;
  if (!key) throw new StoreError('unknown-node', `the cartridge holds no chain for ${node}`);
  const checkpoints = new Checkpoints(cartridge.db).endingFrom(node, since);
  const from = checkpoints.reduce((m, c) => Math.min(m, c.first), since);
  const entries: EventEntry[] = [];
  for (const e of cartridge.chain(node, from)) entries.push(e);
  if (entries.length === 0) throw new StoreError('unknown-node', `${node} has no stored entries from seq ${since}`);
  const first = entries[0].seq;
  const last = entries[entries.length - 1].seq;
  const unsigned = unsignedRuns(
    entries.map((x) => x.seq),
    checkpoints,
  );
  const bytes = encodeBundle({ node, key, first, last, checkpoints, entries });
  return { bytes, node, first, last, entries: entries.length, checkpoints: checkpoints.length, unsigned };
}
