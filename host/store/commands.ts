import type { Statement } from 'better-sqlite3';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { isValueMap, type ValueMap } from '../../firmware/codec/value.js';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { type EventEntry, idFromHash } from '../../firmware/event/envelope.js';
import type { OutputInfo } from '../../firmware/node/node-outputs.js';
import type { OtaOffer } from '../../firmware/ota/ota-offer.js';
import { type CommandAction, checkAction, OUTPUT_DRIVERS } from '../../firmware/uplink/command-action.js';
import { DeclaredOutputs } from './declared-outputs.js';
import type { Db } from './open-cartridge.js';
import { StoreError } from './store-error.js';

/**
 * queued: never sent; delivered: sent in a signed answer, no evidence yet
 * (the hub sends it again until there is); applied | failed | expired |
 * refused: the node's own signed effect event for it is stored (`result`).
 */
export type CommandState = 'queued' | 'delivered' | 'applied' | 'failed' | 'expired' | 'refused';
const STATES: readonly CommandState[] = ['queued', 'delivered', 'applied', 'failed', 'expired', 'refused'];

export interface Command {
  id: string;
  node: string;
  seq: number;
  /** An output's action, or a firmware image offered (host/store/firmware-images.ts). */
  action: CommandAction | OtaOffer;
  /** ms since the epoch: the node does not act after it. */
  notAfter: number;
  createdAt: number;
  /** The hub event that asked for it (a rule's firing), if any. */
  cause: string | null;
  state: CommandState;
  /** The id of the node-signed effect event that settled it. */
  result: string | null;
}

export interface EnqueueOptions {
  /** ms since the epoch after which the node must not act (later than now). */
  notAfterMs: number;
  /** The id (16 characters) of the hub event that requested it. */
  cause?: string | null;
}

interface Row {
  id: string;
  node: string;
  seq: number;
  action: string;
  not_after: number;
  created_at: number;
  cause: string | null;
  state: CommandState;
  result: string | null;
}

/** Commands one answer carries at most (oldest first; the rest go with the next). */
const PER_ANSWER = 8;
const EVENT_ID = /^[a-z2-7]{16}$/;
const SETTLED_BY: Record<string, CommandState> = {
  'effect.applied': 'applied',
  'effect.failed': 'failed',
  'effect.expired': 'expired',
  'effect.refused': 'refused',
  // A firmware offer is settled by the outcome the node signs before it reboots (or instead of it).
  'system.ota.applied': 'applied',
  'system.ota.refused': 'refused',
};

function command(r: Row): Command {
  return {
    id: r.id,
    node: r.node,
    seq: r.seq,
    action: JSON.parse(r.action) as CommandAction | OtaOffer,
    notAfter: r.not_after,
    createdAt: r.created_at,
    cause: r.cause,
    state: r.state,
    result: r.result,
  };
}

/**
 * The downlink's queue in the cartridge (migration step 6). enqueue checks
 * the command against what the node declared in its latest system.boot (its
 * outputs and their drivers); deliver hands the pending ones to a signed
 * answer; settle marks them by the node-signed effect events, inside the
 * transaction that stores those events.
 */
export class CommandQueue {
  private readonly insert: Statement<[string, string, number, string, number, number, string | null]>;
  private readonly nextSeq: Statement<[string], number>;
  private readonly one: Statement<[string], Row>;
  private readonly pendingOf: Statement<[string, number], Row>;
  private readonly markDelivered: Statement<[string]>;
  private readonly markSettled: Statement<[CommandState, string, string, string, number]>;
  private readonly causeOf: Statement<[string, string]>;
  private readonly dropQueued: Statement<[string]>;
  private readonly declared: DeclaredOutputs;
  private readonly enrolled: Statement<[string], { name: string | null }>;
  private readonly enqueueTx: (node: string, action: CommandAction | OtaOffer, notAfter: number, cause: string | null) => Command;
  private readonly deliverTx: (node: string, limit: number) => Command[];
  private readonly dataVersion: Statement<[], number>;
  private readonly openNodes: Statement<[], string>;
  /**
   * The nodes that may have queued or delivered commands, as of `seenVersion`: every answer to an uplink asks
   * for its node's (deliver), nearly always none, and the query cost 50-100 µs an uplink under 1,000 nodes
   * (bench/soak). A node joins when a command is queued for it here, leaves when a query finds none; a commit by
   * another connection (PRAGMA data_version moved: a CLI on the same cartridge) makes it read again from the table.
   */
  private maybeOpen: Set<string> | undefined;
  private seenVersion = -1;

