/**
 * The device's wiring (firmware/device/device-node.ts, what device-main.ts runs
 * on an ESP32) against a real hub: the Moddable backend over the simulated
 * ECMA-419 classes (sim/moddable/ecma419-sim.ts, whose UDP is a real socket
 * on the loopback), moddableTime over a Node stand-in for Moddable's `timer`
 * module, and the device's POST over the ECMA-419 HTTP client shape backed
 * by node:http (ecma419-http-over-node.ts). The hub (host/hub/hub.ts) listens
 * on 127.0.0.1 with its beacon off (node-ssdp cannot be kept on the
 * loopback); a test-side BeaconEndpoint announces for it with its key, on a
 * random SSDP port, multicast joined and sent on 127.0.0.1 only. Nothing
 * leaves the machine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { HubLinkEvent } from '../../firmware/beacon/hub-link.js';
import { BeaconEndpoint } from '../../firmware/beacon/ssdp-endpoint.js';
import { fromJsonValue, toJsonValue, type JsonValue } from '../../firmware/codec/json-form.js';
import { nobleCrypto } from '../../firmware/crypto/noble-crypto.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import type { NodeConfig } from '../../firmware/node/node-config.js';
import { validateDocument } from '../../firmware/schema/validate.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import type { UDP, UdpOptions } from '../../hal/contracts/io.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import { deviceNode, type DeviceNode, type DeviceNodeOptions } from '../../firmware/device/device-node.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import { createModdableBackend } from '../../hal/moddable/moddable-backend.js';
import { moddablePreferences } from '../../hal/moddable/moddable-preferences.js';
import { moddableTime, type ModdableTimerModule } from '../../hal/moddable/moddable-time.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { loadOrCreateHubKey } from '../../host/hub/hub-key.js';
import { ecma419SimClasses } from '../../sim/moddable/ecma419-sim.js';
import { simPreferenceModule } from '../../sim/moddable/sim-preference-module.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { realTime } from '../beacon/real-time.js';
import { ecma419HttpOverNode } from '../hal/ecma419-http-over-node.js';
import { until as untilWithin } from '../helpers/wait.js';

/** Network exchanges over the device wiring take longer than a loopback round trip: 20 s, with context on timeout. */
const until = <T>(probe: () => T | undefined | false, what: string, context: () => unknown): Promise<T> => untilWithin(probe, what, 20_000, context);

const BOARD = 'esp32-c3-devkitm-1';
const PIR_PIN = 6;
const entropy = (n: number) => new Uint8Array(randomBytes(n));
const randomPort = () => 20_000 + Math.floor(Math.random() * 12_000);
const time = realTime();
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  time.dispose();
});

/** Moddable's `timer` module, on Node's timers (Timer.set/clear/delay). */
function nodeTimerModule(): ModdableTimerModule<NodeJS.Timeout> {
  const live = new Set<NodeJS.Timeout>();
  cleanup.push(() => live.forEach((t) => clearTimeout(t)));
  return {
    set(callback, interval) {
      const t = setTimeout(() => {
        live.delete(t);
        callback();
      }, interval);
      live.add(t);
      return t;
    },
    clear(t) {
      clearTimeout(t);
      live.delete(t);
    },
    delay(ms) {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // Timer.delay blocks; the drivers here never ask for more than a few ms
      }
    },
  };
}

/** A LinuxUdp on the loopback; reuseAddr, because here the announcer shares the SSDP port (on a device the node's socket is alone on it). */
function loopbackUdp(o: UdpOptions): LinuxUdp {
  const s = new LinuxUdp({ ...o, reuseAddr: true }, { interfaces: ['127.0.0.1'] });
  cleanup.push(() => s.close());
  return s;
}

