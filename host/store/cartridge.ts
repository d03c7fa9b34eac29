import type { Batch } from '../../firmware/batch/batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import type { Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { BatchIntake } from './batch-intake.js';
import { type CartridgeOptions, cartridgeDefaults } from './cartridge-options.js';
import { backupCartridge, type BackupResult } from './backup.js';
import { ChainRecords, type GapRecord } from './chain-records.js';
import { ClockStateStore } from './clock-state.js';
import { CommandQueue } from './commands.js';
import { type EnrolledListener, type Enrolment, Enrolments, type WithinEnrolment } from './enrolments.js';
import { FirmwareImages } from './firmware-images.js';
import { Ingestor, type IngestResult } from './ingest.js';
import { HubIdentityStore } from './hub-identity.js';
import type { Invite } from './invites.js';
import { NameRefs } from './name-refs.js';
import { type NodeName, NodeRegistry, type NodeSummary, type SourceKind } from './nodes.js';
import { openCartridge, type Db } from './open-cartridge.js';
import { OwnerTokens } from './owner-tokens.js';
import { DictionaryStore } from './dictionaries.js';
import type { CompactContext } from './parse-batch.js';
import { PeerCache } from './peer-cache.js';
import { EventQueries, type EventPage, type EventQuery } from './queries.js';
import { ReadingSeries } from './reading-series.js';
import { RecentEvents } from './recent-events.js';
import { RecordedLog } from './recorded-log.js';
import { RulesSnapshots } from './rules-snapshot.js';
import { RulesCursor } from './rules-cursor.js';
import { StoredHook, type StoredListener } from './stored-hook.js';
import { type CheckpointRun, UnsyncedCommits } from './unsynced-commits.js';
import { WalSync } from './wal-sync.js';
import { type TableCounts, tableCounts } from './table-counts.js';

export type { CartridgeOptions } from './cartridge-options.js';
export type { GapRecord } from './chain-records.js';
export type { Enrolment } from './enrolments.js';

/**
 * A hub's whole state in one SQLite file: enrolled nodes, their append-only
 * signed event logs, the gaps they signed for, invites, the verified beacon
 * peers, the clock estimate and the commands queued for the nodes. The one object
 * the hub, the CLI and the tests hold.
 */
export class Cartridge {
  readonly db: Db;
  /** Verified beacon peers (host/beacon). */
  readonly peers: PeerCache;
  /** The Timekeeper's persisted estimate (host/time). */
  readonly clockState: ClockStateStore;
  /** The recent end of each chain, for consumers that derive their state from the log. */
  readonly recent: RecentEvents;
  /** The whole log in stored order, for consumers that replay it (the rule engine, backtests). */
  readonly recorded: RecordedLog;
  /** A reading's values over time in buckets, by SQL over the readings index (charts). */
  readonly series: ReadingSeries;
  /** Commands for the nodes' outputs, settled by the nodes' signed effect events (the downlink). */
  readonly commands: CommandQueue;
  /** The dictionaries of the nodes' compact batches (host/store/dictionaries.ts). */
  readonly dictionaries: DictionaryStore;
  /** What reading a compact batch needs: crypto and the dictionaries held here. */
  readonly compact: CompactContext;
  /** The owner's API tokens, stored hashed (host/store/owner-tokens.ts). */
  readonly tokens: OwnerTokens;
  /** The hub's key pair and certificate (host/hub/hub-key.ts): a restored cartridge is the same hub. */
  readonly hubIdentity: HubIdentityStore;
  /** Firmware images published for the nodes (host/store/firmware-images.ts). */
  readonly firmware: FirmwareImages;
  /** How far the rules' decisions are committed (host/store/rules-cursor.ts). */
  readonly rulesCursor: RulesCursor;
  /** The rule engine's latest state, so a start replays only what came after it (host/store/rules-snapshot.ts). */
  readonly rulesSnapshots: RulesSnapshots;
  private readonly crypto: CryptoProvider;
  private readonly clock: () => number;
  private readonly names: NameRefs;
  private readonly intake: BatchIntake;
  private readonly registry: NodeRegistry;
  private readonly queries: EventQueries;
  private readonly enrolments: Enrolments;
  private readonly chains: ChainRecords;
  private readonly stored: StoredHook;
  private readonly unsynced: UnsyncedCommits;
  private readonly walSync: WalSync;

