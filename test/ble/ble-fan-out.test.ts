import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { SimBleScanner } from '../../hal/sim/sim-ble.js';
import { Hub } from '../../host/hub/hub.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { BthomeThermometer } from '../../sim/ble/bthome-thermometer.js';
import { constant, ramp } from '../../sim/environment/signals.js';
import { BleAir } from '../../sim/world/ble-air.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { Mosquitto, mosquittoSkip } from '../helpers/mosquitto.js';
import { tempDir } from '../hub/helpers.js';
import mqtt from 'mqtt';

/**
 * A BTHome thermometer heard by the hub is a sensor like a node's: listed
 * under the hub by GET /v1/nodes with its readings and presence, a
 * fazt_reading series in /metrics, percepts (trend, level) citing its
 * readings, a rule on its series by the device's name, and a Home Assistant
 * device shown through the hub. The hub hears it on the simulator's BLE air
 * (virtual clock); Home Assistant is a real Mosquitto and an MQTT client.
 */
const T0 = Date.UTC(2026, 5, 1);
const MAC = 'A4:C1:38:AA:BB:CC';
const COMPONENT = 'ble-a4c138aabbcc';
const GUARD_MS = 15_000;

async function until<T>(what: string, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + GUARD_MS;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${GUARD_MS} ms`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe("the hub's BLE devices take a node's sensors' paths", { skip: mosquittoSkip }, () => {
  const tmp = tempDir('fazt-ble-fan-out-');
  const clock = new VirtualClock(T0);
  const air = new BleAir(clock);
  const seen = new Map<string, string>();
  let broker: Mosquitto;
  let ha: mqtt.MqttClient;
  let hub: Hub;
  let url = '';
  let t: BthomeThermometer;
  /** The hub both starts share: the virtual clock, percepts ticked by hand, the bridge to the test's broker. */
  const hubOptions = (log: (line: string) => void): HubOptions => ({
    dataDir: tmp.dir,
    port: 0,
    clock: () => clock.now(),
    timers: clock,
    time: { mode: 'system' },
    log,
    percepts: { tickMs: 0 },
    mqtt: { url: broker.url, retryMs: { min: 50, max: 400 } },
  });
  const own = (type: string): EventEntry[] => [...hub.cartridge.chain(hub.hubLog.id)].filter((e) => e.type === type);
  const newestTemperature = (): EventEntry =>
    own('sensor.reading')
      .filter((e) => (e.data as { name: string }).name === 'temperature')
      .at(-1) as EventEntry;
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${hub.ownerToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };

  before(async () => {
    broker = await Mosquitto.start();
    ha = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'ha-ble-fan-out' });
    ha.on('message', (topic, payload) => seen.set(topic, payload.toString('utf8')));
    await ha.subscribeAsync(['homeassistant/#', 'fazt/#'], { qos: 1 });
    hub = new Hub({
      ...hubOptions(() => undefined),
      rules: true,
      ble: { intervalMs: 10_000, absentAfter: 3, scanner: (onAdvertisement) => new SimBleScanner(air, { onAdvertisement }, 'hub') },
    });
    url = (await hub.start()).url;
    await until('the bridge connected', () => (hub.homeAssistant?.isConnected ? true : undefined));
    assert.equal((await api('/v1/ble/devices', { mac: MAC, name: 'kitchen' })).status, 200);
    // A rule on the device's series, named by the device's name: the targets check takes it (it read no enrolled node before).
    const rule = {
      id: 'kitchen-warm',
      name: 'kitchen warm',
      triggers: [{ kind: 'numeric', series: { node: 'kitchen', component: 'ble', name: 'temperature' }, above: 25 }],
      actions: [{ kind: 'emit', type: 'effect.kitchen-warm' }],
    };
    const put = await api('/v1/rules', rule);
    assert.equal(put.status, 201, put.text);
    // Plaintext, warming 20 → 30 °C over 10 minutes: a rising trend, and past 25 °C half way.
    t = new BthomeThermometer(air, clock, { mac: MAC, intervalMs: 10_000, temperature: ramp(20, 30, T0, 600_000), humidity: constant(45) });
    t.start();
    clock.runFor(400_000);
  });

  after(async () => {
    t?.stop();
    await hub?.stop();
    await ha?.endAsync(true);
    await broker?.cleanup();
    tmp.cleanup();
  });

  it('GET /v1/nodes lists it under the hub with its newest readings and presence', async () => {
    const r = await api('/v1/nodes');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.text) as { nodes: unknown[]; bleDevices: Record<string, unknown>[] };
    assert.deepEqual(body.nodes, []);
    assert.equal(body.bleDevices.length, 1);
    const d = body.bleDevices[0];
    assert.deepEqual(
      { mac: d.mac, name: d.name, component: d.component, hub: d.hub, encrypted: d.encrypted, state: d.state },
      { mac: MAC, name: 'kitchen', component: COMPONENT, hub: hub.hubLog.id, encrypted: false, state: 'running' },
    );
    const readings = d.readings as { name: string; value: number; unit: string | null; time: number }[];
    assert.deepEqual(readings.map((x) => x.name).sort(), ['battery', 'humidity', 'temperature']);
    const newest = newestTemperature();
    const temp = readings.find((x) => x.name === 'temperature');
    assert.deepEqual(temp && { value: temp.value, unit: temp.unit, time: temp.time }, {
      value: (newest.data as { value: number }).value,
      unit: 'Cel',
      time: newest.time,
    });
    assert.equal(d.lastHeard, newest.time);
    // A read route: without a token it is refused.
    assert.equal((await fetch(`${url}/v1/nodes`)).status, 401);
  });

  it('/metrics has its fazt_reading series, named by the device', async () => {
    const r = await api('/metrics');
    assert.equal(r.status, 200);
    const newest = newestTemperature();
    const line = r.text.split('\n').find((l) => l.startsWith('fazt_reading{') && l.includes(`component="${COMPONENT}"`) && l.includes('reading="temperature"'));
    assert.ok(line, 'a fazt_reading line for the device');
    assert.match(line, new RegExp(`node="${hub.hubLog.id}"`));
    assert.match(line, /node_name="kitchen"/);
    assert.match(line, /unit="Cel"/);
    assert.equal(Number(line.split(' ').at(-1)), (newest.data as { value: number }).value);
  });

  it('percepts: a rising trend and levels of its temperature, citing its readings on the hub chain', () => {
    const readingIds = new Set(own('sensor.reading').map((e) => e.id));
    const trends = own('percept.trend').map((e) => e.data as Record<string, unknown>);
    const rising = trends.find((d) => d.component === COMPONENT && d.name === 'temperature');
    assert.ok(rising, `a trend of the device's temperature (trends: ${JSON.stringify(trends)})`);
    assert.equal(rising.node, hub.hubLog.id);
    assert.equal(rising.direction, 'rising');
    assert.ok((rising.ratePerHour as number) > 50, `rate ${rising.ratePerHour}`);
    const causes = rising.causes as string[];
    assert.ok(causes.length >= 5 && causes.every((c) => readingIds.has(c)), 'the trend cites the readings it was fitted on');
    const levels = own('percept.level')
      .map((e) => e.data as Record<string, unknown>)
      .filter((d) => d.component === COMPONENT && d.name === 'temperature');
    assert.ok(levels.length >= 2);
    for (const l of levels) assert.ok(readingIds.has((l.causes as string[])[0]));
    // Percepts are never perceived again: none of the hub's percepts cite a percept.
    const perceptIds = new Set(own('percept.level').map((e) => e.id));
    for (const d of trends) for (const c of d.causes as string[]) assert.ok(!perceptIds.has(c));
  });

  it('the rule on the device series fires from its reading past 25 °C, citing it', async () => {
    const fired = await until('the rule fired', () => own('system.rule.fired')[0]);
    const data = fired.data as Record<string, unknown>;
    assert.equal(data.rule, 'kitchen-warm');
    const cause = own('sensor.reading').find((e) => e.id === (data.causes as string[])[0]);
    assert.ok(cause, 'the firing cites a reading of the device');
    assert.equal(cause.source, `${hub.hubLog.id}/${COMPONENT}`);
    assert.ok((cause.data as { value: number }).value > 25);
    await until('the emitted event', () => own('effect.kitchen-warm')[0]);
  });

  it('a rule naming it for an output is refused (it is read, never driven)', async () => {
    const r = await api('/v1/rules', {
      id: 'drive-kitchen',
      name: 'drive',
      triggers: [{ kind: 'cron', cron: '0 * * * *' }],
      actions: [{ kind: 'output', node: 'kitchen', output: 'relay', op: 'on' }],
    });
    assert.equal(r.status, 400, r.text);
    assert.match(r.text, /unknown-node/);
  });

  it('Home Assistant: a device shown through the hub, its state and availability', async () => {
    const config = await until('its discovery', () => seen.get(`homeassistant/device/fazt_${COMPONENT}/config`) || undefined);
    const doc = JSON.parse(config) as { dev: Record<string, unknown>; cmps: Record<string, Record<string, unknown>> };
    assert.equal(doc.dev.name, 'kitchen');
    assert.equal(doc.dev.via_device, `fazt_${hub.hubLog.id}`);
    const temp = doc.cmps.bthome_temperature;
    assert.equal(temp.state_topic, `fazt/${COMPONENT}/bthome/temperature`);
    assert.equal(temp.device_class, 'temperature');
    const state = await until('its temperature state', () => seen.get(`fazt/${COMPONENT}/bthome/temperature`));
    const newest = newestTemperature();
    await until('the newest state', () => (JSON.parse(seen.get(`fazt/${COMPONENT}/bthome/temperature`) ?? state).time === newest.time ? true : undefined));
    // Gone quiet: absent after 3 missed advertisements, offline in HA.
    t.stop();
    clock.runFor(40_000);
    await until('offline', () => (seen.get(`fazt/${COMPONENT}/availability`) === 'offline' ? true : undefined));
  });

  it('a restarted hub rebuilds its percepts from the log (the BLE percepts are not said again) and tells HA the device is absent; removed, it leaves HA', async () => {
    const count = () => [...hub.cartridge.chain(hub.hubLog.id)].filter((e) => e.type.startsWith('percept.')).length;
    // Its absence is decided once the hub's clock passes the arrival slack (the timer's work; tickMs 0 here).
    hub.percepts?.tick();
    const absent = own('percept.sensor').map((e) => e.data as Record<string, unknown>);
    assert.deepEqual(
      absent.map((d) => [d.component, d.state, d.reason]),
      [[COMPONENT, 'unplugged', 'absent']],
    );
    const before = count();
    await hub.stop();
    const logs: string[] = [];
    hub = new Hub(hubOptions((l) => logs.push(l)));
    seen.delete(`fazt/${COMPONENT}/availability`);
    url = (await hub.start()).url;
    hub.percepts?.tick();
    assert.equal(count(), before);
    assert.ok(!logs.some((l) => l.includes('percepts-recovered')), logs.join('\n'));
    // Home Assistant hears again that it is absent (its newest state in the log), not online.
    assert.equal(await until('its availability again', () => seen.get(`fazt/${COMPONENT}/availability`)), 'offline');
    // Removed by the owner: it leaves Home Assistant (an empty retained config), as a retired node does.
    assert.equal((await api('/v1/ble/devices/remove', { mac: MAC })).status, 200);
    await until('its config emptied', () => (seen.get(`homeassistant/device/fazt_${COMPONENT}/config`) === '' ? true : undefined));
  });
});
