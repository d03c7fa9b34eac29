import type { EventQuery } from '../store/queries.js';
import { HttpError } from './http-error.js';

export type EventFormat = 'json' | 'cloudevents';

const KNOWN = new Set(['node', 'type', 'since', 'until', 'limit', 'cursor', 'order', 'format']);

function bad(message: string): never {
  throw new HttpError(400, 'bad-query', message);
}

/** A time parameter: whole milliseconds since the epoch, or an ISO 8601 date-time. */
function parseTime(name: string, text: string): number {
  if (/^\d{1,16}$/.test(text)) return Number(text);
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(t)) bad(`${name} must be milliseconds since the epoch or an ISO 8601 time, got '${text}'`);
  return t;
}

/**
 * GET /v1/events?node=&type=&since=&until=&limit=&cursor=&order=&format= into a query.
 * `nodeId` turns `node` (an id or a node's name) into the node id.
 */
export function parseEventsParams(params: URLSearchParams, nodeId: (ref: string) => string = (ref) => ref): { query: EventQuery; format: EventFormat } {
  for (const k of params.keys()) if (!KNOWN.has(k)) bad(`unknown parameter '${k}' (known: ${[...KNOWN].join(', ')})`);
  const one = (k: string): string | undefined => {
    const all = params.getAll(k);
    if (all.length > 1) bad(`parameter '${k}' given ${all.length} times`);
    return all[0];
  };
  const query: EventQuery = {};
  const node = one('node');
  if (node !== undefined) query.node = nodeId(node);
  const type = one('type');
  if (type !== undefined) query.type = type;
  const since = one('since');
  if (since !== undefined) query.since = parseTime('since', since);
  const until = one('until');
  if (until !== undefined) query.until = parseTime('until', until);
  const limit = one('limit');
  if (limit !== undefined) {
    if (!/^\d{1,7}$/.test(limit) || Number(limit) < 1) bad(`limit must be a whole number from 1 to 1000, got '${limit}'`);
    query.limit = Number(limit);
  }
  const cursor = one('cursor');
  if (cursor !== undefined) query.cursor = cursor;
  const order = one('order');
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') bad(`order must be asc or desc, got '${order}'`);
    query.order = order;
  }
  const format = one('format') ?? 'json';
  if (format !== 'json' && format !== 'cloudevents') bad(`format must be json or cloudevents, got '${format}'`);
  return { query, format };
}