/** The hub's beacon, announced from the test with the hub's key. */
function announcer(ssdpPort: number, identity: NodeIdentity, apiPort: number): BeaconEndpoint {
  const udp = (o: UdpOptions): UDP => loopbackUdp(o);
  const e = new BeaconEndpoint({
    udp,
    time,
    crypto: nodeCrypto,
    port: ssdpPort,
    self: {
      identity,
      fields: { kind: 'hub', name: 'hub', board: 'pi', version: '0.1.0', services: ['uplink', 'enroll'], addresses: ['127.0.0.1'], port: apiPort },
    },
  });
  e.start();
  cleanup.push(() => e.stop());
  return e;
}

async function startHub(): Promise<{ hub: Hub; url: string; port: number; key: NodeIdentity }> {
  const data = join(mkdtempSync(join(tmpdir(), 'fazt-device-node-')), 'data');
  const hub = new Hub({ dataDir: data, host: '127.0.0.1', port: 0, log: () => undefined });
  cleanup.push(() => hub.stop().catch(() => undefined));
  const addr = await hub.start();
  return { hub, url: addr.url, port: addr.port, key: loadOrCreateHubKey(hub.cartridge, data, nodeCrypto, entropy) };
}

/** The node configuration as `fazt firmware build` puts it in mc/config, checked and decoded as device-main.ts does. */
function deviceConfig(secretKey: Uint8Array, hub: { url?: string; publicKey: Uint8Array; token?: string }, power?: JsonValue): NodeConfig {
  const json: JsonValue = {
    ...(power ? { power } : {}),
    name: 'porch',
    board: BOARD,
    secretKey: toJsonValue(secretKey),
    hub: { ...hub, publicKey: toJsonValue(hub.publicKey) } as JsonValue,
    sensors: [{ name: 'pir', driver: 'pir', pin: PIR_PIN, intervalMs: 200 }],
    uplink: { batchSize: 4, maxDelayMs: 300 },
    buffer: { budgetBytes: 32_768 },
  };
  validateDocument('nodeConfig', json);
  return fromJsonValue(json) as unknown as NodeConfig;
}

/** What device-main.ts builds, on a simulated board whose network is the loopback; `preferences`: its flash (NVS). */
function device(config: NodeConfig, ssdpPort: number, preferences?: Preferences, extra: Partial<DeviceNodeOptions> = {}) {
  const board = new SimBoard('porch', getBoard(BOARD), new VirtualClock(), { udp: null });
  const classes = ecma419SimClasses(board.pins, (sda, scl) => board.bus(sda, scl), loopbackUdp);
  const http = ecma419HttpOverNode();
  const lines: string[] = [];
  const events: HubLinkEvent[] = [];
  const node: DeviceNode = deviceNode({
    config,
    backend: createModdableBackend(new PinClaims(board.board), classes),
    time: moddableTime(nodeTimerModule()),
    crypto: nobleCrypto,
    http,
    log: (l) => void lines.push(l),
    beacon: { port: ssdpPort, searchWindowMs: 1000, retryMs: 500 },
    onLink: (e) => void events.push(e),
    preferences,
    ...extra,
  });
  let stopped = false;
  const stop = () => {
    if (!stopped) node.stop();
    stopped = true;
  };
  cleanup.push(stop);
  return { node, board, http, lines, events, stop };
}