  private constructor(
    readonly file: string,
    db: Db,
    options: CartridgeOptions,
  ) {
    this.db = db;
    const o = cartridgeDefaults(options);
    this.crypto = o.crypto;
    this.clock = o.clock;
    this.commands = new CommandQueue(db, this.crypto, this.clock);
    this.names = new NameRefs(db);
    this.registry = new NodeRegistry(db);
    this.queries = new EventQueries(db);
    this.peers = new PeerCache(db);
    this.clockState = new ClockStateStore(db);
    this.recent = new RecentEvents(db);
    this.recorded = new RecordedLog(db);
    this.dictionaries = new DictionaryStore(db);
    this.compact = { crypto: this.crypto, dictionary: (node, hash) => this.dictionaries.get(node, hash) };
    this.series = new ReadingSeries(db);
    this.tokens = new OwnerTokens(db, this.crypto, o.entropy);
    this.hubIdentity = new HubIdentityStore(db);
    this.firmware = new FirmwareImages(db, this.crypto);
    this.stored = new StoredHook(o.onListenerError);
    this.enrolments = new Enrolments(db, this.registry, this.crypto, o.entropy);
    this.chains = new ChainRecords(db);
    this.rulesCursor = new RulesCursor(db);
    this.rulesSnapshots = new RulesSnapshots(db);
    this.unsynced = new UnsyncedCommits(db);
    this.walSync = new WalSync({ file, db, unsynced: this.unsynced, syncFd: options.syncWal });
    const ingestor = new Ingestor(db, this.names, this.crypto, (node, fresh, origin, receivedAt) => {
      this.commands.settle(node, fresh);
      this.rulesCursor.stored(node, fresh.at(-1)?.seq, origin, receivedAt);
    });
    this.intake = new BatchIntake({
      ingestor,
      registry: this.registry,
      dictionaries: this.dictionaries,
      compact: this.compact,
      stored: this.stored,
      clock: this.clock,
    });
  }

  /** Opens (creating and migrating as needed) the cartridge at `file`. */
  static open(file: string, options: CartridgeOptions = {}): Cartridge {
    return new Cartridge(file, openCartridge(file), options);
  }

  /** Decodes, verifies and stores an uplink batch (BatchIntake.ingest). */
  ingest(input: Uint8Array | Value): IngestResult {
    return this.intake.ingest(input);
  }

  ingestBatch(batch: Batch): IngestResult {
    return this.intake.ingestBatch(batch);
  }

  ingestMany(batches: Batch[], carried?: readonly (CompactDictionary | undefined)[]): (IngestResult | Error)[] {
    return this.intake.ingestMany(batches, carried);
  }

  /**
   * ingestMany committed without an fsync of its own (synchronous=NORMAL):
   * the group is on disk once syncWal() resolves, and nothing of it may be
   * acknowledged before (host/hub/group-commit.ts).
   */
  ingestManyUnsynced(batches: Batch[], carried?: readonly (CompactDictionary | undefined)[]): (IngestResult | Error)[] {
    return this.unsynced.run(() => this.intake.ingestMany(batches, carried));
  }

  /**
   * Makes every commit so far durable with an fdatasync of the WAL off the
   * event loop, one at a time, coalesced (WalSync); rejects with StoreError
   * 'sync-failed', from then on, when the disk failed it.
   */
  syncWal(): Promise<void> {
    return this.walSync.sync();
  }

  /** Stores a paired hub's page in one transaction (BatchIntake.ingestPage); `after` runs inside it. */
  ingestPage(batches: readonly Batch[], after?: (results: IngestResult[]) => void): IngestResult[] {
    return this.intake.ingestPage(batches, after);
  }

  /** Stores a batch of the hub's own chain (BatchIntake.ingestOwn). */
  ingestOwn(batch: Batch): IngestResult {
    return this.intake.ingestOwn(batch);
  }

  /**
   * Runs fn as one transaction, so everything it stores (the hub's appends,
   * commands) is one durable commit instead of one each; the post-commit
   * listeners hear of it after that commit, and of nothing if fn throws
   * (then nothing it wrote is stored). Inside another transaction it is a
   * savepoint of that one.
   */
  atomically<T>(fn: () => T): T {
    try {
      return this.stored.hold(() => this.db.transaction(fn).immediate());
    } finally {
      this.names.settle();
    }
  }

  /**
   * Runs fn, whose commits store only what the hub derives again from the
   * log at start (percepts), without an fsync of their own: the next synced
   * commit syncs them too (UnsyncedCommits). A node batch's ack no longer
   * waits for a second fsync for the percepts it caused. Nothing of them
   * leaves the process before durable().
   */
  derived<T>(fn: () => T): T {
    return this.unsynced.run(fn);
  }

  /**
   * Makes every commit so far durable, at the cost of one fsync only when
   * unsynced ones may be pending (UnsyncedCommits.durable); returns whether
   * it synced. Whatever hands the hub's chain to the outside (mesh pages and
   * heads, NATS, exports, backups) calls it after reading and before sending.
   */
  durable(): boolean {
    // After a failed sync a synced commit may succeed without what the failure lost (host/store/wal-sync.ts).
    const failed = this.walSync.failed;
    if (failed) throw failed;
    return this.unsynced.durable();
  }

  /** Whether commits made without an fsync may be pending (true from open until a sync is known). */
  get unsyncedPending(): boolean {
    return this.unsynced.pending;
  }

