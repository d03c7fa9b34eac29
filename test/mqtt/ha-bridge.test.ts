import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { faztVersion } from '../../host/fazt-version.js';
import { Hub } from '../../host/hub/hub.js';
import { handleHaCommand } from '../../host/mqtt/ha-command.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { NodeRuntimeNode } from '../../sim/node/node-runtime-node.js';
import { httpDownlink, httpUplink } from '../../sim/node/xs-node.js';
import type { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { asOwner, cbor, post, TestNode, tempDir } from '../hub/helpers.js';
import { Mosquitto, mosquittoSkip } from '../helpers/mosquitto.js';

/**
 * The Home Assistant bridge against a real Mosquitto (with a password file):
 * what an HA instance subscribed to the broker reads, a command from HA
 * round-tripping to a simulated node's relay, bad commands refused, the
 * broker going away and coming back, and a retired node leaving HA.
 */
const T0 = Date.UTC(2026, 4, 1);
const PIN = 4;
const GUARD_MS = 15_000;

interface Msg {
  topic: string;
  text: string;
  retain: boolean;
}

/** An MQTT client standing in for Home Assistant: every message it gets, and a wait for the one a test needs. */
class Watcher {
  readonly got: Msg[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.got.push({ topic, text: payload.toString('utf8'), retain: packet.retain });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, user: string, password: string, topics: string[]): Promise<Watcher> {
    const client = await mqtt.connectAsync(url, { username: user, password, reconnectPeriod: 0, clientId: `ha-${Math.random().toString(16).slice(2)}` });
    const w = new Watcher(client);
    if (topics.length) await client.subscribeAsync(topics, { qos: 1 });
    return w;
  }

  /** Resolves with the first message (from `from` on) that matches; fails after a guard, naming what it waited for. */
  async next(what: string, match: (m: Msg) => boolean, from = 0): Promise<Msg> {
    const deadline = Date.now() + GUARD_MS;
    for (;;) {
      const m = this.got.slice(from).find(match);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${GUARD_MS} ms; got ${this.got.map((x) => x.topic).join(', ')}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          ok();
        });
      });
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Waits for a condition that another process (broker, bridge) makes true; fails after a guard naming it. */
async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + GUARD_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${GUARD_MS} ms`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe('Home Assistant over MQTT (real Mosquitto)', { skip: mosquittoSkip }, () => {
  const tmp = tempDir('fazt-mqtt-hub-');
  let broker: Mosquitto;
  let hub: Hub;
  let url = '';
  let node: NodeRuntimeNode;
  let board: SimBoard | undefined;
  const clock = new VirtualClock(T0);
  const hubTimers = new VirtualClock(T0);
  const nodeId = identityFromSecretKey(new Uint8Array(32).fill(0x61), nodeCrypto).id;
  const logs: Record<string, unknown>[] = [];
  const watchers: Watcher[] = [];
  const watch = async (topics = ['homeassistant/#', 'fazt/#']) => {
    const w = await Watcher.connect(broker.url, broker.user, broker.password, topics);
    watchers.push(w);
    return w;
  };
  const stored = (type: string): EventEntry[] => [...hub.cartridge.chain(nodeId)].filter((e) => e.type === type);
  const own = (type: string): EventEntry[] => [...hub.cartridge.chain(hub.hubLog.id)].filter((e) => e.type === type);
  const run = (ms: number) => node.run(clock.now() + ms);
  const hubId = () => hub.hubLog.id;

  before(async () => {
    broker = await Mosquitto.start({ auth: true });
    const passwordFile = join(tmp.dir, 'mqtt-password');
    writeFileSync(passwordFile, `${broker.password}\n`, { mode: 0o600 });
    hub = new Hub({
      dataDir: join(tmp.dir, 'hub'),
      port: 0,
      clock: () => Math.floor(clock.now()),
      log: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
      // Presence checks and forgetting run on timers the test fires (hubTimers); the hub reads the node's clock.
      timers: hubTimers,
      silentAfterMs: 60_000,
      mqtt: { url: broker.url, user: broker.user, passwordFile, retryMs: { min: 50, max: 400 }, forgetAfterMs: 60_000 },
    });
    url = asOwner(hub, await hub.start()).url;
    const identity = identityFromSecretKey(new Uint8Array(32).fill(0x61), nodeCrypto);
    hub.cartridge.addNode(identity.publicKey, { name: 'desk', board: 'esp32-devkitc' });
    await until('the bridge connected', () => hub.homeAssistant?.isConnected === true);
    node = new NodeRuntimeNode('desk', {
      name: 'desk',
      board: getBoard('esp32-devkitc'),
      clock,
      config: {
        board: 'esp32-devkitc',
        secretKey: toJsonValue(identity.secretKey),
        hub: { url, publicKey: toJsonValue(hub.publicKey) },
        sensors: [
          { name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 10_000 },
          { name: 'relay', driver: 'digital-output', pin: PIN, intervalMs: 3_600_000 },
        ],
        uplink: { batchSize: 16, maxDelayMs: 20_000, downlinkPollMs: 5_000 },
        buffer: { budgetBytes: 262_144 },
      },
      uplink: httpUplink(() => url),
      downlink: httpDownlink(() => url),
      wire: (b) => {
        board = b;
        b.attachI2c(new Bme280Model(0x76, b.clock));
      },
    });
    await run(60_000);
    assert.ok(stored('sensor.reading').length > 0, 'the node uplinked readings');
  });

  after(async () => {
    for (const w of watchers) await w.close();
    await node?.close();
    await hub?.stop();
    await broker?.cleanup();
    tmp.cleanup();
  });

  it('a late subscriber gets the retained device discovery of the hub and the node, exactly as HA reads it', async () => {
    const ha = await watch();
    const config = await ha.next('node discovery', (m) => m.topic === `homeassistant/device/fazt_${nodeId}/config`);
    assert.equal(config.retain, true);
    const boot = stored('system.boot').at(-1)?.data as ValueMap;
    const origin = { name: 'fazt', sw: faztVersion() };
    const doc = JSON.parse(config.text) as Record<string, unknown> & { cmps: Record<string, unknown> };
    assert.deepEqual(doc.dev, { ids: [`fazt_${nodeId}`], name: 'desk', mf: 'Fazt', via_device: `fazt_${hubId()}`, mdl: 'esp32-devkitc', sw: boot.firmware });
    assert.deepEqual(doc.o, origin);
    assert.deepEqual(doc.avty, [{ topic: `fazt/${hubId()}/availability` }, { topic: `fazt/${nodeId}/availability` }]);
    assert.equal(doc.avty_mode, 'all');
    assert.deepEqual(Object.keys(doc.cmps).sort(), ['bme280_humidity', 'bme280_pressure', 'bme280_temperature', 'relay_output']);
    assert.deepEqual(doc.cmps.bme280_temperature, {
      p: 'sensor',
      unique_id: `fazt_${nodeId}_bme280_temperature`,
      name: 'bme280 temperature',
      state_topic: `fazt/${nodeId}/bme280/temperature`,
      value_template: '{{ value_json.value }}',
      device_class: 'temperature',
      state_class: 'measurement',
      unit_of_measurement: '°C',
      expire_after: 60, // three times the longer of the 10 s interval and the 20 s uplink delay
    });
    assert.deepEqual(doc.cmps.relay_output, {
      p: 'switch',
      unique_id: `fazt_${nodeId}_relay_output`,
      name: 'relay',
      command_topic: `fazt/${nodeId}/relay/set`,
      state_topic: `fazt/${nodeId}/relay/on`,
      state_value_template: "{{ 'ON' if value_json.value else 'OFF' }}",
      optimistic: false,
    });
    const hubConfig = await ha.next('hub discovery', (m) => m.topic === `homeassistant/device/fazt_${hubId()}/config`);
    assert.equal(hubConfig.retain, true);
    const hubDoc = JSON.parse(hubConfig.text) as { dev: { ids: string[] }; cmps: Record<string, { p: string }> };
    assert.deepEqual(hubDoc.dev.ids, [`fazt_${hubId()}`]);
    assert.equal(hubDoc.cmps.hub_connectivity.p, 'binary_sensor');
    const online = await ha.next('node availability', (m) => m.topic === `fazt/${nodeId}/availability`);
    assert.deepEqual([online.text, online.retain], ['online', true]);
    // The state: the latest stored reading, retained, in HA's unit.
    const latest = stored('sensor.reading')
      .filter((e) => (e.data as ValueMap).name === 'temperature')
      .at(-1) as EventEntry;
    const state = await ha.next('temperature state', (m) => m.topic === `fazt/${nodeId}/bme280/temperature`);
    assert.equal(state.retain, true);
    const d = latest.data as ValueMap;
    assert.deepEqual(JSON.parse(state.text), { value: d.value, quality: d.quality, time: latest.time, unit: '°C' });
  });

  it('re-publishes discovery when Home Assistant announces itself (birth message)', async () => {
    const ha = await watch(['homeassistant/device/#']);
    await ha.next('retained discovery', (m) => m.topic.endsWith(`fazt_${nodeId}/config`));
    const mark = ha.got.length;
    await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    const again = await ha.next('discovery after the birth message', (m) => m.topic === `homeassistant/device/fazt_${nodeId}/config`, mark);
    assert.equal(again.retain, false, 'delivered live to a subscriber (the broker still retains it)');
    assert.equal(JSON.parse(again.text).dev.name, 'desk');
  });

  it('a command from HA becomes a signed downlink command; the switch state comes only from the node’s effect.applied', async () => {
    const ha = await watch();
    const relay = `fazt/${nodeId}/relay/on`;
    await ha.client.publishAsync(`fazt/${nodeId}/relay/set`, 'ON', { qos: 1 });
    await until('effect.requested on the hub chain', () => own('effect.requested').length === 1);
    const req = own('effect.requested')[0].data as ValueMap;
    assert.equal(req.source, 'homeassistant');
    assert.equal(req.topic, `fazt/${nodeId}/relay/set`);
    assert.deepEqual(req.action, { output: 'relay', op: 'on' });
    assert.equal(stored('effect.applied').length, 0);
    assert.ok(!ha.got.some((m) => m.topic === relay && JSON.parse(m.text).value === true), 'nothing optimistic before the node acted');
    await run(30_000); // the node polls, applies, signs effect.applied and uplinks it
    const applied = stored('effect.applied');
    assert.equal(applied.length, 1);
    assert.equal((applied[0].data as ValueMap).command, req.command);
    const on = await ha.next('relay state on', (m) => m.topic === relay && JSON.parse(m.text).value === true);
    assert.deepEqual(JSON.parse(on.text), { value: true, quality: 'good', time: applied[0].time });
    assert.equal(board?.pins.driven(PIN), 1, 'the relay pin is driven high');
  });

  it('refuses malformed, oversized and unknown commands with a log record naming the topic, and keeps running', async () => {
    const ha = await watch([]);
    const set = `fazt/${nodeId}/relay/set`;
    const before = own('effect.requested').length;
    const refusals = () => logs.filter((l) => l.code === 'mqtt-command-refused');
    const n = refusals().length;
    await ha.client.publishAsync(set, 'MAYBE', { qos: 1 });
    await ha.client.publishAsync(set, 'O'.repeat(100), { qos: 1 });
    await ha.client.publishAsync(`fazt/${nodeId}/fan/set`, 'ON', { qos: 1 });
    await ha.client.publishAsync('fazt/nosuchnode/relay/set', 'ON', { qos: 1 });
    await until('four refusals logged', () => refusals().length === n + 4);
    const got = refusals().slice(n);
    assert.deepEqual(
      got.map((r) => r.topic),
      [set, set, `fazt/${nodeId}/fan/set`, 'fazt/nosuchnode/relay/set'],
    );
    assert.match(String(got[0].reason), /"MAYBE" is not ON or OFF/);
    assert.match(String(got[1].reason), /100 bytes is over the 64-byte limit/);
    assert.match(String(got[2].reason), /declared no output 'fan'/);
    assert.match(String(got[3].reason), /no node nosuchnode/);
    assert.equal(own('effect.requested').length, before, 'nothing was asked of any node');
    // Still alive: a good command goes through.
    await ha.client.publishAsync(set, 'OFF', { qos: 1 });
    await until('the OFF request', () => own('effect.requested').length === before + 1);
    assert.ok(!logs.some((l) => JSON.stringify(l).includes(broker.password)), 'the password is in no log record');
  });

  it('never acts on a retained command (the broker hands one to every new subscription, so it would act again on each reconnect)', () => {
    const records: Record<string, unknown>[] = [];
    const before = own('effect.requested').length;
    const parts = {
      cartridge: hub.cartridge,
      hubLog: hub.hubLog,
      root: 'fazt',
      clock: () => clock.now(),
      commandTtlMs: 60_000,
      log: (r: Record<string, unknown>) => records.push(r),
    };
    handleHaCommand(parts, `fazt/${nodeId}/relay/set`, new TextEncoder().encode('ON'), true);
    assert.equal(records.length, 1);
    assert.equal(records[0].code, 'mqtt-command-refused');
    assert.match(String(records[0].reason), /retained command is stale/);
    assert.equal(own('effect.requested').length, before);
  });

  it('a request the hub cannot queue is logged and recorded as effect.failed on the hub chain', () => {
    const records: Record<string, unknown>[] = [];
    const real = hub.cartridge;
    // The store refusing the command (a full disk, say): the real cartridge with enqueue failing.
    const commands = {
      outputsOf: (n: string) => real.commands.outputsOf(n),
      enqueue: () => {
        throw new Error('disk full');
      },
    };
    const failing = Object.create(real, { commands: { value: commands } }) as typeof real;
    const parts = {
      cartridge: failing,
      hubLog: hub.hubLog,
      root: 'fazt',
      clock: () => clock.now(),
      commandTtlMs: 60_000,
      log: (r: Record<string, unknown>) => records.push(r),
    };
    const before = own('effect.failed').length;
    handleHaCommand(parts, `fazt/${nodeId}/relay/set`, new TextEncoder().encode('ON'), false);
    assert.deepEqual(
      records.map((r) => [r.code, r.reason]),
      [['mqtt-command-failed', 'disk full']],
    );
    const failed = own('effect.failed');
    assert.equal(failed.length, before + 1);
    assert.deepEqual(failed.at(-1)?.data, {
      source: 'homeassistant',
      topic: `fazt/${nodeId}/relay/set`,
      reason: 'disk full',
      node: nodeId,
      action: { output: 'relay', op: 'on' },
    });
  });

  it('reconnects after the broker is stopped and restarted on the same port; the hub keeps storing meanwhile', async () => {
    const connects = () => logs.filter((l) => l.code === 'mqtt-connected').length;
    const was = connects();
    await broker.stop();
    await until('the bridge saw the broker go', () => hub.homeAssistant?.isConnected === false);
    const readings = stored('sensor.reading').length;
    await run(60_000);
    assert.ok(stored('sensor.reading').length > readings, 'ingest went on without the broker');
    await broker.restart();
    await until('the bridge reconnected', () => connects() === was + 1);
    // The broker kept nothing (no persistence): the bridge sent the discovery and the latest states again.
    const ha = await watch();
    await ha.next('discovery after the reconnect', (m) => m.topic === `homeassistant/device/fazt_${nodeId}/config` && m.retain);
    const latest = stored('sensor.reading')
      .filter((e) => (e.data as ValueMap).name === 'temperature')
      .at(-1) as EventEntry;
    const state = await ha.next('the latest temperature', (m) => m.topic === `fazt/${nodeId}/bme280/temperature`);
    assert.equal(JSON.parse(state.text).time, latest.time, 'the reading stored while the broker was away');
  });

  it('a node silent past its expected interval goes offline and its gone readings leave HA by component removal; its next batch brings both back', async () => {
    const porch = new TestNode(0x71);
    hub.cartridge.addNode(porch.identity.publicKey, { name: 'porch' });
    const ha = await watch();
    const topic = `homeassistant/device/fazt_${porch.id}/config`;
    const avail = `fazt/${porch.id}/availability`;
    porch.append(2);
    assert.equal((await post(`${url}/v1/uplink`, cbor(porch.batch(1, 2)))).status, 200);
    const first = await ha.next('porch discovery', (m) => m.topic === topic);
    assert.deepEqual(Object.keys(JSON.parse(first.text).cmps), ['bme280_temperature']);
    await ha.next('porch online', (m) => m.topic === avail && m.text === 'online');
    const mark = ha.got.length;
    await run(90_000); // the desk goes on uplinking; the porch says nothing for 90 s of the hub's time
    hubTimers.runFor(15_000); // the presence check and the forgetting are due
    await ha.next('porch offline', (m) => m.topic === avail && m.text === 'offline', mark);
    const removal = await ha.next('component removal', (m) => m.topic === topic, mark);
    assert.equal(removal.retain, false, 'delivered live');
    assert.deepEqual(JSON.parse(removal.text).cmps, { bme280_temperature: { p: 'sensor' } });
    // Then, as HA's documentation asks, the document without it: here none is left, so the device goes (empty payload).
    const after = await ha.next('the document without it', (m) => m.topic === topic, ha.got.indexOf(removal) + 1);
    assert.equal(after.text, '');
    assert.ok(!ha.got.slice(mark).some((m) => m.topic === `fazt/${nodeId}/availability` && m.text === 'offline'), 'the desk, still reporting, stays online');
    const back = ha.got.length;
    porch.append(1);
    assert.equal((await post(`${url}/v1/uplink`, cbor(porch.batch(3, 3)))).status, 200);
    await ha.next('porch back online', (m) => m.topic === avail && m.text === 'online', back);
    const again = await ha.next('the reading back', (m) => m.topic === topic && 'p' in (JSON.parse(m.text).cmps.bme280_temperature ?? {}), back);
    assert.equal(JSON.parse(again.text).cmps.bme280_temperature.unique_id, `fazt_${porch.id}_bme280_temperature`);
  });

  it('a retired node leaves HA: an empty retained payload on its device config topic', async () => {
    const ha = await watch(['homeassistant/device/#']);
    await ha.next('discovery', (m) => m.topic.endsWith(`fazt_${nodeId}/config`));
    const mark = ha.got.length;
    const r = await post(`${url}/v1/nodes/retire`, JSON.stringify({ node: nodeId }), 'application/json');
    assert.equal(r.status, 200);
    const removed = await ha.next('removal', (m) => m.topic === `homeassistant/device/fazt_${nodeId}/config`, mark);
    assert.equal(removed.text, '');
    // What it still sends is stored, and shown no more.
    const mark2 = ha.got.length;
    await run(60_000);
    assert.ok(
      stored('sensor.reading').some((e) => e.time > clock.now() - 60_000),
      'the retired node still uplinks',
    );
    const late = await watch(['homeassistant/device/#']);
    await late.next('the hub device still there', (m) => m.topic.endsWith(`fazt_${hubId()}/config`));
    assert.ok(!late.got.some((m) => m.topic.endsWith(`fazt_${nodeId}/config`)), 'nothing retained for the retired node');
    assert.ok(!ha.got.slice(mark2).some((m) => m.topic.endsWith(`fazt_${nodeId}/config`)), 'no discovery for it again');
  });
});
