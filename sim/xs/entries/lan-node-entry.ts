/**
 * A node that finds its hub on the LAN, its firmware inside XS: NodeApp and
 * HubLink on the sim backend bridged to the host, whose sockets are real
 * (the process's network). HTTP (enrolment, uplink) crosses the bridge as
 * the bridge's 'http' op (url, content type, body hex) → {status, body} |
 * {error}; the host answers it with fetch (sim/node/lan-node.ts) and XS
 * waits, as a device waits for its HTTP client. The host paces simulated
 * time with run(until).
 */
import type { HubLinkEvent } from '../../../firmware/beacon/hub-link.js';
import type { HttpPost, HttpReply } from '../../../hal/contracts/http.js';
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import { toHex } from '../../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import { nodeConfigFromJson } from '../../../firmware/node/node-config.js';
import { validateDocument } from '../../../firmware/schema/validate.js';
import { GuestTime } from '../../../hal/sim/guest-time.js';
import { HostCallBackend, type HostReply } from '../../../hal/sim/host-call.js';
import { hostPreferences } from '../../../hal/sim/host-preferences.js';
import { VirtualClock } from '../../world/virtual-clock.js';
import { lanNodeFirmware, type LanLinkConfig, type LanNodeFirmware } from '../../../firmware/node/lan-node-firmware.js';
import { callHost, serveCommands } from '../xs-guest.js';

let node: LanNodeFirmware | undefined;
let time: GuestTime | undefined;
const linkEvents: HubLinkEvent[] = [];
const recent: JsonValue[] = [];

function ready(): { node: LanNodeFirmware; time: GuestTime } {
  if (!node || !time) throw new Error('call init first');
  return { node, time };
}

function summary(e: EventEntry): JsonValue {
  const s: { [k: string]: JsonValue } = {
    seq: e.seq,
    time: e.time,
    type: e.type,
    component: e.source.slice(e.source.indexOf('/') + 1),
    data: toJsonValue(e.data),
  };
  if (e.clock !== undefined) s.clock = e.clock;
  return s;
}

serveCommands({
  /** `preferences`: the host keeps the node's preferences (its flash) across runs. */
  init: (configJson: JsonValue, link: LanLinkConfig, startMs: number, preferences = false) => {
    validateDocument('nodeConfig', configJson);
    const backend = new HostCallBackend((req) => callHost(req) as HostReply);
    time = new GuestTime(new VirtualClock(startMs), backend);
    const http: HttpPost = (url, contentType, body, done) => {
      let reply: HttpReply;
      try {
        reply = backend.request({ op: 'http', url, contentType, hex: toHex(body) }) as HttpReply;
      } catch (e) {
        reply = { error: (e as Error).message };
      }
      done(reply);
    };
    node = lanNodeFirmware({
      config: nodeConfigFromJson(configJson),
      link,
      backend,
      time,
      crypto: nobleCrypto,
      http,
      onLink: (e) => void (linkEvents.length < 1000 && linkEvents.push(e)),
      onEvent: (e) => void (recent.length < 1000 && recent.push(summary(e))),
      preferences: preferences ? hostPreferences(backend) : undefined,
    });
    return { id: node.app.identity.id };
  },
  start: () => void ready().node.start(),
  stop: () => void ready().node.stop(),
  /** Runs up to `until` (simulated ms); what the link did and what the node recorded since the last call. */
  run: (until: number) => {
    const r = ready();
    r.time.runUntil(until);
    const a = r.node.app;
    return {
      head: a.head.seq,
      buffered: a.buffer.count,
      bufferBytes: a.buffer.bytes,
      dropped: a.buffer.stats.dropped,
      uplink: a.uplink.stats,
      clock: a.clock.status() as unknown as JsonValue,
      state: r.node.link.state,
      url: r.node.link.url ?? null,
      enrolled: r.node.link.enrolled,
      link: linkEvents.splice(0) as unknown as JsonValue[],
      events: recent.splice(0),
    };
  },
});