  /** One PASSIVE WAL checkpoint (host/store/wal-checkpoints.ts); one that copied every frame clears what is pending. */
  checkpoint(): CheckpointRun {
    return this.unsynced.checkpoint();
  }

  /**
   * Calls `listener` after every commit with the entries it stored (node
   * batches and the hub's own events, in commit order); returns the function
   * that stops it. See StoredHook.
   */
  onStored(listener: StoredListener): () => void {
    return this.stored.subscribe(listener);
  }

  /** The stored head of a chain; undefined for a chain not registered here. */
  head(node: string): ReturnType<ChainRecords['head']> {
    return this.chains.head(node);
  }

  createInvite(options: { ttlMs: number; note?: string }): Invite {
    return this.enrolments.createInvite(options, this.clock());
  }

  /**
   * Spends an invite and registers the key's node in one transaction. The
   * caller has checked the key holder's proof. Enrolling an enrolled key again
   * (with a fresh invite) keeps its history and returns the same id.
   * `within` runs in the same transaction (the hub's chain says so there).
   */
  enroll(e: Enrolment, within?: WithinEnrolment): { node: string; existed: boolean } {
    return this.enrolments.enroll(e, this.clock(), within);
  }

  /** Calls `listener` after each committed enrolment (never with the invite); returns the function that stops it. */
  onEnrolled(listener: EnrolledListener): () => void {
    return this.enrolments.onEnrolled(listener);
  }

  /** Registers a node without an invite (tests and tools that hold the cartridge itself), or (kind 'peer') a paired hub's chain. */
  addNode(publicKey: Uint8Array, info: { name?: string; board?: string } = {}, kind: SourceKind = 'node'): string {
    const id = nodeIdFromPublicKey(publicKey, this.crypto);
    this.registry.register({ id, publicKey, ...info }, this.clock(), kind);
    return id;
  }

  /** The enrolled nodes; with 'hub', the hub's own chain (once it has appended). */
  nodes(kind: SourceKind = 'node'): NodeSummary[] {
    return this.registry.list(kind);
  }

  /** One enrolled node as nodes() lists it, by point lookups; undefined when `id` is no enrolled node. */
  nodeSummary(id: string): NodeSummary | undefined {
    return this.registry.summary(id);
  }

  /** The enrolled nodes' ids, names, boards, retired and revoked times: their rows only (cheaper than nodes(), which looks up each head). */
  nodeNames(): NodeName[] {
    return this.registry.names();
  }

  /** The ids of the chains of a kind (enrolled nodes', the hub's, paired hubs'), in id order. */
  chainIds(kind: SourceKind): string[] {
    return this.registry.ids(kind);
  }

  /** The entries stored on every chain together (the sum of the chains' counts: the log is not counted). */
  storedEntries(): number {
    return this.registry.entries();
  }

  /** Whether `id` is an enrolled node (not the hub's chain nor a peer's), by a point lookup. */
  isNode(id: string): boolean {
    return this.registry.kindAndName(id)?.kind === 'node';
  }

  /** The retired nodes' ids (their rows only). */
  retiredNodes(): string[] {
    return this.registry.retired();
  }

  hasNode(id: string): boolean {
    return this.registry.has(id);
  }

  /** An enrolled node's name (null when it has none); undefined when `id` is no enrolled node (the hub's chain, a peer's). */
  nodeName(id: string): string | null | undefined {
    const n = this.registry.kindAndName(id);
    return n?.kind === 'node' ? n.name : undefined;
  }

  /** An enrolled node's public key, stored head seq, whether it is revoked (what a downlink poll is checked against) and its kind. */
  nodeKey(id: string): { publicKey: Uint8Array; headSeq: number; revoked: boolean; kind: SourceKind } | undefined {
    return this.registry.keyOf(id);
  }

  /** The owner's changes to an enrolled node: rename, retire, revoke (host/store/nodes.ts). */
  get nodeAdmin(): Pick<NodeRegistry, 'register' | 'rename' | 'retire' | 'revoke'> {
    return this.registry;
  }

  events(query: EventQuery = {}): EventPage {
    return this.queries.page(query);
  }

  /** A node's stored entries in seq order, or those in `range` (read them before using the cartridge for anything else). */
  chain(node: string, range?: { from: number; to: number }): IterableIterator<EventEntry> {
    return this.queries.chain(node, range);
  }

  gaps(node: string): GapRecord[] {
    return this.chains.gaps(node);
  }

  /** Row counts of every table: what tests compare before and after a refusal. */
  counts(): TableCounts {
    return tableCounts(this.db);
  }

  /** An online backup (backupCartridge): what it copied is made durable here before the copy is named. */
  backup(file: string): Promise<BackupResult> {
    return backupCartridge(this.db, file, () => this.durable());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
