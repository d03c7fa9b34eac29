import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SSDP_GROUP, SSDP_PORT } from '../../../firmware/beacon/ssdp-message.js';
import { parseIpv4 } from '../../../hal/contracts/check-udp-options.js';
import { filePreferences } from '../../../hal/linux/file-preferences.js';
import { hostIpv4Interfaces } from '../../../hal/linux/linux-udp.js';
import { DEMO_NODES } from '../../../sim/node/demo-nodes.js';
import { LanNode } from '../../../sim/node/lan-node.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { stopSignal } from '../stop-signal.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { durationFlag } from '../duration-flag.js';
import { linkLine } from '../hub-link-text.js';
import { preferencesFile, type RunningNode, type SimNodeContext, startConfigNode, withFallback } from './sim-node-config.js';

/** What `fazt invite --json` prints (the fields a node needs), or the same written by hand. */
interface InviteFile {
  token: string;
  hubKey: string;
}

/** The node's key, and the hub it enrolled with, kept across runs (--state). */
interface NodeState {
  secretKey: string;
  enrolled: string | null;
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}

const HEX32 = /^[0-9a-f]{64}$/;

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

/** A demo node (--board) with the key and enrolment of --state, the hub of --invite or --hub-key. */
async function startDemoNode(values: CommandContext['values'], ctx: SimNodeContext): Promise<{ node: RunningNode; onEnrolled: (hub: string) => void }> {
  if (values.hub !== undefined) throw new UsageError('--hub goes with --config (a demo node finds its hub by Beacon)');
  const boardId = String(values.board ?? 'esp32-c3-devkitm-1');
  const demo = DEMO_NODES.find((d) => d.board === boardId);
  if (!demo) throw new UsageError(`--board '${boardId}' has no demo node; one of ${DEMO_NODES.map((d) => d.board).join(', ')}`);
  const stateFile = typeof values.state === 'string' ? values.state : undefined;
  const state: NodeState =
    stateFile && existsSync(stateFile) ? readJson<NodeState>(stateFile, 'state file') : { secretKey: randomBytes(32).toString('hex'), enrolled: null };
  if (!HEX32.test(String(state.secretKey))) throw new UsageError(`state file ${stateFile}: secretKey must be 64 hex digits`);
  const invite: Partial<InviteFile> = typeof values.invite === 'string' ? readJson<InviteFile>(values.invite, 'invite') : {};
  const hubKey = String(values['hub-key'] ?? invite.hubKey ?? '').toLowerCase();
  if (!HEX32.test(hubKey))
    throw new UsageError(
      values.invite
        ? `invite ${String(values.invite)} has no hubKey (64 hex digits): make it with a newer 'fazt invite --json', or pass --hub-key`
        : '--invite invite.json (or --hub-key, or --config node.json) is required: the node trusts only the hub whose key it holds',
    );
  const token = state.enrolled ? null : typeof invite.token === 'string' ? invite.token : null;
  if (!state.enrolled && token === null) throw new UsageError('--invite with a token is required to enrol (or a --state file of a node already enrolled)');
  const name = typeof values.name === 'string' ? values.name : demo.name;
  const save = () => stateFile && writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  save();
  const { group, port } = ctx.lan;
  const options = {
    name,
    board: getBoard(boardId),
    demo,
    clock: ctx.clock,
    secretKey: Buffer.from(state.secretKey, 'hex'),
    link: { hubKey, token, ...ctx.lan },
    interfaces: ctx.interfaces,
    // The node's flash: its chain head and last command seq, so the next run continues its chain.
    preferences: stateFile ? filePreferences(preferencesFile(stateFile)) : undefined,
  };
  const node = await withFallback(ctx, (runtime) => LanNode.start({ ...options, runtime }));
  ctx.say(
    { event: 'started', node: node.id, name, board: boardId, runtime: node.runtime, hubKey, ssdp: `${group}:${port}` },
    `node ${name} ${node.id} on ${boardId}: firmware in ${node.runtime === 'xs' ? 'XS' : 'Node'}, looking for hub key ${hubKey.slice(0, 16)}… on ${group}:${port}`,
  );
  return {
    node,
    onEnrolled: (hub) => {
      state.enrolled = hub;
      save();
    },
  };
}
