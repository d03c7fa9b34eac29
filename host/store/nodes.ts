import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

export interface NodeRecord {
  id: string;
  publicKey: Uint8Array;
  name?: string;
  board?: string;
}

/** An enrolled node, this hub's own chain, or a paired hub's chain (replicated by the mesh). */
export type SourceKind = 'node' | 'hub' | 'peer';

export interface NodeSummary {
  id: string;
  kind: SourceKind;
  name: string | null;
  board: string | null;
  enrolledAt: number;
  /** The highest contiguous seq stored (the ack). */
  headSeq: number;
  /** The node's time of its newest stored event; null before the first. */
  lastEventTime: number | null;
  /** The chain's entries stored here (a pruned range's are not; migration step 22 keeps the count, nothing counts the log). */
  eventCount: number;
  /** Seqs the node signed as dropped (its buffer overflowed). */
  dropped: number;
  /** When the owner retired it (history kept, no longer expected); null while in service. */
  retiredAt: number | null;
  /** When the owner revoked its key (its batches and polls are refused); null otherwise. */
  revokedAt: number | null;
  /** The first seq at which the node was seen to fork (two validly signed entries, mesh_forks); null while it has not. */
  forkedAt: number | null;
}

/** What naming a node or checking it is in service needs: its row of `nodes`, none of its log. */
export interface NodeName {
  id: string;
  name: string | null;
  board: string | null;
  retiredAt: number | null;
  revokedAt: number | null;
}

interface SummaryRow {
  id: string;
  kind: SourceKind;
  name: string | null;
  board: string | null;
  enrolled_at: number;
  head_seq: number;
  last_time: number | null;
  event_count: number;
  dropped: number;
  retired_at: number | null;
  revoked_at: number | null;
  forked_at: number | null;
}

/**
 * The chains a cartridge holds: enrolled nodes (registration idempotent per
 * key, the summary GET /v1/nodes shows) and the hub's own (kind 'hub').
 */
export class NodeRegistry {
  private readonly upsert: Statement<[string, Uint8Array, string | null, string | null, number, SourceKind]>;
  private readonly exists: Statement<[string], number>;
  private readonly summaries: Statement<[SourceKind], SummaryRow>;
  private readonly summaryOf: Statement<[string], SummaryRow>;
  private readonly named: Statement<[], NodeName>;
  private readonly chainIds: Statement<[SourceKind], string>;
  private readonly entryTotal: Statement<[], number>;
  private readonly kindName: Statement<[string], { kind: SourceKind; name: string | null }>;
  private readonly retiredIds: Statement<[], string>;
  private readonly keyRow: Statement<[string], { public_key: Buffer; head_seq: number; revoked_at: number | null; kind: SourceKind }>;
  private readonly setName: Statement<[string, string]>;
  private readonly setRetired: Statement<[number, string]>;
  private readonly setRevoked: Statement<[number, string]>;

  constructor(db: Db) {
    // A re-enrolment keeps the node's head and history; a new name or board replaces the old.
    this.upsert = db.prepare(`INSERT INTO nodes (id, public_key, name, board, enrolled_at, kind) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET name = coalesce(excluded.name, name), board = coalesce(excluded.board, board)`);
    this.exists = db.prepare<[string], number>('SELECT 1 FROM nodes WHERE id = ?').pluck();
    this.keyRow = db.prepare('SELECT public_key, head_seq, revoked_at, kind FROM nodes WHERE id = ?');
    this.setName = db.prepare("UPDATE nodes SET name = ? WHERE id = ? AND kind = 'node'");
    this.setRetired = db.prepare("UPDATE nodes SET retired_at = coalesce(retired_at, ?) WHERE id = ? AND kind = 'node'");
    this.setRevoked = db.prepare("UPDATE nodes SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? AND kind = 'node'");
    this.summaries = db.prepare(NODE_LIST_SQL);
    this.summaryOf = db.prepare(`${SUMMARY} WHERE n.id = ? AND n.kind = 'node'`);
    this.named = db.prepare("SELECT id, name, board, retired_at AS retiredAt, revoked_at AS revokedAt FROM nodes WHERE kind = 'node' ORDER BY id");
    this.chainIds = db.prepare<[SourceKind], string>('SELECT id FROM nodes WHERE kind = ? ORDER BY id').pluck();
    this.entryTotal = db.prepare<[], number>('SELECT coalesce(sum(entry_count), 0) FROM nodes').pluck();
    this.kindName = db.prepare('SELECT kind, name FROM nodes WHERE id = ?');
    this.retiredIds = db.prepare<[], string>("SELECT id FROM nodes WHERE kind = 'node' AND retired_at IS NOT NULL").pluck();
  }

