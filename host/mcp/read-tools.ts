import { stringifyJson } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import type { RuleService } from '../effect/rule-service.js';
import { parseEventsParams } from '../hub/events-params.js';
import { HttpError } from '../hub/http-error.js';
import type { HubLog } from '../hub/hub-log.js';
import { resolveNodeRef } from '../hub/node-ref.js';
import { answerJson } from '../hub/pulse-api.js';
import { backtestRule } from '../hub/rules-test-api.js';
import { readSeries } from '../hub/series-api.js';
import type { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import { READING_TYPE } from '../store/event-rows.js';
import { NodeLatest } from '../store/node-latest.js';
import type { AgentEffects } from './agent-effects.js';

/** What the MCP tools read and where a proposal goes. */
export interface McpContext {
  cartridge: Cartridge;
  hubLog: () => HubLog;
  /** The hub's own node id (its chain: rules, effects, Pulse). */
  hubId: string;
  clock: () => number;
  rules: () => RuleService | undefined;
  pulse: () => PulseService | undefined;
  effects: AgentEffects;
  timeZone: () => string;
}

/** Result bounds (README "Agents (MCP)"): an agent's context is small and every answer is read whole. */
export const LIMITS = { nodes: 200, readingsScanned: 500, seriesPoints: 500, events: 100, eventsChars: 48_000 } as const;

/** A node id or name, resolved and known; 404 otherwise. */
export function nodeIdOf(ctx: McpContext, ref: string): string {
  const id = resolveNodeRef(ref, ctx.cartridge.nodes());
  if (!ctx.cartridge.nodes().some((n) => n.id === id)) throw new HttpError(404, 'unknown-node', `no enrolled node '${ref}'`);
  return id;
}

/** The enrolled nodes (at most LIMITS.nodes) with the outputs each declared at its last boot. */
export function listNodes(ctx: McpContext) {
  const all = ctx.cartridge.nodes();
  const nodes = all.slice(0, LIMITS.nodes).map((n) => ({
    id: n.id,
    name: n.name,
    board: n.board,
    lastEventTime: n.lastEventTime,
    eventCount: n.eventCount,
    retired: n.retiredAt !== null,
    revoked: n.revokedAt !== null,
    outputs: ctx.cartridge.commands.outputsOf(n.id).map((o) => o.name),
  }));
  return { nodes, truncated: all.length > nodes.length };
}

export interface LatestReading {
  component: string;
  name: string;
  value: unknown;
  unit: string | null;
  quality: unknown;
  time: unknown;
}

/** Each sensor's newest reading on a node, from its newest LIMITS.readingsScanned readings. */
export function latestReadings(ctx: Pick<McpContext, 'cartridge'>, node: string): LatestReading[] {
  const seen = new Map<string, LatestReading>();
  for (const e of new NodeLatest(ctx.cartridge.db).latest(node, READING_TYPE, LIMITS.readingsScanned)) {
    const d = e.data as ValueMap;
    const component = e.source.slice(e.source.indexOf('/') + 1);
    const key = `${component}/${String(d.name)}`;
    if (!seen.has(key))
      seen.set(key, { component, name: String(d.name), value: d.value, unit: typeof d.unit === 'string' ? d.unit : null, quality: d.quality, time: d.time });
  }
  return [...seen.values()].sort((a, b) => (`${a.component}/${a.name}` < `${b.component}/${b.name}` ? -1 : 1));
}

/** The latest values of one node, or of every node (at most LIMITS.nodes). */
export function latestValues(ctx: McpContext, ref?: string) {
  const ids = ref === undefined ? ctx.cartridge.nodes().map((n) => n.id) : [nodeIdOf(ctx, ref)];
  const names = new Map(ctx.cartridge.nodes().map((n) => [n.id, n.name]));
  return { nodes: ids.slice(0, LIMITS.nodes).map((id) => ({ id, name: names.get(id) ?? null, readings: latestReadings(ctx, id) })) };
}

/** A reading's buckets over [from, to) (default the last hour), as GET /v1/series; at most LIMITS.seriesPoints. */
export function series(ctx: McpContext, a: { node: string; name: string; component?: string; from?: number; to?: number; points?: number }) {
  const to = a.to ?? Math.floor(ctx.clock());
  const from = a.from ?? to - 3_600_000;
  if (from >= to) throw new HttpError(400, 'bad-request', `from (${from}) must be before to (${to})`);
  const points = a.points ?? 100;
  if (points > LIMITS.seriesPoints) throw new HttpError(400, 'bad-request', `points must be at most ${LIMITS.seriesPoints}, got ${points}`);
  return readSeries(ctx.cartridge, { node: nodeIdOf(ctx, a.node), name: a.name, component: a.component, from, to, points });
}

/** A page of events (newest first unless asked), as GET /v1/events reads them; at most LIMITS.events and LIMITS.eventsChars. */
export function queryEvents(ctx: McpContext, a: { node?: string; type?: string; since?: string; until?: string; limit?: number; order?: 'asc' | 'desc' }) {
  const p = new URLSearchParams();
  if (a.node !== undefined) p.set('node', a.node);
  if (a.type !== undefined) p.set('type', a.type);
  if (a.since !== undefined) p.set('since', a.since);
  if (a.until !== undefined) p.set('until', a.until);
  const limit = a.limit ?? 20;
  if (limit > LIMITS.events) throw new HttpError(400, 'bad-request', `limit must be at most ${LIMITS.events}, got ${limit}`);
  p.set('limit', String(limit));
  p.set('order', a.order ?? 'desc');
  const { query } = parseEventsParams(p, (ref) => nodeIdOf(ctx, ref));
  const page = ctx.cartridge.events(query);
  const events: unknown[] = [];
  let chars = 0;
  for (const e of page.events) {
    const text = stringifyJson(entryToValue(e));
    if (chars + text.length > LIMITS.eventsChars) break;
    chars += text.length;
    events.push(JSON.parse(text));
  }
  return { order: query.order, events, truncated: events.length < page.events.length || page.next !== null };
}

/** The latest beat's judgement, as GET /v1/pulse. */
export function readPulse(ctx: McpContext) {
  const p = ctx.pulse();
  if (!p) throw new HttpError(404, 'pulse-off', 'this hub runs without Pulse (start it with --pulse-every, e.g. 15m)');
  return answerJson(p.latest, p.next, p.everyMs);
}

/** The live rules, as GET /v1/rules. */
export function listRules(ctx: McpContext) {
  const r = ctx.rules();
  if (!r) throw new HttpError(404, 'rules-off', 'this hub runs without rules');
  return { rules: r.list() };
}

/** A backtest over the stored log, as POST /v1/rules/test (firings listed whole: a rule fires rarely). */
export function backtest(ctx: McpContext, a: { rule: unknown; since: number; until?: number; node?: string }) {
  const body: Record<string, unknown> = { rule: a.rule, since: a.since };
  if (a.until !== undefined) body.until = a.until;
  if (a.node !== undefined) body.node = a.node;
  return backtestRule({ cartridge: ctx.cartridge, hubId: ctx.hubId, clock: ctx.clock, timeZone: ctx.timeZone }, body);
}
