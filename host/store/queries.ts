import type { Statement } from 'better-sqlite3';
import { compileTopicPattern, type TopicMatcher } from '../../firmware/bus/topic.js';
import { fromBase64url, toBase64url } from '../../firmware/codec/text-encodings.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { isNodeId } from '../../firmware/identity/node-id.js';
import { FROM_ENTRIES, fromEntries, READING_TYPE, ROW_COLUMNS, rowToEntry, STORED_PREV_COLUMNS, typeIs, type EntryRow } from './event-rows.js';
import type { Db } from './open-cartridge.js';
import { PrunedRanges } from './pruned-ranges.js';
import { StoreError } from './store-error.js';

export interface EventQuery {
  node?: string;
  /** An event type, or a bus pattern with '*' and a final '#' (firmware/bus/topic.ts). */
  type?: string;
  /** Event time (the node's clock, ms since the epoch) ≥ since. */
  since?: number;
  /** Event time < until. */
  until?: number;
  /** 1..1000, default 100. */
  limit?: number;
  /** From a previous page's `next`. */
  cursor?: string;
  /** 'asc' (default): chain order, by node then seq, oldest first; 'desc' reverses it. */
  order?: 'asc' | 'desc';
}

export interface EventPage {
  events: EventEntry[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  next: string | null;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function badQuery(message: string): never {
  throw new StoreError('bad-query', message);
}

/** The cursor is opaque to clients: base64url of the JSON [node, seq] of the page's last event. */
function encodeCursor(node: string, seq: number): string {
  return toBase64url(new TextEncoder().encode(JSON.stringify([node, seq])));
}

function decodeCursor(cursor: string): [string, number] {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(cursor)));
  } catch {
    return badQuery('cursor is not one this hub handed out');
  }
  if (!Array.isArray(v) || v.length !== 2 || !isNodeId(v[0]) || !Number.isSafeInteger(v[1])) badQuery('cursor is not one this hub handed out');
  return v as [string, number];
}

/**
 * Reads events back: filtered pages for the API, a node's whole chain for
 * verification. Statements are prepared once per query shape and reused.
 */
export class EventQueries {
  private readonly statements = new Map<string, Statement<unknown[], EntryRow>>();
  private readonly matchers = new Map<string, TopicMatcher>();
  private readonly chainOf: Statement<[string], EntryRow>;
  private readonly rangeOf: Statement<[string, number, number], EntryRow>;
  private readonly hashAt: Statement<[string, number], Buffer>;
  private readonly pruned: PrunedRanges;

  constructor(private readonly db: Db) {
    this.pruned = new PrunedRanges(db);
    db.function('fazt_topic_match', { deterministic: true }, (pattern: unknown, type: unknown) => (this.matcher(String(pattern))(String(type)) ? 1 : 0));
    // prev as stored (NULL: the row before's hash, which chain() has just read).
    this.chainOf = db.prepare<[string], EntryRow>(`SELECT ${STORED_PREV_COLUMNS} FROM ${FROM_ENTRIES} WHERE r.node = ? ORDER BY e.seq`).raw();
    this.rangeOf = db
      .prepare<[string, number, number], EntryRow>(
        `SELECT ${STORED_PREV_COLUMNS} FROM ${FROM_ENTRIES} WHERE r.node = ? AND e.seq BETWEEN ? AND ? ORDER BY e.seq`,
      )
      .raw();
    this.hashAt = db
      .prepare<[string, number], Buffer>('SELECT e.hash FROM entries e JOIN node_refs r ON r.ref = e.node WHERE r.node = ? AND e.seq = ?')
      .pluck();
  }

  page(q: EventQuery): EventPage {
    const limit = q.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) badQuery(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const take = Math.min(limit, MAX_LIMIT);
    const desc = q.order === 'desc';
    if (q.order !== undefined && q.order !== 'asc' && !desc) badQuery("order must be 'asc' or 'desc'");
    const where: string[] = [];
    const params: unknown[] = [];
    let index: string | undefined;
    if (q.node !== undefined) {
      if (!isNodeId(q.node)) badQuery(`node '${q.node}' is not a node id`);
      where.push('r.node = ?');
      params.push(q.node);
    }
    if (q.type !== undefined) {
      if (/[*#]/.test(q.type)) {
        this.matcher(q.type);
        where.push('fazt_topic_match(?, t.name)');
        params.push(q.type);
      } else {
        where.push(typeIs(q.type));
        // A rare type is found by its index in each chain, not by reading every chain whole.
        if (q.type !== READING_TYPE) index = 'entries_by_type';
        params.push(q.type);
      }
    }
    for (const [name, op, v] of [
      ['since', '>=', q.since],
      ['until', '<', q.until],
    ] as const) {
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v)) badQuery(`${name} must be whole milliseconds since the epoch`);
      where.push(`e.time ${op} ?`);
      params.push(v);
    }
    if (q.cursor !== undefined) {
      where.push(desc ? '(r.node, e.seq) < (?, ?)' : '(r.node, e.seq) > (?, ?)');
      params.push(...decodeCursor(q.cursor));
    }
    const dir = desc ? 'DESC' : 'ASC';
    const sql = `SELECT ${ROW_COLUMNS} FROM ${fromEntries(index)}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY r.node ${dir}, e.seq ${dir} LIMIT ?`;
    params.push(take + 1);
    const rows = this.statement(sql).all(...params);
    const more = rows.length > take;
    if (more) rows.length = take;
    const last = rows[rows.length - 1];
    return { events: rows.map((r) => rowToEntry(r)), next: more && last ? encodeCursor(last[14], last[0]) : null };
  }

  /** Every stored entry of a node, in seq order (lazily: a chain may be long). */
  *chain(node: string, range?: { from: number; to: number }): IterableIterator<EventEntry> {
    // A row after a pruned range links to the range's last hash (looked up only where the seqs jump).
    let at = range && range.from > 1 ? range.from - 1 : 0;
    let before: Buffer | undefined = at > 0 ? (this.hashAt.get(node, at) ?? this.pruned.lastHashAt(node, at)) : undefined;
    const rows = range ? this.rangeOf.iterate(node, range.from, range.to) : this.chainOf.iterate(node);
    for (const r of rows) {
      if (r[0] !== at + 1) before = r[13] === null ? this.pruned.lastHashAt(node, r[0] - 1) : undefined;
      r[13] ??= before ?? null;
      before = r[5];
      at = r[0];
      yield rowToEntry(r);
    }
  }

  private statement(sql: string): Statement<unknown[], EntryRow> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[], EntryRow>(sql).raw();
      this.statements.set(sql, s);
    }
    return s;
  }

  private matcher(pattern: string): TopicMatcher {
    let m = this.matchers.get(pattern);
    if (!m) {
      try {
        m = compileTopicPattern(pattern);
      } catch (e) {
        return badQuery(`type: ${(e as Error).message}`);
      }
      if (this.matchers.size >= 256) this.matchers.clear();
      this.matchers.set(pattern, m);
    }
    return m;
  }
}
