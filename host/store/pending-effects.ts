import type { Statement } from 'better-sqlite3';
import type { Db } from './open-cartridge.js';

export type PendingState = 'pending' | 'confirmed' | 'declined' | 'expired';

/** Who asked or answered: an owner token's id and name, never its secret. */
export interface AskedBy {
  token: string;
  name: string;
  via: 'bearer' | 'session';
}

/** The output action proposed: as requestOutput takes it (host/effect/request-output.ts). */
export interface ProposedAction {
  output: string;
  op: 'on' | 'off' | 'toggle' | 'pulse';
  ms?: number;
}

/** An agent's proposed output action, waiting for a person (migration step 18). */
export interface PendingEffect {
  id: string;
  node: string;
  action: ProposedAction;
  requestedBy: AskedBy;
  reason: string;
  createdAt: number;
  expiresAt: number;
  state: PendingState;
  /** The id of the hub's effect.agent.proposed event. */
  proposal: string;
  settledAt: number | null;
  settledBy: AskedBy | null;
  /** The command queued once confirmed. */
  command: string | null;
}

interface Row {
  id: string;
  node: string;
  action: string;
  requested_by: string;
  reason: string;
  created_at: number;
  expires_at: number;
  state: PendingState;
  proposal: string;
  settled_at: number | null;
  settled_by: string | null;
  command: string | null;
}

const COLUMNS = 'id, node, action, requested_by, reason, created_at, expires_at, state, proposal, settled_at, settled_by, command';

function effectOf(r: Row): PendingEffect {
  return {
    id: r.id,
    node: r.node,
    action: JSON.parse(r.action) as ProposedAction,
    requestedBy: JSON.parse(r.requested_by) as AskedBy,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    state: r.state,
    proposal: r.proposal,
    settledAt: r.settled_at,
    settledBy: r.settled_by === null ? null : (JSON.parse(r.settled_by) as AskedBy),
    command: r.command,
  };
}

/**
 * The pending_effects table: an agent's proposals and how each ended. A
 * proposal leaves `pending` once, by one conditional update (confirmed,
 * declined or expired), so a confirm racing an expiry cannot both win.
 */
export class PendingEffects {
  private readonly insert: Statement<[string, string, string, string, string, number, number, string]>;
  private readonly byId: Statement<[string], Row>;
  private readonly open: Statement<[number], Row>;
  private readonly due: Statement<[number], Row>;
  private readonly recent: Statement<[number], Row>;
  private readonly settle: Statement<[PendingState, number, string | null, string | null, string]>;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO pending_effects (id, node, action, requested_by, reason, created_at, expires_at, proposal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM pending_effects WHERE id = ?`);
    this.open = db.prepare(`SELECT ${COLUMNS} FROM pending_effects WHERE state = 'pending' AND expires_at > ? ORDER BY created_at, id`);
    this.due = db.prepare(`SELECT ${COLUMNS} FROM pending_effects WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at, id`);
    this.recent = db.prepare(`SELECT ${COLUMNS} FROM pending_effects ORDER BY created_at DESC, id LIMIT ?`);
    this.settle = db.prepare("UPDATE pending_effects SET state = ?, settled_at = ?, settled_by = ?, command = ? WHERE id = ? AND state = 'pending'");
  }

  add(e: Omit<PendingEffect, 'state' | 'settledAt' | 'settledBy' | 'command'>): void {
    if (e.expiresAt <= e.createdAt) throw new RangeError('expiresAt must be after createdAt');
    this.insert.run(e.id, e.node, JSON.stringify(e.action), JSON.stringify(e.requestedBy), e.reason, e.createdAt, e.expiresAt, e.proposal);
  }

  get(id: string): PendingEffect | undefined {
    const r = this.byId.get(id);
    return r && effectOf(r);
  }

  /** Those still waiting at `now`, oldest first. */
  pending(now: number): PendingEffect[] {
    return this.open.all(now).map(effectOf);
  }

  /** Those still marked pending whose time ran out by `now`. */
  expiredBy(now: number): PendingEffect[] {
    return this.due.all(now).map(effectOf);
  }

  /** The newest `limit`, in any state. */
  latest(limit: number): PendingEffect[] {
    return this.recent.all(limit).map(effectOf);
  }

  /** Moves a pending one to `state`; false if it was no longer pending. */
  close(id: string, state: Exclude<PendingState, 'pending'>, at: number, by: AskedBy | null, command: string | null = null): boolean {
    return this.settle.run(state, at, by === null ? null : JSON.stringify(by), command, id).changes === 1;
  }
}
