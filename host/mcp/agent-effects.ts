import { randomBytes } from 'node:crypto';
import { toBase32 } from '../../firmware/codec/text-encodings.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { requestOutput } from '../effect/request-output.js';
import { HttpError } from '../hub/http-error.js';
import type { HubLog } from '../hub/hub-log.js';
import { resolveNodeRef } from '../hub/node-ref.js';
import type { Cartridge } from '../store/cartridge.js';
import { type AskedBy, type PendingEffect, PendingEffects, type ProposedAction } from '../store/pending-effects.js';

/** How long a proposal waits for a person by default (fazt hub --agent-confirm-within). */
const DEFAULT_CONFIRM_WITHIN_MS = 10 * 60_000;
/** A confirmed command's time to reach the node (as a rule's output action by default). */
const COMMAND_TTL_MS = 60_000;
const OPS: readonly ProposedAction['op'][] = ['on', 'off', 'toggle', 'pulse'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a reason may not hold.
const REASON = /^[^\x00-\x1f\x7f]{1,280}$/u;

export interface AgentEffectsOptions {
  cartridge: Cartridge;
  hubLog: HubLog;
  clock: () => number;
  /** How long a proposal waits before it expires unrun (default 10 minutes). */
  confirmWithinMs?: number;
}

/** What an agent asks for: an output of a node, and why. */
export interface EffectProposal {
  node: string;
  output: string;
  op: string;
  ms?: number;
  reason: string;
}

const by = (a: AskedBy): ValueMap => ({ token: a.token, name: a.name, via: a.via });

/**
 * Actions from an agent never run on their own (README "Agents (MCP)"): a
 * proposal is a pending effect and an effect.agent.proposed event on the
 * hub's chain; it runs only when a person confirms it (effect.agent.confirmed,
 * then requestOutput, whose effect.requested cites both), and a declined or
 * timed-out one never runs (effect.agent.declined | expired). Each change and
 * its event are one commit. Expiry is settled after every commit on the hub
 * (any node's batch, a Pulse beat) and before proposals are read or
 * answered, so one that ran out never runs even if nothing was stored since.
 */
export class AgentEffects {
  readonly store: PendingEffects;
  readonly confirmWithinMs: number;

  constructor(private readonly o: AgentEffectsOptions) {
    this.store = new PendingEffects(o.cartridge.db);
    this.confirmWithinMs = o.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
    if (!Number.isSafeInteger(this.confirmWithinMs) || this.confirmWithinMs < 1)
      throw new RangeError(`confirmWithinMs must be a whole number of ms above 0, got ${this.confirmWithinMs}`);
    // Each commit (a node's batch, a beat) settles what ran out: one indexed read, no timer of our own.
    o.cartridge.onStored(() => void this.sweep());
  }

  /** The hub's clock, in whole ms. */
  now(): number {
    return Math.floor(this.o.clock());
  }

  /** Records the proposal; nothing is queued for the node. Bad input is a 400 naming the field. */
  propose(p: EffectProposal, requestedBy: AskedBy): PendingEffect {
    this.sweep();
    const node = resolveNodeRef(p.node, () => this.o.cartridge.nodeNames());
    if (!this.o.cartridge.isNode(node)) throw new HttpError(404, 'unknown-node', `no enrolled node '${p.node}'`);
    const outputs = this.o.cartridge.commands.outputsOf(node);
    if (!outputs.some((o) => o.name === p.output))
      throw new HttpError(
        400,
        'unknown-output',
        `node ${p.node} declared no output '${p.output}' (it has: ${outputs.map((o) => o.name).join(', ') || 'none'})`,
      );
    if (!OPS.includes(p.op as ProposedAction['op'])) throw new HttpError(400, 'bad-request', `op must be one of ${OPS.join(', ')}, got '${p.op}'`);
    const op = p.op as ProposedAction['op'];
    if ((op === 'pulse') !== (p.ms !== undefined)) throw new HttpError(400, 'bad-request', 'ms is given with op pulse, and only then');
    if (p.ms !== undefined && (!Number.isSafeInteger(p.ms) || p.ms < 1 || p.ms > 3_600_000))
      throw new HttpError(400, 'bad-request', `ms must be a whole number from 1 to 3600000, got ${p.ms}`);
    if (!REASON.test(p.reason)) throw new HttpError(400, 'bad-request', 'reason must be 1 to 280 characters, no control characters');
    const action: ProposedAction = { output: p.output, op, ...(p.ms === undefined ? {} : { ms: p.ms }) };
    const id = `p${toBase32(new Uint8Array(randomBytes(5)))}`;
    const createdAt = this.now();
    const expiresAt = createdAt + this.confirmWithinMs;
    const log = this.o.hubLog;
    return log.atomically(() => {
      const data: ValueMap = { pending: id, node, action: { ...action }, reason: p.reason, expiresAt, by: by(requestedBy) };
      const proposal = log.append('effect.agent.proposed', 'agent', data);
      this.store.add({ id, node, action, requestedBy, reason: p.reason, createdAt, expiresAt, proposal: proposal.id });
      return this.get(id);
    });
  }

  /** The proposal as stored; unknown → 404. */
  get(id: string): PendingEffect {
    const e = this.store.get(id);
    if (!e) throw new HttpError(404, 'unknown-effect', `no pending effect '${id}' (fazt confirm --list shows those waiting)`);
    return e;
  }

  /** Those waiting for a person, oldest first. */
  pending(): PendingEffect[] {
    this.sweep();
    return this.store.pending(this.now());
  }

  /** Runs a waiting proposal through requestOutput; anything not waiting is a 409 saying why. */
  confirm(id: string, confirmedBy: AskedBy): PendingEffect {
    const e = this.waiting(id);
    const log = this.o.hubLog;
    const now = this.now();
    return log.atomically(() => {
      const confirmed = log.append('effect.agent.confirmed', 'agent', { pending: id, node: e.node, causes: [e.proposal], by: by(confirmedBy) });
      const why: ValueMap = { pending: id, causes: [e.proposal, confirmed.id], confirmedBy: by(confirmedBy) };
      const { command } = requestOutput(this.o.cartridge, log, { node: e.node, ...e.action, notAfter: now + COMMAND_TTL_MS }, why, 'agent');
      if (!this.store.close(id, 'confirmed', now, confirmedBy, command.id))
        throw new HttpError(409, 'not-pending', `pending effect ${id} was settled meanwhile`);
      return this.get(id);
    });
  }

  /** Declines a waiting proposal: it never runs. */
  decline(id: string, declinedBy: AskedBy): PendingEffect {
    const e = this.waiting(id);
    const log = this.o.hubLog;
    return log.atomically(() => {
      log.append('effect.agent.declined', 'agent', { pending: id, node: e.node, causes: [e.proposal], by: by(declinedBy) });
      if (!this.store.close(id, 'declined', this.now(), declinedBy)) throw new HttpError(409, 'not-pending', `pending effect ${id} was settled meanwhile`);
      return this.get(id);
    });
  }

  /** Marks every proposal whose time ran out expired, each with its event; returns how many. */
  sweep(): number {
    const now = this.now();
    const due = this.store.expiredBy(now);
    const log = this.o.hubLog;
    for (const e of due)
      log.atomically(() => {
        if (!this.store.close(e.id, 'expired', now, null)) return;
        log.append('effect.agent.expired', 'agent', { pending: e.id, node: e.node, causes: [e.proposal], expiresAt: e.expiresAt });
      });
    return due.length;
  }

  private waiting(id: string): PendingEffect {
    this.sweep();
    const e = this.get(id);
    if (e.state !== 'pending') {
      const at = e.settledAt === null ? '' : ` at ${new Date(e.settledAt).toISOString()}`;
      throw new HttpError(409, `effect-${e.state}`, `pending effect ${id} was ${e.state}${at}; it cannot be confirmed or declined now`);
    }
    return e;
  }
}
