import type { Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { Batch } from '../../firmware/batch/batch.js';
import type { CompactDictionary } from '../../firmware/batch/compact-dictionary.js';
import type { Value } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { EventLogHead } from '../../firmware/event/event-log.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import { backupCartridge, type BackupResult } from './backup.js';
import { ClockStateStore } from './clock-state.js';
import { CommandQueue } from './commands.js';
import { FirmwareImages } from './firmware-images.js';
import { Ingestor, type IngestResult } from './ingest.js';
import { HubIdentityStore } from './hub-identity.js';
import { InviteBook, type Invite } from './invites.js';
import { NameRefs } from './name-refs.js';
import { NodeRegistry, type NodeSummary, type SourceKind } from './nodes.js';
import { openCartridge, type Db } from './open-cartridge.js';
import { OwnerTokens } from './owner-tokens.js';
import { DictionaryStore } from './dictionaries.js';
import { type CompactContext, uplinkFromCbor, uplinkFromValue } from './parse-batch.js';
import { PeerCache } from './peer-cache.js';
import { EventQueries, type EventPage, type EventQuery } from './queries.js';
import { ReadingSeries } from './reading-series.js';
import { RecentEvents } from './recent-events.js';
import { RecordedLog } from './recorded-log.js';
import { StoredHook, type StoredListener } from './stored-hook.js';

export interface CartridgeOptions {
  crypto?: CryptoProvider;
  /** Milliseconds since the epoch: received_at, enrolment and invite times (injected in tests). */
  clock?: () => number;
  entropy?: (n: number) => Uint8Array;
  /** Where a post-commit listener's error is reported (default: a JSON line on stderr). */
  onListenerError?: (error: unknown) => void;
}

export interface Enrolment {
  token: string;
  publicKey: Uint8Array;
  name?: string;
  board?: string;
}

export interface GapRecord {
  from: number;
  to: number;
  at: number;
}

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
  private readonly crypto: CryptoProvider;
  private readonly clock: () => number;
  private readonly entropy: (n: number) => Uint8Array;
  private readonly names: NameRefs;
  private readonly ingestor: Ingestor;
  private readonly invites: InviteBook;
  private readonly registry: NodeRegistry;
  private readonly queries: EventQueries;
  private readonly enrolTx: (e: Enrolment, node: string, now: number) => { existed: boolean };
  private readonly gapsOf: Statement<[string], GapRecord>;
  private readonly headOf: Statement<[string], { head_seq: number; head_hash: Buffer | null }>;
  private readonly stored: StoredHook;
  private readonly enrolled = new Set<(e: { node: string; existed: boolean; name?: string; board?: string }) => void>();

  private constructor(
    readonly file: string,
    db: Db,
    options: CartridgeOptions,
  ) {
    this.db = db;
    this.crypto = options.crypto ?? nodeCrypto;
    this.clock = options.clock ?? Date.now;
    this.entropy = options.entropy ?? ((n) => new Uint8Array(randomBytes(n)));
    this.commands = new CommandQueue(db, this.crypto, this.clock);
    this.names = new NameRefs(db);
    this.ingestor = new Ingestor(db, this.names, this.crypto, (node, fresh) => this.commands.settle(node, fresh));
    this.invites = new InviteBook(db, this.crypto);
    this.registry = new NodeRegistry(db);
    this.queries = new EventQueries(db);
    this.peers = new PeerCache(db);
    this.clockState = new ClockStateStore(db);
    this.recent = new RecentEvents(db);
    this.recorded = new RecordedLog(db);
    this.dictionaries = new DictionaryStore(db);
    this.compact = { crypto: this.crypto, dictionary: (node, hash) => this.dictionaries.get(node, hash) };
    this.series = new ReadingSeries(db);
    this.tokens = new OwnerTokens(db, this.crypto, this.entropy);
    this.hubIdentity = new HubIdentityStore(db);
    this.firmware = new FirmwareImages(db, this.crypto);
    this.stored = new StoredHook(
      options.onListenerError ??
        ((e) => process.stderr.write(JSON.stringify({ level: 'error', code: 'stored-listener', message: (e as Error)?.message ?? String(e) }) + '\n')),
    );
    const tx = db.transaction((e: Enrolment, node: string, now: number) => {
      this.invites.claim(e.token, node, now);
      return this.registry.register({ id: node, publicKey: e.publicKey, name: e.name, board: e.board }, now);
    });
    this.enrolTx = (e, node, now) => tx.immediate(e, node, now);
    this.gapsOf = db.prepare('SELECT from_seq AS "from", to_seq AS "to", at FROM gaps WHERE node = ? ORDER BY from_seq');
    this.headOf = db.prepare('SELECT head_seq, head_hash FROM nodes WHERE id = ?');
  }

  /** Opens (creating and migrating as needed) the cartridge at `file`. */
  static open(file: string, options: CartridgeOptions = {}): Cartridge {
    return new Cartridge(file, openCartridge(file), options);
  }

  /**
   * Decodes (CBOR bytes) or takes a data-model value of either form,
   * validates, verifies and stores an uplink batch; keeps the dictionary a
   * compact batch carried once the batch is accepted.
   */
  ingest(input: Uint8Array | Value): IngestResult {
    // A batch is a map or an array, so a Uint8Array here is always CBOR.
    const decoded = input instanceof Uint8Array ? uplinkFromCbor(input, this.compact) : uplinkFromValue(input, this.compact);
    const result = this.ingestBatch(decoded.batch);
    this.keepDictionary(decoded.batch.node, decoded.carried);
    return result;
  }

  /** Keeps the dictionary an accepted compact batch carried whole (nothing for a full batch). */
  keepDictionary(node: string, carried: CompactDictionary | undefined): void {
    if (carried) this.dictionaries.keep(node, carried, this.clock());
  }

  /** Stores a batch already checked against its schema (see parse-batch.ts). */
  ingestBatch(batch: Batch): IngestResult {
    const now = this.clock();
    const result = this.ingestor.ingest(batch, now);
    this.stored.emit(result.fresh, now);
    return result;
  }

  /** Several batches already checked against their schema, stored with one durable commit (see Ingestor.ingestMany). */
  ingestMany(batches: Batch[]): (IngestResult | Error)[] {
    const now = this.clock();
    const results = this.ingestor.ingestMany(batches.map((batch) => ({ batch, receivedAt: now })));
    const fresh: EventEntry[] = [];
    for (const r of results) if (!(r instanceof Error)) for (const e of r.fresh) fresh.push(e);
    this.stored.emit(fresh, now);
    return results;
  }

  /**
   * Stores a batch of the hub's own chain (host/hub/hub-log.ts), through the
   * same verification as a node's; registers the hub's key, kind 'hub', the
   * first time.
   */
  ingestOwn(batch: Batch): IngestResult {
    const now = this.clock();
    if (!this.registry.has(batch.node)) this.registry.register({ id: batch.node, publicKey: batch.key }, now, 'hub');
    const result = this.ingestor.ingest(batch, now, true);
    this.stored.emit(result.fresh, now);
    return result;
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
   * Calls `listener` after every commit with the entries it stored (node
   * batches and the hub's own events, in commit order); returns the function
   * that stops it. See StoredHook.
   */
  onStored(listener: StoredListener): () => void {
    return this.stored.subscribe(listener);
  }

  /** The stored head of a chain; undefined for a chain not registered here. */
  head(node: string): EventLogHead | undefined {
    const r = this.headOf.get(node);
    if (!r) return undefined;
    return { seq: r.head_seq, hash: r.head_hash ? new Uint8Array(r.head_hash) : new Uint8Array(32) };
  }

  createInvite(options: { ttlMs: number; note?: string }): Invite {
    return this.invites.create({ ttlMs: options.ttlMs, note: options.note, now: this.clock(), entropy: this.entropy });
  }

  /**
   * Spends an invite and registers the key's node in one transaction. The
   * caller has checked the key holder's proof. Enrolling an enrolled key again
   * (with a fresh invite) keeps its history and returns the same id.
   */
  enroll(e: Enrolment): { node: string; existed: boolean } {
    const node = nodeIdFromPublicKey(e.publicKey, this.crypto);
    const r = { node, ...this.enrolTx(e, node, this.clock()) };
    for (const l of this.enrolled) l({ node, existed: r.existed, name: e.name, board: e.board });
    return r;
  }

  /** Calls `listener` after each committed enrolment (never with the invite); returns the function that stops it. */
  onEnrolled(listener: (e: { node: string; existed: boolean; name?: string; board?: string }) => void): () => void {
    this.enrolled.add(listener);
    return () => this.enrolled.delete(listener);
  }

  /** Registers a node without an invite (tests and tools that hold the cartridge itself). */
  addNode(publicKey: Uint8Array, info: { name?: string; board?: string } = {}): string {
    const id = nodeIdFromPublicKey(publicKey, this.crypto);
    this.registry.register({ id, publicKey, ...info }, this.clock());
    return id;
  }

  /** The enrolled nodes; with 'hub', the hub's own chain (once it has appended). */
  nodes(kind: SourceKind = 'node'): NodeSummary[] {
    return this.registry.list(kind);
  }

  /** The enrolled nodes' ids and names (cheap, unlike nodes(): it counts no entries). */
  nodeNames(): { id: string; name: string | null }[] {
    return this.registry.names();
  }

  hasNode(id: string): boolean {
    return this.registry.has(id);
  }

  /** An enrolled node's public key, stored head seq and whether it is revoked (what a downlink poll is checked against). */
  nodeKey(id: string): { publicKey: Uint8Array; headSeq: number; revoked: boolean } | undefined {
    return this.registry.keyOf(id);
  }

  /** The owner's changes to an enrolled node: rename, retire, revoke (host/store/nodes.ts). */
  get nodeAdmin(): Pick<NodeRegistry, 'rename' | 'retire' | 'revoke'> {
    return this.registry;
  }

  events(query: EventQuery = {}): EventPage {
    return this.queries.page(query);
  }

  /** A node's stored entries in seq order (read them before using the cartridge for anything else). */
  chain(node: string): IterableIterator<EventEntry> {
    return this.queries.chain(node);
  }

  gaps(node: string): GapRecord[] {
    return this.gapsOf.all(node);
  }

  /** Row counts of every table: what tests compare before and after a refusal. */
  counts(): { nodes: number; events: number; gaps: number; invites: number; usedInvites: number } {
    const n = (sql: string) => this.db.prepare(sql).pluck().get() as number;
    return {
      nodes: n('SELECT count(*) FROM nodes'),
      events: n('SELECT count(*) FROM entries'),
      gaps: n('SELECT count(*) FROM gaps'),
      invites: n('SELECT count(*) FROM invites'),
      usedInvites: n('SELECT count(*) FROM invites WHERE used_at IS NOT NULL'),
    };
  }

  backup(file: string): Promise<BackupResult> {
    return backupCartridge(this.db, file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
