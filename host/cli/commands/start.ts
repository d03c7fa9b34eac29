import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonValue } from '../../../firmware/codec/json-form.js';
import { OUTPUT_DRIVERS } from '../../../firmware/uplink/command-action.js';
import { DEMO_NODES, type DemoNode } from '../../../sim/node/demo-nodes.js';
import type { NodeStatus, SimulatedNode } from '../../../sim/node/simulated-node.js';
import { XsNode } from '../../../sim/node/xs-node.js';
import { DEMO_BLE, DemoBle } from '../../../sim/ble/demo-ble.js';
import { bleComponent } from '../../ble/ble-mac.js';
import { SimControls } from '../../../sim/node/sim-control-api.js';
import { PULSE_FLAGS, pulseFlags } from '../pulse-flags.js';
import { MQTT_FLAGS, mqttFlags } from '../mqtt-flags.js';
import { LAN_FLAGS, lanOptions, parseListen, RULE_FLAGS, ruleFlags } from './hub.js';
import { loadDefaultRules } from '../../effect/default-rules.js';
import { Hub } from '../../hub/hub.js';
import type { HubAddress } from '../../hub/hub-options.js';
import { stopSignal } from '../stop-signal.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { durationFlag } from '../duration-flag.js';
import { followLoop } from '../loop-text.js';
import { ownerAccessText } from '../owner-access-text.js';
import { OWNER_TOKEN_FILE } from '../../hub/owner-token-file.js';
import { nodeEventText, nodeSummaryText } from '../demo-node-text.js';
import { launchDemoNodes, loadSeeds } from './start-demo-nodes.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the hub with three simulated ESP32 nodes (firmware in XS) and its default rules; show readings, percepts and effects live',
  usage: 'fazt start [--data DIR] [--listen HOST:PORT] [--runtime xs|node] [--duration 30s] [--beacon …] [--time …] (see fazt hub --help)',
  help: [
    'Starts the hub (SQLite cartridge in --data, default ./fazt-data; API on --listen, default 127.0.0.1:7070)',
    'and three simulated nodes (esp32-devkitc + BME280, esp32-c3 + SHT4x + PIR, esp32-s3 + BH1750 + button + LED).',
    'Each node runs the firmware inside the XS engine against register-level device models, enrolls itself',
    'with a single-use invite, and uplinks signed CBOR batches over HTTP. The hub API answers while it runs.',
    'The hub makes percepts and runs rules: on the first start it adds the default rules of',
    'host/effect/default-rules/ (hallway motion → desk LED on for 30 s; living room above 22.5 °C for 2 min → notify);',
    'the terminal shows percepts, rule firings, notifications and the effects the nodes signed.',
    'Ctrl-C stops everything. --runtime node runs the firmware on Node instead (the fallback when XS is missing).',
    'The beacon and Timekeeper flags are those of fazt hub (the beacon is off by default: it multicasts on the LAN).',
    '--mqtt URL shows the simulated nodes in Home Assistant, as fazt hub --mqtt does.',
  ].join('\n'),
  options: {
    data: { ...DATA_OPTION, description: `${DATA_OPTION.description}, and the simulated nodes' keys` },
    listen: { type: 'string', value: 'HOST:PORT', description: 'where the API listens (default 127.0.0.1:7070)' },
    runtime: { type: 'string', value: 'ENGINE', description: 'where the node firmware runs: xs or node (default xs)' },
    duration: { type: 'string', value: 'DURATION', description: 'stop after this long, e.g. 30s (default: until Ctrl-C)' },
    quiet: { type: 'boolean', description: 'print no live readings or lifecycle lines' },
    ...RULE_FLAGS,
    ...PULSE_FLAGS,
    ...LAN_FLAGS,
    ...MQTT_FLAGS,
  },
  run: async ({ values, out, err }) => {
    const { host, port } = parseListen(typeof values.listen === 'string' ? values.listen : '127.0.0.1:7070');
    const runtime = values.runtime ?? 'xs';
    if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${String(runtime)}'`);
    const limit = typeof values.duration === 'string' ? durationFlag(values.duration, '--duration') : Infinity;
    const lan = lanOptions(values, host);
    const zone = ruleFlags(values);
    const pulse = pulseFlags(values, zone.timeZone, '30s');
    const mqtt = mqttFlags(values);
    const dataDir = dataFolder(values, { create: true });

    // The boards have been running one sampling interval when the hub comes up: every
    // sensor's first sample is due as soon as its firmware runs, so readings show at once.
    // Outputs (the desk LED) are not sampled for their readings: their interval does not count.
    const sampled = DEMO_NODES.flatMap((d) => d.sensors.filter((s) => !OUTPUT_DRIVERS[s.driver]));
    const poweredOn = Date.now() - Math.max(...sampled.map((s) => s.intervalMs));
    // The simulator page's controls (sliders, buttons, faults, the nodes' logs) ride on the hub's API.
    const controls = new SimControls();
    // One encrypted BTHome thermometer on a simulated BLE air, heard by the hub itself.
    const demoBle = new DemoBle();
    const hub = new Hub({
      dataDir,
      host,
      port,
      ...lan,
      ...mqtt,
      percepts: true,
      rules: { ...zone, defaults: loadDefaultRules() },
      pulse,
      extraRoutes: controls.routes(),
      ble: demoBle.hubOptions(),
    });
    // The XS engines boot first, each in its own process, while the hub starts and the nodes enrol.
    const engines = new Map(runtime === 'xs' ? DEMO_NODES.map((d) => [d.name, XsNode.boot()]) : []);
    for (const e of engines.values()) void e.catch(() => undefined); // reported where the engine is used
    const releaseEngines = async () => {
      for (const e of engines.values()) await e.then((x) => x.xs.close()).catch(() => undefined);
      engines.clear();
    };
    let addr: HubAddress;
    try {
      addr = await hub.start();
    } catch (e) {
      await releaseEngines();
      throw e;
    }
    out(`hub ${addr.hubId} listening on ${addr.url} (cartridge ${addr.cartridge})\n`);
    if (addr.https) out(`https ${addr.https.url} certificate ${addr.https.fingerprint}\n`);
    out(`dashboard: ${addr.https?.url ?? addr.url}/ (the simulator page: ${addr.https?.url ?? addr.url}/#/simulator)\n`);
    out(ownerAccessText(hub, dataDir));
    // The loop as it happens: percepts, firings and notifications on the hub's chain, effects signed by the nodes.
    const unhook = values.quiet ? () => undefined : followLoop(hub, addr.hubId, out);
    const seedsFile = join(dataDir, 'sim-nodes.json');
    const seeds = loadSeeds(seedsFile);
    const nodes: { demo: DemoNode; node: SimulatedNode; latest: Map<string, string>; status?: NodeStatus; shown?: boolean }[] = [];
    try {
      // The three nodes enrol and start side by side: their XS engines start up in parallel.
      const launched = await launchDemoNodes({ hub, url: addr.url, seeds, poweredOn, engines, controls, warn: err });
      for (const r of launched) if (r.status === 'fulfilled') nodes.push({ ...r.value, latest: new Map() });
      for (const r of launched) if (r.status === 'rejected') throw r.reason;
      for (const { demo, node } of nodes)
        out(
          `node ${demo.name} ${node.id} on ${demo.board}: firmware running in ${node.runtime === 'xs' ? 'XS' : 'Node'}, sensors ${demo.sensors.map((s) => s.name).join(', ')}\n`,
        );
      writeFileSync(seedsFile, JSON.stringify(seeds, null, 2) + '\n', { mode: 0o600 });
      await demoBle.start(addr.url, hub.ownerToken);
      out(
        `ble ${DEMO_BLE.name} ${DEMO_BLE.mac}: BTHome thermometer, encrypted, on the simulated BLE air; readings on the hub's chain as ${bleComponent(DEMO_BLE.mac)}\n`,
      );
      out(
        `live readings below; the API answers meanwhile (try: curl -H "Authorization: Bearer $(cat ${join(dataDir, OWNER_TOKEN_FILE)})" ${addr.url}/v1/nodes). Ctrl-C stops.\n`,
      );

      const signal = stopSignal();
      const started = Date.now();
      const bleLatest = new Map<string, string>();
      const unhookBle = hub.onStored((entries) => {
        for (const e of entries) {
          const component = e.source.slice(e.source.indexOf('/') + 1);
          const line = component.startsWith('ble-') ? nodeEventText(DEMO_BLE.name, { ...e, component, data: toJsonValue(e.data) }, bleLatest) : undefined;
          if (line && !values.quiet) out(line);
        }
      });
      const show = (n: (typeof nodes)[number], now: number) => {
        if (n.status) out(`${new Date(now).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${nodeSummaryText(n.status, n.latest)}\n`);
        n.shown = n.latest.size > 0;
      };
      let lastPrint = started;
      try {
        while (!signal.stopped && Date.now() - started < limit) {
          const now = Date.now();
          demoBle.advance(now);
          for (const n of nodes) {
            const { status } = await n.node.run(now);
            n.status = status;
            for (const e of status.events) {
              controls.log(n.demo.name, `${new Date(e.time).toISOString().slice(11, 23)} #${e.seq} ${e.component} ${e.type} ${JSON.stringify(e.data)}`);
              const line = nodeEventText(n.node.name, e, n.latest);
              if (line && !values.quiet) out(line);
            }
            if (!n.shown && n.latest.size > 0 && !values.quiet) show(n, now); // a node's first readings show at once
          }
          if (now - lastPrint >= 5000 && !values.quiet) {
            lastPrint = now;
            for (const n of nodes) show(n, now);
            if (bleLatest.size) out(`${new Date(now).toISOString().slice(11, 19)} ${DEMO_BLE.name.padEnd(11)} ${[...bleLatest.values()].join(', ')}\n`);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } finally {
        signal.release();
        unhookBle();
        demoBle.stop();
      }
    } finally {
      unhook();
      await releaseEngines();
      for (const n of nodes) await n.node.close().catch(() => undefined);
      // The chains' counts, not count(*) over a log of months.
      const events = hub.cartridge.storedEntries();
      const enrolled = hub.cartridge.chainIds('node').length; // the hub's own chain is not a node
      await hub.stop();
      out(`stopped: ${events} events from ${enrolled} nodes and the hub in ${addr.cartridge}\n`);
    }
    return 0;
  },
};
