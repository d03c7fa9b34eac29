import type { ValueMap } from '../../firmware/codec/value.js';
import type { PulseAnswer, PulseService } from '../pulse/pulse-service.js';
import { STATUS_RANK } from '../pulse/pulse-types.js';
import type { Cartridge } from '../store/cartridge.js';
import { HttpError } from './http-error.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, route } from './route.js';

/** Most beats and changes one history answer lists. */
const HISTORY_LIMIT = 1000;

/** GET /v1/pulse's body: the latest beat's judgement in plain data (the MCP read_pulse tool's too). */
export function answerJson(a: PulseAnswer | undefined, next: number | undefined, everyMs: number): Record<string, unknown> {
  if (!a)
    return {
      status: 'unknown',
      at: null,
      next: next ?? null,
      everyMs,
      text: 'No beat yet: the hub has not judged its health since it started.',
      issues: [],
      unknown: [],
      nodes: [],
    };
  const j = a.judgement;
  const nodes = Object.entries(a.metrics.nodes).map(([id, n]) => {
    const mine = j.verdicts.filter((v) => v.subject === id && v.status !== 'unknown');
    const worst = mine.reduce<string>((w, v) => (STATUS_RANK[v.status] > STATUS_RANK[w as keyof typeof STATUS_RANK] ? v.status : w), 'unknown');
    return { id, name: n.name, status: worst, figures: n.figures, facts: n.facts, sensors: n.sensors };
  });
  return {
    status: j.status,
    at: j.at,
    next: next ?? null,
    everyMs,
    beat: a.id,
    text: a.text,
    phrased: a.phrased ?? null,
    issues: j.verdicts.filter((v) => v.status === 'critical' || v.status === 'degraded'),
    unknown: j.verdicts.filter((v) => v.status === 'unknown').map((v) => ({ check: v.check, subject: v.subject, name: v.name, title: v.title })),
    hub: a.metrics.hub,
    version: a.metrics.hubFacts.version ?? null,
    nodes,
  };
}

/** ?since=MS (a moment) or ?ago=MS (counted back on the hub's clock); default the last 24 h. */
function sinceOf(q: URLSearchParams, now: number): number {
  const given = q.has('since') ? 'since' : q.has('ago') ? 'ago' : undefined;
  if (!given) return now - 24 * 3_600_000;
  const raw = q.get(given) as string;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw new HttpError(400, 'bad-request', `${given} must be a whole number of ms, got '${raw.slice(0, 40)}'`, { path: given });
  return given === 'since' ? n : now - n;
}

/**
 * Pulse, read by the owner (scope read). GET /v1/pulse: the latest beat's status, issues by
 * severity, the checks that know nothing, each node and the paragraph.
 * GET /v1/pulse/history?since=MS (or ?ago=MS): the beats and status changes since then,
 * oldest first, from the hub's chain.
 */
export function pulseRoutes(ctx: { cartridge: Cartridge; hubId: string; pulse: () => PulseService | undefined; clock: () => number }): Routes {
  const pulse = (): PulseService => {
    const p = ctx.pulse();
    if (!p) throw new HttpError(404, 'pulse-off', 'this hub runs without Pulse (start it with --pulse-every, e.g. 15m)');
    return p;
  };

  const now: Handler = (_req, res) => {
    const p = pulse();
    sendJson(res, 200, answerJson(p.latest, p.next, p.everyMs));
  };

  const history: Handler = (_req, res, url) => {
    pulse();
    const since = sinceOf(url.searchParams, Math.floor(ctx.clock()));
    const page = ctx.cartridge.events({ node: ctx.hubId, type: 'pulse.#', since, limit: HISTORY_LIMIT });
    const beats: unknown[] = [];
    const changes: unknown[] = [];
    for (const e of page.events) {
      const d = e.data as ValueMap;
      // A beat's issues are in its parts (GET /v1/pulse gives the latest's): a history lists each beat's status and counts.
      if (e.type === 'pulse.beat') beats.push({ id: e.id, at: d.at, status: d.status, counts: d.counts });
      else changes.push({ id: e.id, type: e.type, ...d });
    }
    sendJson(res, 200, { since, beats, changes, truncated: page.next !== null });
  };

  return { '/v1/pulse': { GET: route('read', now) }, '/v1/pulse/history': { GET: route('read', history) } };
}
