import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { SimBleScanner } from '../../hal/sim/sim-ble.js';
import { Hub } from '../../host/hub/hub.js';
import type { PulseService } from '../../host/pulse/pulse-service.js';
import { BthomeThermometer } from '../../sim/ble/bthome-thermometer.js';
import { constant } from '../../sim/environment/signals.js';
import { BleAir } from '../../sim/world/ble-air.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { tempDir } from '../hub/helpers.js';
import { answer } from '../mcp/mcp-rig.js';

/**
 * The hub's BLE devices reach an agent and Pulse as its nodes do: the MCP
 * tools that list nodes and read their latest values list each device (MAC,
 * name, presence, last heard, newest values; never its key), and Pulse's
 * hub.ble-absent turns degraded, naming it, while a device is absent. An
 * encrypted BTHome thermometer on the simulator's BLE air (virtual clock),
 * a real hub on loopback, the MCP SDK's client over streamable HTTP.
 */
const T0 = Date.UTC(2026, 5, 1);
const MAC = 'A4:C1:38:11:22:33';
const KEY = new Uint8Array(16).map((_, i) => 0xa0 + i);
const INTERVAL_MS = 10_000;

describe("the hub's BLE devices to an agent (MCP) and to Pulse", () => {
  const tmp = tempDir('fazt-ble-agent-');
  const clock = new VirtualClock(T0);
  const air = new BleAir(clock);
  let hub: Hub;
  let url = '';
  let agent: Client;
  let t: BthomeThermometer;
  const tool = async (name: string, args: Record<string, unknown> = {}) => {
    const r = await agent.callTool({ name, arguments: args });
    const first = (r.content as { type: string; text: string }[])[0];
    return { text: first.text, json: () => answer<Record<string, unknown>>(r) };
  };

  before(async () => {
    hub = new Hub({
      dataDir: tmp.dir,
      port: 0,
      clock: () => clock.now(),
      timers: clock,
      time: { mode: 'system' },
      log: () => undefined,
      percepts: { tickMs: 0 },
      pulse: { everyMs: 0 },
      ble: { intervalMs: INTERVAL_MS, absentAfter: 3, scanner: (onAdvertisement) => new SimBleScanner(air, { onAdvertisement }, 'hub') },
    });
    url = (await hub.start()).url;
    const res = await fetch(`${url}/v1/ble/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mac: MAC, name: 'pantry', key: toHex(KEY) }),
    });
    assert.equal(res.status, 200, await res.text());
    t = new BthomeThermometer(air, clock, { mac: MAC, key: KEY, intervalMs: INTERVAL_MS, temperature: constant(18.5), humidity: constant(61) });
    t.start();
    clock.runFor(60_000);
    agent = new Client({ name: 'fazt-test', version: '1.0.0' });
    await agent.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${hub.ownerToken}` } } }));
  });

  after(async () => {
    t?.stop();
    await agent?.close();
    await hub?.stop();
    tmp.cleanup();
  });

  it('list_nodes: the device beside the nodes, with presence, last heard and newest values, never its key', async () => {
    const r = await tool('list_nodes');
    assert.doesNotMatch(r.text, new RegExp(toHex(KEY), 'i'));
    const body = r.json() as { nodes: unknown[]; bleDevices: Record<string, unknown>[] };
    assert.deepEqual(body.nodes, []);
    assert.equal(body.bleDevices.length, 1);
    const d = body.bleDevices[0];
    assert.deepEqual(
      { mac: d.mac, name: d.name, encrypted: d.encrypted, state: d.state, hub: d.hub },
      { mac: MAC, name: 'pantry', encrypted: true, state: 'running', hub: hub.hubLog.id },
    );
    assert.ok(!('key' in d));
    const readings = d.readings as { name: string; value: number; time: number }[];
    const temperature = readings.find((x) => x.name === 'temperature');
    assert.equal(temperature?.value, 18.5);
    assert.equal(d.lastHeard, Math.max(...readings.map((x) => x.time)));
    assert.ok((d.lastHeard as number) > T0 && (d.lastHeard as number) <= clock.now());
  });

  it('latest_values: every node and device, or one device by its name or its address in any form', async () => {
    const all = (await tool('latest_values')).json() as { nodes: unknown[]; bleDevices: { mac: string }[] };
    assert.deepEqual(
      all.bleDevices.map((d) => d.mac),
      [MAC],
    );
    for (const ref of ['pantry', MAC, 'a4c138112233']) {
      const one = (await tool('latest_values', { node: ref })).json() as { nodes: unknown[]; bleDevices: { mac: string; readings: { name: string }[] }[] };
      assert.deepEqual(one.nodes, [], ref);
      assert.deepEqual(
        one.bleDevices.map((d) => [d.mac, d.readings.map((x) => x.name).sort()]),
        [[MAC, ['battery', 'humidity', 'temperature']]],
        ref,
      );
    }
    await assert.rejects(
      async () => (await tool('latest_values', { node: 'cellar' })).json(),
      /bad-query: node 'cellar' is neither a node id nor the name of a node/,
    );
  });

  it('Pulse: hub.ble-absent is healthy while the device is heard, degraded naming it once it is absent, healthy again when it is back', async () => {
    const pulse = hub.pulse as PulseService;
    const verdict = () => pulse.beat().judgement.verdicts.find((v) => v.check === 'hub.ble-absent');
    const heard = verdict();
    assert.equal(heard?.status, 'healthy');
    assert.equal(pulse.latest?.metrics.hub.bleDevices, 1);
    assert.equal(pulse.latest?.metrics.hub.bleAbsent, 0);
    t.stop();
    clock.runFor(5 * INTERVAL_MS); // past absentAfter (3) intervals and the half interval of grace
    const absent = verdict();
    assert.deepEqual([absent?.status, absent?.text], ['degraded', "1 of the hub's 1 BLE devices not heard within their window: pantry."]);
    // The change is an event on the hub's chain, as every Pulse change is.
    const changes = [...hub.cartridge.chain(hub.hubLog.id)].filter((e) => e.type === 'pulse.degraded').map((e) => (e.data as { check: string }).check);
    assert.deepEqual(changes, ['hub.ble-absent']);
    t.start();
    clock.runFor(2 * INTERVAL_MS);
    assert.equal(verdict()?.status, 'healthy');
  });
});