  constructor(
    private readonly db: Db,
    private readonly crypto: CryptoProvider,
    private readonly clock: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO commands (id, node, seq, action, not_after, created_at, cause) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.nextSeq = db.prepare<[string], number>('SELECT coalesce(max(seq), 0) + 1 FROM commands WHERE node = ?').pluck();
    this.one = db.prepare('SELECT * FROM commands WHERE id = ?');
    this.pendingOf = db.prepare("SELECT * FROM commands WHERE node = ? AND state IN ('queued', 'delivered') ORDER BY seq LIMIT ?");
    this.markDelivered = db.prepare("UPDATE commands SET state = 'delivered' WHERE id = ? AND state = 'queued'");
    this.markSettled = db.prepare("UPDATE commands SET state = ?, result = ? WHERE id = ? AND node = ? AND seq = ? AND state IN ('queued', 'delivered')");
    this.causeOf = db.prepare('UPDATE commands SET cause = ? WHERE id = ? AND cause IS NULL');
    this.dropQueued = db.prepare("DELETE FROM commands WHERE id = ? AND state = 'queued'");
    this.declared = new DeclaredOutputs(db);
    this.enrolled = db.prepare('SELECT name FROM nodes WHERE id = ?');
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.openNodes = db.prepare<[], string>("SELECT DISTINCT node FROM commands WHERE state IN ('queued', 'delivered')").pluck();
    const enqueue = db.transaction((node: string, action: CommandAction | OtaOffer, notAfter: number, cause: string | null) => {
      const seq = this.nextSeq.get(node) as number;
      const now = this.clock();
      const hash = this.crypto.sha256(encodeCbor(['fazt/command/v1', node, seq, action as unknown as ValueMap, notAfter, now, cause]));
      const id = idFromHash(hash);
      this.insert.run(id, node, seq, JSON.stringify(action), notAfter, now, cause);
      this.maybeOpen?.add(node); // before the commit: a rollback leaves it there, which only costs a query
      return command(this.one.get(id) as Row);
    });
    this.enqueueTx = (node, action, notAfter, cause) => enqueue.immediate(node, action, notAfter, cause);
    const deliver = db.transaction((node: string, limit: number) => {
      const rows = this.pendingOf.all(node, limit);
      for (const r of rows) this.markDelivered.run(r.id);
      return rows.map(command);
    });
    this.deliverTx = (node, limit) => deliver.immediate(node, limit);
  }

  /**
   * Queues a command for a node. Refused, naming what is wrong: a node that
   * is not enrolled (StoreError 'unknown-node'), an action that is not one
   * (TypeError/RangeError naming the field), an output the node did not
   * declare at its last boot ('unknown-output'), an op its driver cannot
   * do ('unsupported-op'), a notAfterMs not in the future (RangeError).
   */
  enqueue(node: string, action: unknown, options: EnqueueOptions): Command {
    const { who, notAfter, cause } = this.target(node, options);
    const a = checkAction(action);
    const name = who.name ? `${node} (${who.name})` : node;
    const outputs = this.outputsOf(node);
    const out = outputs.find((o) => o.name === a.output);
    if (!out) {
      const have = outputs.length ? `its outputs: ${outputs.map((o) => `${o.name} (${o.driver})`).join(', ')}` : 'it declared no outputs at its last boot';
      throw new StoreError('unknown-output', `node ${name} has no output '${a.output}'; ${have}`);
    }
    const ops = OUTPUT_DRIVERS[out.driver] ?? [];
    if (ops.indexOf(a.op) < 0)
      throw new StoreError(
        'unsupported-op',
        `output '${a.output}' of node ${name} is a ${out.driver}, which cannot ${a.op} (it can ${ops.join(', ') || 'nothing'})`,
      );
    return this.enqueueTx(node, a, notAfter, cause);
  }

