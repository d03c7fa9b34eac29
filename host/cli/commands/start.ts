import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import { entryHash } from '../../../firmware/event/envelope.js';
import { identityFromSecretKey } from '../../../firmware/identity/node-id.js';
import { enrollRequest } from '../../../firmware/node/enroll-request.js';
import { DEMO_NODES } from '../../../sim/node/demo-nodes.js';
import { NodeRuntimeNode } from '../../../sim/node/node-runtime-node.js';
import type { NodeStatus, SimulatedNode } from '../../../sim/node/simulated-node.js';
import { httpUplink, XsNode, type SimNodeOptions } from '../../../sim/node/xs-node.js';
import { LAN_FLAGS, lanOptions, parseListen } from './hub.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { Hub } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { durationFlag } from '../duration-flag.js';
import { readingText } from '../reading-text.js';

/** Seeds of the demo nodes, kept beside the cartridge so a restart continues the same nodes. */
function loadSeeds(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

function describe(status: NodeStatus, latest: Map<string, string>): string {
  const parts = [...latest.values()].join(', ');
  return `${parts || 'starting…'} | seq ${status.head}, ${status.buffered} unsent, ${status.uplink.acked}/${status.uplink.sent} batches acked${status.uplink.failures ? `, ${status.uplink.failures} failed` : ''}`;
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
    data: { ...DATA_OPTION, description: `${DATA_OPTION.description}, and the simulated nodes' keys` },
    listen: { type: 'string', value: 'HOST:PORT', description: 'where the API listens (default 127.0.0.1:7070)' },
    runtime: { type: 'string', value: 'ENGINE', description: 'where the node firmware runs: xs or node (default xs)' },
    duration: { type: 'string', value: 'DURATION', description: 'stop after this long, e.g. 30s (default: until Ctrl-C)' },
    quiet: { type: 'boolean', description: 'print no live readings or lifecycle lines' },
    ...LAN_FLAGS,
  },
  run: async ({ values, out, err }) => {
    const { host, port } = parseListen(typeof values.listen === 'string' ? values.listen : '127.0.0.1:7070');
    const runtime = values.runtime ?? 'xs';
    if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${String(runtime)}'`);
    const limit = typeof values.duration === 'string' ? durationFlag(values.duration, '--duration') : Infinity;
    const lan = lanOptions(values, host);
    const dataDir = dataFolder(values, { create: true });

    const hub = new Hub({ dataDir, host, port, ...lan });
    const addr = await hub.start();
    out(`hub ${addr.hubId} listening on ${addr.url} (cartridge ${addr.cartridge})\n`);
    const seedsFile = join(dataDir, 'sim-nodes.json');
    const seeds = loadSeeds(seedsFile);
    const nodes: { node: SimulatedNode; latest: Map<string, string>; status?: NodeStatus }[] = [];
    let engine: 'xs' | 'node' = runtime;
    try {
      for (const demo of DEMO_NODES) {
        seeds[demo.name] ??= randomBytes(32).toString('hex');
        const identity = identityFromSecretKey(fromHex(seeds[demo.name]), nodeCrypto);
        if (!hub.cartridge.hasNode(identity.id)) {
          const invite = hub.cartridge.createInvite({ ttlMs: 60_000, note: `npm start: ${demo.name}` });
          const res = await fetch(`${addr.url}/v1/enroll`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(enrollRequest(invite.token, identity, nodeCrypto, { name: demo.name, board: demo.board })),
          });
          if (res.status !== 200) throw new Error(`enrolling ${demo.name} failed: HTTP ${res.status} ${await res.text()}`);
        }
        const last = hub.cartridge.events({ node: identity.id, order: 'desc', limit: 1 }).events[0];
        const config: JsonValue = {
          name: demo.name,
          board: demo.board,
          secretKey: toJsonValue(identity.secretKey),
          hub: { url: addr.url, publicKey: toJsonValue(hub.publicKey) },
          sensors: demo.sensors as unknown as JsonValue,
          uplink: { batchSize: 8, maxDelayMs: 2000 },
          buffer: { budgetBytes: 262_144 },
        };
        const o: SimNodeOptions = {
          name: demo.name,
          board: getBoard(demo.board),
          clock: new VirtualClock(Date.now()),
          config,
          uplink: httpUplink(() => addr.url),
          wire: demo.wire,
          collect: true,
          head: last ? { seq: last.seq, hash: toHex(entryHash(last, nodeCrypto)) } : undefined,
        };
        let node: SimulatedNode;
        if (engine === 'xs') {
          try {
            node = await XsNode.start(o);
          } catch (e) {
            err(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
            engine = 'node';
            node = new NodeRuntimeNode(demo.name, o);
          }
        } else node = new NodeRuntimeNode(demo.name, o);
        nodes.push({ node, latest: new Map() });
        out(
          `node ${demo.name} ${node.id} on ${demo.board}: firmware running in ${node.runtime === 'xs' ? 'XS' : 'Node'}, sensors ${demo.sensors.map((s) => s.name).join(', ')}\n`,
        );
      }
      writeFileSync(seedsFile, JSON.stringify(seeds, null, 2) + '\n', { mode: 0o600 });
      out(`live readings below; the API answers meanwhile (try: curl ${addr.url}/v1/nodes). Ctrl-C stops.\n`);

      let stopping = false;
      const onSignal = () => void (stopping = true);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const started = Date.now();
      let lastPrint = 0;
      try {
        while (!stopping && Date.now() - started < limit) {
          const now = Date.now();
          for (const n of nodes) {
            const { status } = await n.node.run(now);
            n.status = status;
            for (const e of status.events) {
              const d = e.data as Record<string, JsonValue>;
              if (e.type === 'sensor.reading') {
                const unit = typeof d.unit === 'string' ? d.unit : undefined;
                n.latest.set(`${e.component}/${String(d.name)}`, readingText({ name: String(d.name), value: d.value, unit }));
              } else if (e.type === 'sensor.event' && !values.quiet)
                out(`${new Date(e.time).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${e.component}: ${String(d.type)}\n`);
              else if (e.type === 'sensor.state' && !values.quiet)
                out(
                  `${new Date(e.time).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${e.component}: ${String(d.from)} → ${String(d.to)} (${String(d.reason)})\n`,
                );
            }
          }
          if (now - lastPrint >= 5000 && !values.quiet) {
            lastPrint = now;
            for (const n of nodes)
              if (n.status) out(`${new Date(now).toISOString().slice(11, 19)} ${n.node.name.padEnd(11)} ${describe(n.status, n.latest)}\n`);
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    } finally {
      for (const n of nodes) await n.node.close().catch(() => undefined);
      const counts = hub.cartridge.counts();
      await hub.stop();
      out(`stopped: ${counts.events} events from ${counts.nodes} nodes in ${addr.cartridge}\n`);
    }
    return 0;
  },
};
