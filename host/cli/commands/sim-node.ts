import { SSDP_GROUP, SSDP_PORT } from '../../../firmware/beacon/ssdp-message.js';
import { parseIpv4 } from '../../../hal/contracts/check-udp-options.js';
import { hostIpv4Interfaces } from '../../../hal/linux/linux-udp.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { stopSignal } from '../stop-signal.js';
import { type Command, UsageError } from '../command.js';
import { durationFlag } from '../duration-flag.js';
import { linkLine } from '../hub-link-text.js';
import { type RunningNode, type SimNodeContext, startConfigNode } from './sim-node-config.js';
import { startDemoNode } from './sim-node-demo.js';

export const simNodeCommand: Command = {
  name: 'node',
  summary: 'Run one simulated node (firmware in XS) that finds its hub on the LAN by Beacon, enrols and uplinks',
  usage:
    'fazt sim node (--invite invite.json | --config node.json [--hub URL]) [--board esp32-c3-devkitm-1] [--runtime xs|node] [--name n] [--for 30s] [--json] [--state node.json] [--ssdp-port 1900] [--ssdp-group 239.255.255.250] [--interface ADDR] [--window 3s] [--announce]',
  help: [
    'No hub address is configured: the node searches the LAN (SSDP M-SEARCH) for a beacon signed by the',
    'hub key in the invite (`fazt invite --json > invite.json` prints token and hubKey), enrols there with',
    "the token, then uplinks its demo sensors' readings to the URL it found. If the hub says goodbye, falls",
    "silent, stops answering or refuses, the node searches again. Sockets are this process's (its network",
    "namespace's); simulated time follows the wall clock. SIGINT/SIGTERM stop it cleanly (and --for).",
    'A unicast --ssdp-group such as 127.0.0.1 is sent to, not joined.',
    '',
    '--config node.json runs that configuration (fazt node init) instead of a demo node: its key, its',
    'sensors on device models, its uplink; without hub.url it searches, enrols with hub.token and uplinks',
    'as above; with hub.url (or --hub URL) it enrols with hub.token over HTTP, then uplinks there.',
    '',
    '--json prints one JSON object per line: {"event":"started",…}, {"event":"searching"},',
    '{"event":"found","hub":ID,"url":URL}, {"event":"enrolled","node":ID,"hub":ID}, {"event":"acked","ack":N,"stored":N},',
    '{"event":"refused","stage":"beacon|enroll|uplink","code":…,"message":…}, {"event":"lost","hub":ID,"reason":…},',
    '{"event":"stopped",…}.',
  ].join('\n'),
  options: {
    board: { type: 'string', value: 'ID', description: 'the demo node of this board (default esp32-c3-devkitm-1)' },
    config: { type: 'string', value: 'FILE', description: 'run this node configuration (fazt node init) instead of a demo node' },
    hub: { type: 'string', value: 'URL', description: "with --config: the hub's address, over hub.url" },
    invite: { type: 'string', value: 'FILE', description: 'what `fazt invite --json` printed: the token and the hub key' },
    'hub-key': { type: 'string', value: 'HEX', description: "the hub's public key (64 hex digits), instead of the invite's" },
    runtime: { type: 'string', value: 'ENGINE', description: 'where the firmware runs: xs or node (default xs)' },
    name: { type: 'string', value: 'NAME', description: "the node's name (default the demo node's)" },
    for: { type: 'string', value: 'DURATION', description: 'stop after this long, e.g. 30s (default: until a signal)' },
    json: { type: 'boolean', description: 'print one JSON object per line' },
    state: {
      type: 'string',
      value: 'FILE',
      description: "keep the node's key and enrolment in FILE (x.json), its chain head and last command in x.prefs.json beside it, across runs",
    },
    'ssdp-port': { type: 'string', value: 'PORT', description: 'the SSDP port (default 1900; tests)' },
    'ssdp-group': { type: 'string', value: 'ADDR', description: 'the SSDP group (default 239.255.255.250; tests)' },
    interface: { type: 'string', value: 'ADDR', description: 'keep multicast on this local IPv4 address' },
    window: { type: 'string', value: 'DURATION', description: 'how long each search listens, 100ms to 10m (default 3s)' },
    announce: { type: 'boolean', description: 'announce the node too (from --interface, or every IPv4 interface)' },
  },
  run: async ({ values, out, err }) => {
    const runtime = String(values.runtime ?? 'xs');
    if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${runtime}'`);
    const limit = typeof values.for === 'string' ? durationFlag(values.for, '--for') : Infinity;
    const windowMs = typeof values.window === 'string' ? durationFlag(values.window, '--window') : 3000;
    if (!(windowMs >= 100 && windowMs <= 600_000)) throw new UsageError('--window must be from 100ms to 10m');
    const port = values['ssdp-port'] === undefined ? SSDP_PORT : Number(values['ssdp-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ssdp-port '${String(values['ssdp-port'])}' is not a port`);
    const group = String(values['ssdp-group'] ?? SSDP_GROUP);
    if (!parseIpv4(group)) throw new UsageError(`--ssdp-group '${group}' is not an IPv4 address`);
    const iface = typeof values.interface === 'string' ? values.interface : undefined;
    if (iface !== undefined && !parseIpv4(iface)) throw new UsageError(`--interface '${iface}' is not a local IPv4 address`);
    const announce = values.announce ? (iface ? [iface] : hostIpv4Interfaces()) : null;
    if (announce && announce.length === 0) throw new UsageError('--announce: no IPv4 interface to announce from (pass --interface)');
    const json = values.json === true;
    const ctx: SimNodeContext = {
      runtime,
      lan: { group, port, searchWindowMs: windowMs, retryMs: 2000, announce },
      interfaces: iface ? [iface] : undefined,
      clock: new VirtualClock(Date.now()),
      say: (obj, text) => out(json ? JSON.stringify(obj) + '\n' : `${new Date().toISOString().slice(11, 19)} ${text}\n`),
      warn: err,
    };
    // Listening from here: a signal while the engine starts stops the node as cleanly as one later.
    const signal = stopSignal();
    try {
      const { node, onEnrolled } = typeof values.config === 'string' ? await startConfigNode(values.config, values, ctx) : await startDemoNode(values, ctx);
      const started = Date.now();
      let last: Awaited<ReturnType<RunningNode['run']>> | undefined;
      try {
        while (!signal.stopped && Date.now() - started < limit) {
          last = await node.run(Date.now());
          for (const e of last.link) {
            if (e.event === 'enrolled') onEnrolled(e.hub);
            ctx.say(e as unknown as Record<string, unknown>, linkLine(e));
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await node.close();
      }
      const u = last?.uplink;
      ctx.say(
        { event: 'stopped', node: node.id, head: last?.head ?? 0, sent: u?.sent ?? 0, acked: u?.acked ?? 0, buffered: last?.buffered ?? 0 },
        `stopped: seq ${last?.head ?? 0}, ${u?.acked ?? 0}/${u?.sent ?? 0} batches acknowledged, ${last?.buffered ?? 0} unsent`,
      );
      return 0;
    } finally {
      signal.release();
    }
  },
};
