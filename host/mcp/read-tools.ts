import { stringifyJson } from '../../firmware/codec/json-form.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { isNodeId } from '../../firmware/identity/node-id.js';
import { parseMac } from '../ble/ble-mac.js';
import type { RuleService } from '../effect/rule-service.js';
import { bleDeviceList, type BleDeviceSummary } from '../hub/ble-device-list.js';
import { parseEventsParams } from '../hub/events-params.js';
import { HttpError } from '../hub/http-error.js';
import type { HubLog } from '../hub/hub-log.js';
import { resolveNodeRef } from '../hub/node-ref.js';
import { answerJson } from '../hub/pulse-api.js';
import { backtestRule } from '../hub/rules-test-api.js';
import { readSeries } from '../hub/series-api.js';
import type { PulseService } from '../pulse/pulse-service.js';
import type { Cartridge } from '../store/cartridge.js';
import { latestReadings } from '../store/latest-readings.js';
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
  const id = resolveNodeRef(ref, () => ctx.cartridge.nodeNames());
  if (!ctx.cartridge.isNode(id)) throw new HttpError(404, 'unknown-node', `no enrolled node '${ref}'`);
  return id;
}

/** The enrolled nodes (at most LIMITS.nodes) with the outputs each declared at its last boot, and the hub's BLE devices. */
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
  return { nodes, truncated: all.length > nodes.length, bleDevices: bleDevices(ctx) };
}

/** The hub's BLE devices as GET /v1/nodes lists them: MAC, name, presence, last heard, newest values (the list holds no key). */
function bleDevices(ctx: McpContext): BleDeviceSummary[] {
  return bleDeviceList(ctx.cartridge, ctx.hubId);
}

/** Each sensor's newest reading on a node, from its newest LIMITS.readingsScanned readings. */
export function nodeReadings(ctx: Pick<McpContext, 'cartridge'>, node: string) {
  return latestReadings(ctx.cartridge.db, node, LIMITS.readingsScanned);
}

/**
 * The latest values of one node or BLE device, or of every node (at most
 * LIMITS.nodes) and every BLE device. `ref`: a node's id or name, else a BLE
 * device's address or name.
 */
export function latestValues(ctx: McpContext, ref?: string) {
  const names = new Map(ctx.cartridge.nodeNames().map((n) => [n.id, n.name]));
  const of = (ids: string[]) => ids.slice(0, LIMITS.nodes).map((id) => ({ id, name: names.get(id) ?? null, readings: nodeReadings(ctx, id) }));
  if (ref === undefined) return { nodes: of([...names.keys()]), bleDevices: bleDevices(ctx) };
  // A node's id or name first; what names no node may be a device (else the node's error, naming the nodes).
  const device = isNodeId(ref) || [...names.values()].includes(ref) ? undefined : bleDeviceOf(ctx, ref);
  if (device) return { nodes: [], bleDevices: [device] };
  return { nodes: of([nodeIdOf(ctx, ref)]), bleDevices: [] };
}

/** A BLE device of the hub by its address (any case, with or without colons) or its name. */
function bleDeviceOf(ctx: McpContext, ref: string): BleDeviceSummary | undefined {
  let mac: string | undefined;
  try {
    mac = parseMac(ref);
  } catch {
    mac = undefined; // not an address: perhaps a name
  }
  return bleDevices(ctx).find((d) => d.mac === mac || d.name === ref);
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
