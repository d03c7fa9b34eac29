import type { RuleService } from '../effect/rule-service.js';
import type { CommandState } from '../store/commands.js';
import type { Cartridge } from '../store/cartridge.js';
import { parseJsonBody } from './decode-uplink.js';
import { HttpError } from './http-error.js';
import { resolveNodeRef } from './node-ref.js';
import { readBody } from './read-body.js';
import { sendJson } from './reply.js';
import { type Handler, type Routes, requireType, route } from './route.js';

/** A rule document is small; a larger body is refused before it is read. */
const RULE_BODY_LIMIT = 64 * 1024;

async function jsonBody(req: Parameters<Handler>[0]): Promise<unknown> {
  requireType(req, ['application/json']);
  return parseJsonBody(await readBody(req, RULE_BODY_LIMIT));
}

function idOf(body: unknown): string {
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id.length === 0) throw new HttpError(400, 'bad-request', 'send {"id": "<rule id>"}', { path: '/id' });
  return id;
}

/** Rules and effects: the owner reads them (read) and changes them (admin). */
export function rulesRoutes(ctx: { cartridge: Cartridge; rules: () => RuleService | undefined }): Routes {
  const rules = (): RuleService => {
    const r = ctx.rules();
    if (!r) throw new HttpError(404, 'rules-off', 'this hub runs without rules (start it with rules enabled)');
    return r;
  };

  const list: Handler = (_req, res, url) => {
    const id = url.searchParams.get('id');
    if (id === null) return sendJson(res, 200, { rules: rules().list() });
    const one = rules().get(id);
    if (!one) throw new HttpError(404, 'unknown-rule', `no rule '${id}' on this hub`);
    sendJson(res, 200, one);
  };

  const put: Handler = async (req, res) => {
    const result = rules().put(await jsonBody(req));
    sendJson(res, result.change === 'added' ? 201 : 200, result);
  };

  const enable: Handler = async (req, res) => sendJson(res, 200, { rule: rules().enable(idOf(await jsonBody(req))) });
  const disable: Handler = async (req, res) => sendJson(res, 200, { rule: rules().disable(idOf(await jsonBody(req))) });
  const remove: Handler = async (req, res) => {
    const id = idOf(await jsonBody(req));
    rules().remove(id);
    sendJson(res, 200, { removed: id });
  };

  const effects: Handler = (_req, res, url) => {
    const p = url.searchParams;
    const node = p.get('node');
    const state = p.get('state');
    const limit = p.get('limit');
    if (limit !== null && !/^[1-9]\d{0,5}$/.test(limit)) throw new HttpError(400, 'bad-query', 'limit must be a whole number from 1 to 999999');
    let list;
    try {
      list = ctx.cartridge.commands.list({
        node: node === null ? undefined : resolveNodeRef(node, () => ctx.cartridge.nodeNames()),
        state: state === null ? undefined : (state as CommandState),
        limit: limit === null ? undefined : Number(limit),
      });
    } catch (e) {
      if (e instanceof RangeError) throw new HttpError(400, 'bad-query', e.message);
      throw e;
    }
    sendJson(res, 200, { effects: list });
  };

  return {
    '/v1/rules': { GET: route('read', list), POST: route('admin', put) },
    '/v1/rules/enable': { POST: route('admin', enable) },
    '/v1/rules/disable': { POST: route('admin', disable) },
    '/v1/rules/remove': { POST: route('admin', remove) },
    '/v1/effects': { GET: route('read', effects) },
  };
}