  /** Registers the node (or the hub), or updates its name and board; returns whether it was registered before. */
  register(node: NodeRecord, now: number, kind: SourceKind = 'node'): { existed: boolean } {
    const existed = this.exists.get(node.id) !== undefined;
    this.upsert.run(node.id, node.publicKey, node.name ?? null, node.board ?? null, now, kind);
    return { existed };
  }

  has(id: string): boolean {
    return this.exists.get(id) !== undefined;
  }

  /** An enrolled node's key, the seq of its stored head, whether it is revoked and its kind; undefined for a node not enrolled. */
  keyOf(id: string): { publicKey: Uint8Array; headSeq: number; revoked: boolean; kind: SourceKind } | undefined {
    const r = this.keyRow.get(id);
    return r ? { publicKey: new Uint8Array(r.public_key), headSeq: r.head_seq, revoked: r.revoked_at !== null, kind: r.kind } : undefined;
  }

  /** The owner's changes to an enrolled node (not the hub's chain); false when no node has this id. */
  rename(id: string, name: string): boolean {
    return this.setName.run(name, id).changes === 1;
  }

  /** Retires (once: a second call keeps the first moment); false when no node has this id. */
  retire(id: string, now: number): boolean {
    return this.setRetired.run(now, id).changes === 1;
  }

  /** Revokes the node's key (once, as retire); false when no node has this id. */
  revoke(id: string, now: number): boolean {
    return this.setRevoked.run(now, id).changes === 1;
  }

  /** The enrolled nodes' ids, names, boards and whether they are in service: one row of `nodes` each, nothing of their logs. */
  names(): NodeName[] {
    return this.named.all();
  }

  /** Every chain's entries together: the sum of their counts, no count of the log. */
  entries(): number {
    return this.entryTotal.get() ?? 0;
  }

  /** The ids of the chains of a kind, in id order (nothing else read). */
  ids(kind: SourceKind): string[] {
    return this.chainIds.all(kind);
  }

  /** The retired nodes' ids: what a periodic check needs, their rows only. */
  retired(): string[] {
    return this.retiredIds.all();
  }

  /** One chain's kind and name by its id, a point lookup; undefined when none has it. */
  kindAndName(id: string): { kind: SourceKind; name: string | null } | undefined {
    return this.kindName.get(id);
  }

  /** The enrolled nodes, or (kind 'hub') the hub's own chain once it has one. */
  list(kind: SourceKind = 'node'): NodeSummary[] {
    return this.summaries.all(kind).map(toSummary);
  }

  /** One enrolled node's summary, as list() has it, by point lookups; undefined when `id` is no enrolled node (the hub's chain, a peer's). */
  summary(id: string): NodeSummary | undefined {
    const r = this.summaryOf.get(id);
    return r && toSummary(r);
  }
}

/**
 * A chain's summary, each part by an index: its newest entry's time by the
 * primary key (one row), its count from its row (migration step 22), its
 * gaps and forks by theirs. The log is never counted.
 */
const SUMMARY = `SELECT n.id, n.kind, n.name, n.board, n.enrolled_at, n.head_seq, n.retired_at, n.revoked_at, n.entry_count AS event_count,
    (SELECT e.time FROM entries e WHERE e.node = r.ref AND e.seq = n.head_seq) AS last_time,
    (SELECT coalesce(sum(g.to_seq - g.from_seq + 1), 0) FROM gaps g WHERE g.node = n.id) AS dropped,
    (SELECT min(f.seq) FROM mesh_forks f WHERE f.node = n.id) AS forked_at
  FROM nodes n JOIN node_refs r ON r.node = n.id`;

/** The chains of a kind as list() reads them (exported for the test that pins its query plan). */
export const NODE_LIST_SQL = `${SUMMARY} WHERE n.kind = ? ORDER BY n.id`;

function toSummary(r: SummaryRow): NodeSummary {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    board: r.board,
    enrolledAt: r.enrolled_at,
    headSeq: r.head_seq,
    lastEventTime: r.last_time,
    eventCount: r.event_count,
    dropped: r.dropped,
    retiredAt: r.retired_at,
    revokedAt: r.revoked_at,
    forkedAt: r.forked_at,
  };
}
