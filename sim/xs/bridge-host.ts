import { UNKNOWN_HEALTH } from '../../hal/contracts/health.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import type { HttpReply } from '../../hal/contracts/http.js';
import type { Ota } from '../../hal/contracts/ota.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import { fromWire, toWire } from '../../hal/sim/bridge-values.js';
import type { HostError, HostReply, HostRequest } from '../../hal/sim/host-call.js';
import type { VirtualClock } from '../world/virtual-clock.js';

/**
 * The host end of hal/sim/host-call.ts: runs XS's opens and calls on a real
 * (sim) backend and answers from the virtual clock. Edges (a pin's edge, a
 * datagram's arrival) are queued whenever they fire, during a call or
 * between calls on the host's event loop, and go back with the next reply,
 * whatever it answers ('now' included).
 */
export interface BridgeHost {
  serve(req: HostRequest): HostReply | Promise<HostReply>;
  /** Extra operations for tests (the simulator's back door), by name; one may answer with a promise (XS waits). */
  backdoor: Map<string, (...args: unknown[]) => unknown>;
}

type Io = Record<string, (...args: unknown[]) => unknown>;

function toHostError(e: unknown): HostError {
  if (e instanceof FaztError) return { name: e.name, code: e.code, message: e.message };
  if (e instanceof TypeError || e instanceof RangeError) return { name: e.name, message: e.message };
  throw e; // a bug in the simulator: let it surface on the host
}

/** POSTs a hex batch to the hub; resolves {status, body}, or {error} when the hub cannot be reached. */
export type UplinkSender = (hex: string) => Promise<HttpReply>;

/** How the host reaches one more of the node's hubs. */
export interface OtherHubSenders {
  uplink: UplinkSender;
  downlink?: UplinkSender;
}

/** POSTs a body to a URL from the host's network; resolves {status, body}, or {error} when it cannot be reached. */
type HttpSender = (url: string, contentType: string, body: Uint8Array) => Promise<HttpReply>;

/** The host's network as the guest may use it: uplinks and downlink polls to a configured hub, any POST (enrolment, a discovered hub). */
export interface BridgeNetwork {
  uplink?: UplinkSender;
  /** POSTs a hex downlink poll to the hub (the same shape as an uplink). */
  downlink?: UplinkSender;
  /** The node's other hubs (node config otherHubs with a url), in its order: a request naming hub n (from 1) goes to otherHubs[n − 1]. */
  otherHubs?: readonly OtherHubSenders[];
  http?: HttpSender;
  /** The node's preferences (its flash): kept by the host, so they survive the XS machine (a simulated power cycle). */
  preferences?: Preferences;
  /** Firmware updates: the chunk route, the OTA slots (flash, kept by the host) and the reboot the firmware asks for. */
  ota?: { chunk: UplinkSender; backend: Ota; restart: () => void };
}

const OTA_METHODS = ['begin', 'write', 'commit', 'abort', 'confirm'];