describe('the device wiring (device-node.ts) over simulated ECMA-419 classes, against a real hub on the loopback', () => {
  it('without hub.url: finds the hub by Beacon, enrols with the token, its batches are acknowledged; restarted with the token and its NVS, it continues its chain', {
    timeout: 60_000,
  }, async () => {
    const { hub, url, port, key } = await startHub();
    const ssdpPort = randomPort();
    announcer(ssdpPort, key, port);
    const invite = hub.cartridge.createInvite({ ttlMs: 60_000 });
    const config = deviceConfig(entropy(32), { publicKey: hub.publicKey, token: invite.token });

    const nvs = moddablePreferences(simPreferenceModule());
    const d = device(config, ssdpPort, nvs);
    const id = d.node.app.identity.id;
    assert.match(d.node.hub, /^by Beacon \(key [0-9a-f]{16}…, enrols with its invite\)$/);
    d.node.start();
    const ctx = () => ({ lines: d.lines, events: d.events });
    const found = await until(() => d.events.find((e) => e.event === 'found'), 'found', ctx);
    assert.deepEqual(found, { event: 'found', hub: key.id, url });
    assert.deepEqual(await until(() => d.events.find((e) => e.event === 'enrolled'), 'enrolled', ctx), { event: 'enrolled', node: id, hub: key.id });
    await until(() => d.events.find((e) => e.event === 'acked'), 'an acknowledgement', ctx);
    assert.ok(hub.cartridge.hasNode(id));
    assert.equal(hub.cartridge.nodes().find((n) => n.id === id)?.name, 'porch');

    // Motion on the PIR's pin: the reading and the event reach the hub through the same link.
    d.board.pins.setLevel(PIR_PIN, 1);
    await until(() => hub.cartridge.events({ node: id, type: 'sensor.event' }).events.length > 0, 'the motion event stored by the hub', ctx);
    // A sensor event goes at once (it may overtake the first reading); the readings follow in their batch.
    await until(() => hub.cartridge.events({ node: id, type: 'sensor.reading' }).events.length > 0, 'readings stored', ctx);
    assert.equal(d.node.app.uplink.stats.refusals, 0);
    assert.deepEqual(d.lines.slice(0, 3), ['searching the LAN for the hub (Beacon)', `found hub ${key.id} at ${url}`, `enrolled as ${id}`]);
    assert.equal(d.lines.filter((l) => l.startsWith('uplink acknowledged')).length, 1, 'acknowledgements are logged once per hub found');
    d.stop();
    await until(
      () => d.http.open === 0 || undefined,
      'every HTTP client closed',
      () => d.http,
    );

    // The device restarts with the same configuration: the token is still in flash, and the hub has spent it.
    // The link takes invite-used as "enrolled before" and tries the uplink. Its chain head is in its NVS
    // (firmware/node/node-state.ts), so its new boot continues the chain and the hub takes it.
    const head = hub.cartridge.head(id)?.seq ?? 0;
    const again = device(config, ssdpPort, nvs);
    again.node.start();
    const ctx2 = () => ({ lines: again.lines, events: again.events });
    await until(() => again.events.find((e) => e.event === 'refused' && e.stage === 'enroll'), 'the spent invite', ctx2);
    await until(() => hub.cartridge.events({ node: id, type: 'system.boot' }).events.length === 2 || undefined, "the restarted device's boot stored", ctx2);
    const refusals = again.events.filter((e) => e.event === 'refused').map((e) => e.event === 'refused' && `${e.stage} ${e.code}`);
    assert.deepEqual(refusals, ['enroll invite-used'], 'the uplink is never refused');
    assert.ok(!again.events.some((e) => e.event === 'enrolled'));
    assert.ok(
      again.lines.some((l) => /enroll refused \(invite-used\).*trying the uplink/.test(l)),
      again.lines.join('\n'),
    );
    assert.ok((hub.cartridge.head(id)?.seq ?? 0) > head, 'the chain grew past the first run');
    const verified = verifyStoredChains(hub.cartridge, nodeCrypto).find((h) => h.node === id);
    assert.equal(verified?.seq, hub.cartridge.head(id)?.seq, 'one chain across the restart, verified entry by entry');
    // One enrolled node (the nodes table also holds the hub's own chain, which records the enrolment).
    assert.deepEqual(
      hub.cartridge.nodes().map((n) => n.id),
      [id],
    );
    assert.equal(hub.cartridge.counts().nodes, 2);
    again.stop();
  });

  it('an already-enrolled device (no token) only searches and uplinks; with hub.url it uplinks there without Beacon', { timeout: 60_000 }, async () => {
    const { hub, url, port, key } = await startHub();
    const ssdpPort = randomPort();
    announcer(ssdpPort, key, port);
    const secret = entropy(32);
    const id = hub.cartridge.addNode(nodeCrypto.publicKey(secret), { name: 'porch' });

    const found = device(deviceConfig(secret, { publicKey: hub.publicKey }), ssdpPort);
    assert.equal(found.node.app.identity.id, id);
    assert.match(found.node.hub, /enrolled before/);
    found.node.start();
    await until(
      () => found.events.find((e) => e.event === 'acked'),
      'an acknowledgement',
      () => found.lines,
    );
    assert.deepEqual(
      found.events.map((e) => e.event).filter((e, i, all) => all.indexOf(e) === i),
      ['searching', 'found', 'acked'],
    );
    found.stop();

    // Another enrolled device (a device restarted with the same key would start a new chain: see above).
    const secret2 = entropy(32);
    hub.cartridge.addNode(nodeCrypto.publicKey(secret2), { name: 'porch' });
    const direct = device(deviceConfig(secret2, { url, publicKey: hub.publicKey, token: 'fzi-ignored' }), ssdpPort);
    assert.equal(direct.node.link, undefined);
    assert.equal(direct.node.hub, url);
    assert.deepEqual(direct.lines, ['hub.token is ignored: the node enrols only when it finds its hub by Beacon (no hub.url)']);
    direct.node.start();
    const before = direct.node.app.uplink.stats.acked;
    await until(
      () => direct.node.app.uplink.stats.acked > before || undefined,
      'an acknowledgement from hub.url',
      () => direct.lines,
    );
    assert.deepEqual(direct.events, []);
    direct.stop();
  });

  it('power.mode deep-sleep with hub.url runs one wake (sample, send, acknowledged) and sleeps through the given Sleep; without hub.url, or without Sleep, it stays always-on', {
    timeout: 60_000,
  }, async () => {
    const { hub, url } = await startHub();
    const secret = entropy(32);
    const id = hub.cartridge.addNode(nodeCrypto.publicKey(secret), { name: 'porch' });
    const power = { mode: 'deep-sleep', wakeEveryMs: 300_000, wakePin: 4 };
    const slept: [number, number | undefined][] = [];
    const sleep = { deepSleep: (ms: number, pin?: number) => void slept.push([ms, pin]), wakeCause: () => 'power-on' as const };
    const prefs = moddablePreferences(simPreferenceModule());
    const battery = device(deviceConfig(secret, { url, publicKey: hub.publicKey }, power), randomPort(), prefs, { sleep });
    assert.match(battery.node.hub, /deep sleep, wake cause power-on/);
    battery.node.start();
    const [ms, pin] = await until(
      () => slept[0],
      'the wake to end in deep sleep',
      () => battery.lines,
    );
    assert.ok(ms > 280_000 && ms <= 300_000, `sleeps the rest of the period, ${ms} ms`);
    assert.equal(pin, 4);
    const stored = [...hub.cartridge.chain(id)].map((e) => e.type);
    assert.ok(stored.includes('system.boot') && stored.includes('system.health'), stored.join());
    assert.equal(battery.node.app.buffer.count, 0, 'everything sent before sleeping');
    battery.stop();

    const byBeacon = device(deviceConfig(entropy(32), { publicKey: hub.publicKey }, power), randomPort(), undefined, { sleep });
    assert.deepEqual(byBeacon.lines, [
      'power.mode deep-sleep needs hub.url on a device (a Beacon search every wake costs more than the sleep saves): running always-on',
    ]);
    const noSleep = device(deviceConfig(entropy(32), { url, publicKey: hub.publicKey }, power), randomPort());
    assert.deepEqual(noSleep.lines, ['power.mode deep-sleep: this build has no deep sleep, running always-on']);
    assert.equal(slept.length, 1);
  });
});
