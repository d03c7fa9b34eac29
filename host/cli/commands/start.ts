import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { entryHash } from '../../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { enrollRequest } from '../../../firmware/node/enroll-request.js';
import { DEMO_NODES, type DemoNode } from '../../../sim/node/demo-nodes.js';
import { NodeRuntimeNode } from '../../../sim/node/node-runtime-node.js';
import type { NodeStatus, SimulatedNode } from '../../../sim/node/simulated-node.js';
import { hostHttpPost } from '../../../sim/node/host-http.js';
import { httpUplink, XsNode, type SimNodeOptions } from '../../../sim/node/xs-node.js';
import { parseDuration } from '../../duration.js';
import { LAN_FLAGS, lanOptions } from './hub.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { Hub, type HubAddress } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';

function listenOption(text: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen '${text}' is not HOST:PORT`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** Seeds of the demo nodes, kept beside the cartridge so a restart continues the same nodes. */
function loadSeeds(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

function describe(status: NodeStatus, latest: Map<string, string>): string {
  const parts = [...latest.values()].join(', ');
  return `${parts || 'starting…'} | seq ${status.head}, ${status.buffered} unsent, ${status.uplink.acked}/${status.uplink.sent} batches acked${status.uplink.failures ? `, ${status.uplink.failures} failed` : ''}`;
}

/** Enrols a demo node with the hub unless its key already is, and the options to run it with (its chain continues). */
async function prepareNode(hub: Hub, hubUrl: string, demo: DemoNode, seedHex: string, poweredOn: number): Promise<SimNodeOptions> {
  const identity = identityFromSecretKey(fromHex(seedHex), nodeCrypto);
  if (!hub.cartridge.hasNode(identity.id)) {
    const invite = hub.cartridge.createInvite({ ttlMs: 60_000, note: `npm start: ${demo.name}` });
    const request = JSON.stringify(enrollRequest(invite.token, identity, nodeCrypto, { name: demo.name, board: demo.board }));
    const res = await hostHttpPost(`${hubUrl}/v1/enroll`, 'application/json', Buffer.from(request));
    if ('error' in res) throw new Error(`enrolling ${demo.name} failed: ${res.error}`);
    if (res.status !== 200) throw new Error(`enrolling ${demo.name} failed: HTTP ${res.status} ${Buffer.from(res.body).toString('utf8')}`);
  }
  const last = hub.cartridge.events({ node: identity.id, order: 'desc', limit: 1 }).events[0];
  const config: JsonValue = {
    name: demo.name,
    board: demo.board,
    secretKey: toJsonValue(identity.secretKey),
    hub: { url: hubUrl, publicKey: toJsonValue(hub.publicKey) },
    sensors: demo.sensors as unknown as JsonValue,
    uplink: { batchSize: 8, maxDelayMs: 2000 },
    buffer: { budgetBytes: 262_144 },
  };
  return {
    name: demo.name,
    board: getBoard(demo.board),
    // Never before the node's last stored event: its chain's times do not go back.
    clock: new VirtualClock(Math.max(poweredOn, last?.time ?? 0)),
    config,
    uplink: httpUplink(() => hubUrl),
    wire: demo.wire,
    collect: true,
    head: last ? { seq: last.seq, hash: toHex(entryHash(last, nodeCrypto)) } : undefined,
  };
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the hub with three simulated ESP32 nodes (firmware in XS) and show their readings live',
  usage: 'fazt start [--data DIR] [--listen HOST:PORT] [--runtime xs|node] [--duration 30s] [--beacon …] [--time …] (see fazt hub --help)',
  help: [
    'Starts the hub (SQLite cartridge in --data, default ./fazt-data; API on --listen, default 127.0.0.1:7070)',
    'and three simulated nodes (esp32-devkitc + BME280, esp32-c3 + SHT4x + PIR, esp32-s3 + BH1750 + button).',
    'Each node runs the firmware inside the XS engine against register-level device models, enrolls itself',
    'with a single-use invite, and uplinks signed CBOR batches over HTTP. The hub API answers while it runs.',
    'Ctrl-C stops everything. --runtime node runs the firmware on Node instead (the fallback when XS is missing).',
    'The beacon and Timekeeper flags are those of fazt hub (the beacon is off by default: it multicasts on the LAN).',
  ].join('\n'),
  options: {
    data: { type: 'string' },
    listen: { type: 'string' },
    runtime: { type: 'string' },
    duration: { type: 'string' },
    quiet: { type: 'boolean' },
    ...LAN_FLAGS,
  },
  run: async ({ values, out, err }) => {
    const dataDir = typeof values.data === 'string' ? values.data : './fazt-data';
    const { host, port } = listenOption(typeof values.listen === 'string' ? values.listen : '127.0.0.1:7070');
    const runtime = values.runtime ?? 'xs';
    if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${String(runtime)}'`);
    const limit = typeof values.duration === 'string' ? parseDuration(values.duration, '--duration') : Infinity;

    // The boards have been running one sampling interval when the hub comes up: every
    // sensor's first sample is due as soon as its firmware runs, so readings show at once.
    const poweredOn = Date.now() - Math.max(...DEMO_NODES.flatMap((d) => d.sensors.map((s) => s.intervalMs)));
    const hub = new Hub({ dataDir, host, port, ...lanOptions(values, host) });
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
    const seedsFile = join(dataDir, 'sim-nodes.json');
    const seeds = loadSeeds(seedsFile);
    const nodes: { demo: DemoNode; node: SimulatedNode; latest: Map<string, string>; status?: NodeStatus; shown?: boolean }[] = [];
    try {
      // The three nodes enrol and start side by side: their XS engines start up in parallel.
      let warned = false;
      const launched = await Promise.allSettled(
        DEMO_NODES.map(async (demo) => {
          seeds[demo.name] ??= randomBytes(32).toString('hex');
          const o = await prepareNode(hub, addr.url, demo, seeds[demo.name], poweredOn);
          const engine = engines.get(demo.name);
          engines.delete(demo.name); // the node owns it now
          if (engine) {
            try {
              return { demo, node: await XsNode.start(o, engine) };
            } catch (e) {
              if (!warned) err(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
              warned = true;
            }
          }
          return { demo, node: new NodeRuntimeNode(demo.name, { ...o, clock: new VirtualClock(o.clock.now()) }) };
        }),
      );
      for (const r of launched) if (r.status === 'fulfilled') nodes.push({ ...r.value, latest: new Map() });
      for (const r of launched) if (r.status === 'rejected') throw r.reason;
      for (const { demo, node } of nodes)
        out(
          `node ${demo.name} ${node.id} on ${demo.board}: firmware running in ${node.runtime === 'xs' ? 'XS' : 'Node'}, sensors ${demo.sensors.map((s) => s.name).join(', ')}\n`,
        );
      writeFileSync(seedsFile, JSON.stringify(seeds, null, 2) + '\n', { mode: 0o600 });
      out(`live readings below; the API answers meanwhile (try: curl ${addr.url}/v1/nodes). Ctrl-C stops.\n`);

      let stopping = false;
      const onSignal = () => {
        stopping = true;
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = Date.now();
      const show = (n: (typeof nodes)[number], now: number) => {
        if (n.status) out(`${new Date(now).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${describe(n.status, n.latest)}\n`);
        n.shown = n.latest.size > 0;
      };
      let lastPrint = started;
      try {
        while (!stopping && Date.now() - started < limit) {
          const now = Date.now();
          for (const n of nodes) {
            const { status } = await n.node.run(now);
            n.status = status;
            for (const e of status.events) {
              const d = e.data as Record<string, JsonValue>;
              if (e.type === 'sensor.reading') {
                const v = typeof d.value === 'number' ? String(Math.round(d.value * 100) / 100) : String(d.value);
                n.latest.set(`${e.component}/${String(d.name)}`, `${String(d.name)} ${v}${d.unit ? ` ${String(d.unit)}` : ''}`);
              } else if (e.type === 'sensor.event' && !values.quiet)
                out(`${new Date(e.time).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${e.component}: ${String(d.type)}\n`);
              else if (e.type === 'sensor.state' && !values.quiet)
                out(
                  `${new Date(e.time).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${e.component}: ${String(d.from)} → ${String(d.to)} (${String(d.reason)})\n`,
                );
            }
            if (!n.shown && n.latest.size > 0 && !values.quiet) show(n, now); // a node's first readings show at once
          }
          if (now - lastPrint >= 5000 && !values.quiet) {
            lastPrint = now;
            for (const n of nodes) show(n, now);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    } finally {
      await releaseEngines();
      for (const n of nodes) await n.node.close().catch(() => undefined);
      const counts = hub.cartridge.counts();
      await hub.stop();
      out(`stopped: ${counts.events} events from ${counts.nodes} nodes in ${addr.cartridge}\n`);
    }
    return 0;
  },
};
