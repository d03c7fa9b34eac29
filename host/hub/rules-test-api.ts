import { sourceNode } from '../../firmware/event/envelope.js';
import { backtest, backtestAgainst, checkRuleTargets, compileRule, explain, type RecordedEvent } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import { resolveNodeRef } from './node-ref.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';
import { ruleNodes } from './rule-nodes.js';
import { rulesOnChain } from './rules-on-chain.js';

export interface RulesTestContext {
  cartridge: Cartridge;
  /** The hub's own node id: its chain holds the system.rule.* events and the hub's intents. */
  hubId: string;
  /** The hub's one clock: `until` defaults to now. */
  clock: () => number;
  /** The owner's zone, as the live rules use it (default UTC, the engine's). */
  timeZone?: () => string;
}

const BODY_LIMIT = 256 * 1024;

function millis(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new HttpError(400, 'bad-request', `${what} must be ms since the epoch (a whole number), got ${JSON.stringify(v)}`);
  return v;
}

/** The stored log up to `until`, only `node`'s chain and the hub's when a node is named. */
function* storedLog(ctx: RulesTestContext, until: number, node: string | undefined): Generator<RecordedEvent> {
  for (const ev of ctx.cartridge.recorded.between(0, until, ctx.hubId)) {
    if (node !== undefined) {
      const from = sourceNode(ev.entry.source);
      if (from !== node && from !== ctx.hubId) continue;
    }
    yield ev;
  }
}

/** A backtest of `body` ({rule, since, until?, node?}) as POST /v1/rules/test answers it (the MCP backtest_rule tool's too). */
export function backtestRule(ctx: RulesTestContext, body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad-request', 'the body must be {rule, since, until?, node?}');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!['rule', 'since', 'until', 'node'].includes(k)) throw new HttpError(400, 'bad-request', `unknown field '${k}' (known: rule, since, until, node)`);
  const since = millis(b.since, 'since');
  const until = b.until === undefined ? Math.floor(ctx.clock()) : millis(b.until, 'until');
  if (until <= since) throw new HttpError(400, 'bad-request', `until (${until}) must be after since (${since})`);
  if (b.node !== undefined && typeof b.node !== 'string') throw new HttpError(400, 'bad-request', 'node must be a node id or name');
  const node = b.node === undefined ? undefined : resolveNodeRef(b.node, () => ctx.cartridge.nodeNames());
  const { refs, targets, sensors } = ruleNodes(ctx.cartridge, ctx.hubId);
  const timeZone = ctx.timeZone?.() ?? 'UTC';
  // A refused document throws its RuleError: toHttpError answers with the code and the path (422 for the schema, 400 otherwise).
  const candidate = compileRule(b.rule, { timeZone, nodes: refs });
  checkRuleTargets(candidate.doc, targets, sensors);
  const current = rulesOnChain(ctx.cartridge, ctx.hubId, { nodes: refs, timeZone }).get(candidate.id);
  const o = { from: since, to: until, timeZone, nodes: refs, hubId: ctx.hubId };
  if (current?.enabled) {
    const r = backtestAgainst(b.rule, current.rule.doc, storedLog(ctx, until, node), o);
    const baseline = { version: current.rule.version, enabled: true, firings: r.current.firings.length };
    return { ...r.candidate, node: node ?? null, current: baseline, diff: r.diff };
  } else {
    const r = backtest(b.rule, storedLog(ctx, until, node), o);
    return { ...r, node: node ?? null, current: current ? { version: current.rule.version, enabled: false } : null, diff: null };
  }
}

/**
 * Testing a rule before it runs, and asking why (README "Rules"): a backtest
 * of a candidate over the stored log, against the enabled version of the
 * same id, and the explanation of a rule's decisions at a moment. Both
 * replay the log from its start, one event at a time (memory stays bounded;
 * the request holds the hub for as long as the replay takes, ~1 M events/s).
 */
export function rulesTestRoutes(ctx: RulesTestContext): Routes {
  const zone = () => ctx.timeZone?.() ?? 'UTC';
  const log = (until: number, node: string | undefined) => storedLog(ctx, until, node);

  // Who may call: the owner with scope read: a backtest changes nothing.
  const test: Handler = async (req, res) => {
    requireType(req, ['application/json']);
    sendJson(res, 200, backtestRule(ctx, parseJsonBody(await readBody(req, BODY_LIMIT))));
  };

  // Who may call: the owner with scope read: a backtest changes nothing.
  const why: Handler = (_req, res, url) => {
    for (const k of url.searchParams.keys()) if (k !== 'id' && k !== 'at') throw new HttpError(400, 'bad-query', `unknown parameter '${k}' (known: id, at)`);
    const id = url.searchParams.get('id');
    if (!id) throw new HttpError(400, 'bad-query', 'id: name the rule to explain (?id=RULE&at=MS)');
    const atText = url.searchParams.get('at');
    const at = atText === null ? Math.floor(ctx.clock()) : /^\d+$/.test(atText) ? Number(atText) : NaN;
    if (!Number.isSafeInteger(at)) throw new HttpError(400, 'bad-query', `at must be ms since the epoch, got '${atText}'`);
    const { refs } = ruleNodes(ctx.cartridge, ctx.hubId);
    const timeZone = zone();
    // The version in force at that moment; a rule added since is judged as it is now ("would it have fired?").
    const then = rulesOnChain(ctx.cartridge, ctx.hubId, { nodes: refs, timeZone, until: at + 1 }).get(id);
    const rules = then ? undefined : rulesOnChain(ctx.cartridge, ctx.hubId, { nodes: refs, timeZone });
    const found = then ?? rules?.get(id);
    if (!found) throw new HttpError(404, 'unknown-rule', `no rule '${id}' on this hub (rules: ${[...(rules?.keys() ?? [])].join(', ') || 'none'})`);
    const answer = explain(found.rule.doc, at, log(at + 1, undefined), { timeZone, nodes: refs, hubId: ctx.hubId });
    sendJson(res, 200, { ...answer, enabled: found.enabled, judged: then ? 'in force then' : 'added since: judged as it is now' });
  };

  return {
    '/v1/rules/test': { POST: route('read', test) },
    '/v1/rules/explain': { GET: route('read', why) },
  };
}
