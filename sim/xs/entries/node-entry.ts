/**
 * The node firmware inside XS, in the simulator: NodeApp on the sim backend
 * bridged to the host (buses, pins, clock) with the uplink crossing the bridge
 * to the hub. The host drives simulated time with run(until).
 */
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import { NodeApp } from '../../../firmware/node/node-app.js';
import { nodeConfigFromJson } from '../../../firmware/node/node-config.js';
import { validateDocument } from '../../../firmware/schema/validate.js';
import { GuestTime } from '../../../hal/sim/guest-time.js';
import { HostCallBackend, type HostReply } from '../../../hal/sim/host-call.js';
import { hostOta } from '../../../hal/sim/host-ota.js';
import { hostPreferences } from '../../../hal/sim/host-preferences.js';
import { HostCallTransport } from '../host-call-transport.js';
import { HubFailover } from '../../../firmware/uplink/hub-failover.js';
import type { Transport } from '../../../firmware/uplink/transport.js';
import { VirtualClock } from '../../world/virtual-clock.js';
import { callHost, serveCommands } from '../xs-guest.js';

let app: NodeApp | undefined;
let time: GuestTime | undefined;
let collect = false;
const recent: JsonValue[] = [];

function ready(): { app: NodeApp; time: GuestTime } {
  if (!app || !time) throw new Error('call init first');
  return { app, time };
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

/** What a device's esp_restart does to the running firmware: nothing of it runs again (the host boots the next image in a new machine). */
function restart(backend: HostCallBackend): void {
  app?.stop();
  backend.request({ op: 'restart' });
}

/** The transport to the configured hub, or a HubFailover over it and `otherHubs` more (the host carries each to its hub). */
function hubTransports(backend: HostCallBackend, downlink: boolean, chunks: boolean, otherHubs: number): Transport {
  const first = new HostCallTransport(backend, downlink, chunks);
  if (otherHubs === 0) return first;
  const more: Transport[] = [];
  for (let i = 1; i <= otherHubs; i++) more.push(new HostCallTransport(backend, downlink, false, i));
  return new HubFailover([first, ...more]);
}

serveCommands({
  /**
   * `downlink`: the host carries downlink polls to the hub; `seedHex`: 32 random bytes from the host for the polls' nonces;
   * `preferences`: the host keeps the node's preferences (its flash), which outlive this machine;
   * `ota`: the host keeps the node's OTA slots and has the chunk route; `firmware` is the version of the image booted;
   * `otherHubs`: how many more hubs the host reaches for it (node config otherHubs with a url), tried after the first (HubFailover).
   */
  init: (
    configJson: JsonValue,
    startMs: number,
    collectEvents: boolean,
    head: { seq: number; hash: string } | null,
    downlink = false,
    seedHex: string | null = null,
    preferences = false,
    ota: { firmware: string } | null = null,
    otherHubs = 0,
  ) => {
    validateDocument('nodeConfig', configJson);
    const backend = new HostCallBackend((req) => callHost(req) as HostReply);
    time = new GuestTime(new VirtualClock(startMs), backend);
    collect = collectEvents;
    const seed = seedHex === null ? undefined : fromHex(seedHex);
    app = new NodeApp({
      config: nodeConfigFromJson(configJson),
      backend,
      time,
      crypto: nobleCrypto,
      transport: hubTransports(backend, downlink, ota !== null, otherHubs),
      entropy: seed && (() => seed),
      onEvent: (e) => void (collect && recent.length < 10_000 && recent.push(summary(e))),
      head: head ? { seq: head.seq, hash: fromHex(head.hash) } : undefined,
      preferences: preferences ? hostPreferences(backend) : undefined,
      firmware: ota?.firmware,
      ota: ota ? { backend: hostOta(backend), restart: () => restart(backend) } : undefined,
    });
    return { id: app.identity.id };
  },
  start: () => void ready().app.start(),
  stop: () => void ready().app.stop(),
  /** The test back door for a glitch of the node's time source: its clock leaps `ms` ahead at once; timers due meanwhile fire late. */
  stepClock: (ms: number) => void ready().time.delay(ms),
  /**
   * The world changed at `at` (host ms): brings the node there, asks `sensors`
   * for a sample now (NodeApp.sampleNow, which sends it at once) and runs it.
   */
  sample: (sensors: string[], at: number) => {
    const r = ready();
    r.time.runUntil(at);
    const before = r.app.head.seq;
    // The change's moment by the node's event clock as it is now (the ack to the sample may correct that clock).
    const stamped = r.app.clock.stamp(r.time.now());
    const sampled = sensors.filter((s) => r.app.sampleNow(s));
    r.time.runUntil(at);
    return { sampled, at: stamped, from: before + 1, to: r.app.head.seq, unsent: r.app.buffer.count };
  },
  /** Runs the node up to `until` (simulated ms); reports where it is and what it recorded since the last call. */
  run: (until: number) => {
    const r = ready();
    r.time.runUntil(until);
    return {
      head: r.app.head.seq,
      buffered: r.app.buffer.count,
      bufferBytes: r.app.buffer.bytes,
      dropped: r.app.buffer.stats.dropped,
      uplink: r.app.uplink.stats,
      events: recent.splice(0),
      clock: r.app.clock.status() as unknown as JsonValue,
      downlink: { ...r.app.downlink.stats, lastSeq: r.app.downlink.lastCommandSeq, polls: r.app.poller?.stats.polls ?? 0 },
    };
  },
});
