import type { Batch } from '../../firmware/batch/batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import type { Value } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { DictionaryStore } from './dictionaries.js';
import type { Ingestor, IngestResult } from './ingest.js';
import type { NodeRegistry } from './nodes.js';
import { type CompactContext, uplinkFromCbor, uplinkFromValue } from './parse-batch.js';
import type { StoredHook } from './stored-hook.js';

interface BatchIntakeParts {
  ingestor: Ingestor;
  registry: NodeRegistry;
  dictionaries: DictionaryStore;
  compact: CompactContext;
  /** Told after every commit of what it stored. */
  stored: StoredHook;
  clock: () => number;
}

/** How batches enter the cartridge: decoded, verified and stored (host/store/ingest.ts), then announced to the post-commit listeners. */
export class BatchIntake {
  constructor(private readonly p: BatchIntakeParts) {}

  /**
   * Decodes (CBOR bytes) or takes a data-model value of either form,
   * validates, verifies and stores an uplink batch; keeps the dictionary a
   * compact batch carried once the batch is accepted.
   */
  ingest(input: Uint8Array | Value): IngestResult {
    // A batch is a map or an array, so a Uint8Array here is always CBOR.
    const c = this.p.compact;
    const decoded = input instanceof Uint8Array ? uplinkFromCbor(input, c) : uplinkFromValue(input, c);
    const result = this.ingestBatch(decoded.batch);
    this.keepDictionary(decoded.batch.node, decoded.carried);
    return result;
  }

  /** Keeps the dictionary an accepted compact batch carried whole (nothing for a full batch). */
  keepDictionary(node: string, carried: CompactDictionary | undefined): void {
    if (carried) this.p.dictionaries.keep(node, carried, this.p.clock());
  }

  /** Stores a batch already checked against its schema (see parse-batch.ts). */
  ingestBatch(batch: Batch): IngestResult {
    const now = this.p.clock();
    const result = this.p.ingestor.ingest(batch, now);
    this.p.stored.emit(result.fresh, now, 'uplink');
    return result;
  }

  /**
   * Several batches already checked against their schema, stored with one durable commit (see Ingestor.ingestMany);
   * `carried[i]`: the dictionary batch i carried whole, kept in the same commit once the batch is stored (not in a
   * commit of its own, which cost a fleet starting at once an fsync per node).
   */
  ingestMany(batches: Batch[], carried: readonly (CompactDictionary | undefined)[] = []): (IngestResult | Error)[] {
    const now = this.p.clock();
    const results = this.p.ingestor.ingestMany(
      batches.map((batch, i) => {
        const d = carried[i];
        return { batch, receivedAt: now, also: d ? () => this.keepDictionary(batch.node, d) : undefined };
      }),
    );
    const fresh: EventEntry[] = [];
    for (const r of results) if (!(r instanceof Error)) for (const e of r.fresh) fresh.push(e);
    this.p.stored.emit(fresh, now, 'uplink');
    return results;
  }

  /** A paired hub's page, its batches in one transaction (Ingestor.ingestPage), announced after the commit. */
  ingestPage(batches: readonly Batch[], after?: (results: IngestResult[]) => void): IngestResult[] {
    const now = this.p.clock();
    const results = this.p.ingestor.ingestPage(batches, now, after);
    this.p.stored.emit(
      results.flatMap((r) => r.fresh),
      now,
      'mesh',
    );
    return results;
  }

  /**
   * Stores a batch of the hub's own chain (host/hub/hub-log.ts), through the
   * same verification as a node's; registers the hub's key, kind 'hub', the
   * first time.
   */
  ingestOwn(batch: Batch): IngestResult {
    const now = this.p.clock();
    if (!this.p.registry.has(batch.node)) this.p.registry.register({ id: batch.node, publicKey: batch.key }, now, 'hub');
    const result = this.p.ingestor.ingest(batch, now, true);
    this.p.stored.emit(result.fresh, now, 'own');
    return result;
  }
}