export function bridgeHost(backend: HalBackend, clock: VirtualClock, network: BridgeNetwork = {}): BridgeHost {
  const { http, preferences, ota } = network;
  const hub = (n: number | undefined): Pick<BridgeNetwork, 'uplink' | 'downlink'> => (n ? (network.otherHubs?.[n - 1] ?? {}) : network);
  const handles = new Map<number, Io>();
  const edges: number[] = [];
  const backdoor = new Map<string, (...args: unknown[]) => unknown>();
  let next = 1;
  const withEdges = (r: HostReply): HostReply => (edges.length ? { ...r, edges: edges.splice(0) } : r);
  return {
    backdoor,
    serve(req) {
      try {
        switch (req.op) {
          case 'open': {
            const h = next++;
            const options = req.reader ? { ...req.options, onReadable: () => void edges.push(h) } : req.options;
            const io = (backend[req.kind] as (o: unknown) => unknown)(options) as Io;
            handles.set(h, io);
            return withEdges({ ok: h });
          }
          case 'call': {
            const io = handles.get(req.handle);
            if (!io) return withEdges({ err: { name: 'IoError', code: 'closed', message: `handle ${req.handle} is not open` } });
            const r = io[req.method](...req.args.map(fromWire));
            return withEdges({ ok: toWire(r) });
          }
          case 'get': {
            const io = handles.get(req.handle);
            if (!io) return withEdges({ err: { name: 'IoError', code: 'closed', message: `handle ${req.handle} is not open` } });
            return withEdges({ ok: toWire((io as Record<string, unknown>)[req.property]) });
          }
          case 'now':
            return withEdges({ ok: clock.now() });
          case 'delay':
            clock.delay(req.ms);
            return withEdges({ ok: null });
          case 'advanceTo':
            clock.runUntil(req.time);
            // When the host next has something to do (a model's timer), so the guest stops there too.
            return withEdges({ ok: { next: clock.nextDue() ?? null } });
          case 'uplink': {
            const uplink = hub(req.hub).uplink;
            if (!uplink) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation has no hub' } };
            return uplink(req.hex).then((r) => withEdges({ ok: toWire(r) }));
          }
          case 'downlink': {
            const downlink = hub(req.hub).downlink;
            if (!downlink) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation has no downlink' } };
            return downlink(req.hex).then((r) => withEdges({ ok: toWire(r) }));
          }
          case 'http':
            if (!http) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation gives the node no network' } };
            return http(req.url, req.contentType, Buffer.from(req.hex, 'hex')).then((r) => withEdges({ ok: toWire(r) }));
          case 'preferences': {
            if (!preferences) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation gives the node no preferences' } };
            if (!['get', 'set', 'delete', 'keys'].includes(req.method)) throw new TypeError(`preferences has no method '${req.method}'`);
            const f = preferences[req.method] as (...a: unknown[]) => unknown;
            return withEdges({ ok: toWire(f(...req.args.map(fromWire))) });
          }
          case 'chunk':
            if (!ota) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation gives the node no firmware updates' } };
            return ota.chunk(req.hex).then((r) => withEdges({ ok: toWire(r) }));
          case 'ota': {
            if (!ota) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation gives the node no OTA slots' } };
            if (req.method === 'pendingVerify' || req.method === 'rolledBackFrom') return withEdges({ ok: toWire(ota.backend[req.method] ?? null) });
            if (!OTA_METHODS.includes(req.method)) throw new TypeError(`ota has no method '${req.method}'`);
            const f = ota.backend[req.method] as (...a: unknown[]) => unknown;
            return withEdges({ ok: toWire(f(...req.args.map(fromWire)) ?? null) });
          }
          case 'restart':
            if (!ota) return { err: { name: 'IoError', code: 'unsupported', message: 'this simulation cannot restart the node' } };
            ota.restart();
            return withEdges({ ok: null });
          case 'health':
            return withEdges({ ok: { ...(backend.health?.().read() ?? UNKNOWN_HEALTH) } });
          case 'backdoor': {
            const f = backdoor.get(req.action);
            if (!f) return { err: { name: 'Error', code: 'unsupported', message: `no back door '${req.action}'` } };
            const r = f(...req.args);
            if (r instanceof Promise)
              return r.then(
                (v: unknown) => withEdges({ ok: toWire(v) }),
                (e: unknown) => withEdges({ err: toHostError(e) }),
              );
            return withEdges({ ok: toWire(r) });
          }
        }
      } catch (e) {
        return withEdges({ err: toHostError(e) });
      }
    },
  };
}

/** Adapts a JSON request handler to XsWorker's byte-level onHostCall. */
export function jsonHostCall(handler: (req: HostRequest) => HostReply | Promise<HostReply>): (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array> {
  const encode = (r: HostReply) => Buffer.from(JSON.stringify(r), 'utf8');
  return (bytes) => {
    const r = handler(JSON.parse(Buffer.from(bytes).toString('utf8')) as HostRequest);
    return r instanceof Promise ? r.then(encode) : encode(r);
  };
}
