import { compileTopicPattern } from '../../firmware/bus/topic.js';
import { stringifyJson } from '../../firmware/codec/json-form.js';
import { toCloudEvent } from '../../firmware/event/cloudevents.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import type { Cartridge } from '../store/cartridge.js';
import { bleDeviceList } from './ble-device-list.js';
import type { EventStream, StreamFilter } from './event-stream.js';
import { parseEventsParams } from './events-params.js';
import { HttpError } from './http-error.js';
import { resolveNodeRef } from './node-ref.js';
import { sendJson, sendJsonText } from './reply.js';
import { type Handler, type Routes, route } from './route.js';

/**
 * Reading the log (read): the enrolled nodes and the hub's BLE devices, a page of their events (the
 * lossless JSON form or CloudEvents) and the live stream of what commits.
 */
export function eventsRoutes(ctx: { cartridge: Cartridge; stream: EventStream; hubKey: { id: string } }): Routes {
  const nodeRef = (ref: string) => resolveNodeRef(ref, () => ctx.cartridge.nodeNames());

  const nodes: Handler = (_req, res) => {
    // The hub's BTHome devices are listed beside the nodes: sensors on the hub's chain (README "BLE sensors").
    sendJson(res, 200, { nodes: ctx.cartridge.nodes(), bleDevices: bleDeviceList(ctx.cartridge, ctx.hubKey.id) });
  };

  const events: Handler = (_req, res, url) => {
    const { query, format } = parseEventsParams(url.searchParams, nodeRef);
    const page = ctx.cartridge.events(query);
    const items = format === 'cloudevents' ? page.events.map((e) => JSON.stringify(toCloudEvent(e))) : page.events.map((e) => stringifyJson(entryToValue(e)));
    sendJsonText(res, 200, `{"order":"${query.order ?? 'asc'}","events":[${items.join(',')}],"next":${JSON.stringify(page.next)}}`);
  };

  const stream: Handler = (req, res, url) => {
    const filter: StreamFilter = {};
    for (const k of url.searchParams.keys())
      if (k !== 'node' && k !== 'type') throw new HttpError(400, 'bad-query', `unknown parameter '${k}' (known: node, type)`);
    const node = url.searchParams.get('node');
    if (node !== null) {
      filter.node = nodeRef(node);
    }
    const type = url.searchParams.get('type');
    if (type !== null) {
      try {
        filter.type = compileTopicPattern(type);
      } catch (e) {
        throw new HttpError(400, 'bad-query', `type: ${(e as Error).message}`);
      }
    }
    req.socket.setNoDelay(true);
    if (!ctx.stream.add(res, filter)) throw new HttpError(503, 'too-many-streams', 'the hub serves its maximum of event streams');
  };

  return {
    '/v1/nodes': { GET: route('read', nodes) },
    '/v1/events': { GET: route('read', events) },
    '/v1/stream': { GET: route('read', stream) },
  };
}