  /** Queues a firmware offer (checked by the caller, host/hub/firmware-publish.ts); the node and the options as enqueue checks them. */
  enqueueOffer(node: string, offer: OtaOffer, options: EnqueueOptions): Command {
    const { notAfter, cause } = this.target(node, options);
    return this.enqueueTx(node, offer, notAfter, cause);
  }

  private target(node: string, options: EnqueueOptions): { who: { name: string | null }; notAfter: number; cause: string | null } {
    const who = this.enrolled.get(node);
    if (!who) throw new StoreError('unknown-node', `node ${node} is not enrolled on this hub`);
    const notAfter = options?.notAfterMs;
    if (!Number.isSafeInteger(notAfter)) throw new TypeError(`notAfterMs must be whole ms since the epoch, got ${String(notAfter)}`);
    if (notAfter <= this.clock()) throw new RangeError(`notAfterMs ${notAfter} is not in the future (the hub's clock: ${Math.floor(this.clock())})`);
    const cause = options.cause ?? null;
    if (cause !== null && !(typeof cause === 'string' && EVENT_ID.test(cause))) throw new TypeError('cause must be an event id (16 base32 characters) or null');
    return { who, notAfter, cause };
  }

  /** Names the hub event that requested a command queued without one (the request cites the command, so it is written after). */
  setCause(id: string, cause: string): void {
    if (!EVENT_ID.test(cause)) throw new TypeError('cause must be an event id (16 base32 characters)');
    this.causeOf.run(cause, id);
  }

  /** Takes back a command never sent (its request could not be recorded); false when it was already sent. */
  withdraw(id: string): boolean {
    return this.dropQueued.run(id).changes === 1;
  }

  get(id: string): Command | undefined {
    const r = this.one.get(id);
    return r ? command(r) : undefined;
  }

  /** Commands oldest first (by node, then seq), optionally of one node and in one state. */
  list(q: { node?: string; state?: CommandState; limit?: number } = {}): Command[] {
    if (q.state !== undefined && STATES.indexOf(q.state) < 0) throw new RangeError(`state must be one of ${STATES.join(', ')}, got ${String(q.state)}`);
    const limit = q.limit ?? 1000;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.node !== undefined) {
      where.push('node = ?');
      args.push(q.node);
    }
    if (q.state !== undefined) {
      where.push('state = ?');
      args.push(q.state);
    }
    const sql = `SELECT * FROM commands ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY node, seq LIMIT ?`;
    return (this.db.prepare(sql).all(...args, limit) as Row[]).map(command);
  }

  /** What the next answer to `node` carries: its queued and delivered commands, oldest first; queued ones become delivered. */
  deliver(node: string, limit = PER_ANSWER): Command[] {
    const version = this.dataVersion.get() as number;
    if (version !== this.seenVersion || !this.maybeOpen) {
      this.maybeOpen = new Set(this.openNodes.all());
      this.seenVersion = version;
    }
    if (!this.maybeOpen.has(node)) return [];
    // Nothing queued (nearly every answer): no write transaction, which would take the database's write lock per ack.
    const rows = this.pendingOf.all(node, limit);
    if (rows.length === 0) this.maybeOpen.delete(node);
    if (!rows.some((r) => r.state === 'queued')) return rows.map(command);
    return this.deliverTx(node, limit);
  }

  /**
   * Marks commands by effect events the node signed (called inside the
   * ingest transaction, with the entries it stores). Only an event naming
   * one command of this node by id and seq settles it, and only once.
   */
  settle(node: string, entries: readonly EventEntry[]): void {
    for (const e of entries) {
      const state = SETTLED_BY[e.type];
      if (!state || !isValueMap(e.data)) continue;
      const d = e.data;
      if (typeof d.command === 'string' && Number.isSafeInteger(d.seq)) this.markSettled.run(state, e.id, d.command, node, d.seq as number);
    }
  }

  /** The outputs a node declared in its latest stored system.boot ([] when none). */
  outputsOf(node: string): OutputInfo[] {
    return this.declared.of(node);
  }
}
