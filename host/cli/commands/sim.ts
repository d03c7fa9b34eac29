import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import type { HubLinkEvent } from '../../../firmware/beacon/hub-link.js';
import { SSDP_GROUP, SSDP_PORT } from '../../../firmware/beacon/ssdp-message.js';
import { stringifyJson } from '../../../firmware/codec/json-form.js';
import type { Value } from '../../../firmware/codec/value.js';
import type { EventEntry } from '../../../firmware/event/envelope.js';
import type { Reading } from '../../../firmware/event/reading.js';
import { hostIpv4Interfaces } from '../../../hal/linux/linux-udp.js';
import { DEMO_NODES } from '../../../sim/node/demo-nodes.js';
import { LanNode, type LanNodeStatus } from '../../../sim/node/lan-node.js';
import { parseDuration } from '../../duration.js';
import { loadScenario } from '../../../sim/scenario/load-scenario.js';
import { ScenarioRun, type SimNode } from '../../../sim/scenario/scenario-run.js';
import { VirtualClock } from '../../../sim/world/virtual-clock.js';
import { getBoard } from '../../boards/board-registry.js';
import { UsageError, type Command } from '../command.js';
import { parseIpv4 } from '../../../hal/contracts/check-udp-options.js';

function line(node: SimNode, e: EventEntry): string {
  const at = new Date(e.time).toISOString().replace('T', ' ').slice(0, 23);
  const comp = e.source.slice(e.source.indexOf('/') + 1);
  const d = e.data as unknown as Record<string, Value>;
  if (e.type === 'sensor.reading') {
    const r = d as unknown as Reading;
    const flags = r.flags ? ` [${r.flags.join(',')}]` : '';
    return `${at} ${node.name} ${comp} ${r.name} ${r.value}${r.unit ? ` ${r.unit}` : ''} ${r.quality}${flags}`;
  }
  if (e.type === 'sensor.state') return `${at} ${node.name} ${comp} state ${String(d.from)} → ${String(d.to)} (${String(d.reason)})`;
  return `${at} ${node.name} ${comp} ${e.type} ${stringifyJson(e.data)}`;
}

const runCommand: Command = {
  name: 'run',
  summary: 'Run a scenario in simulated time; print or write its readings and lifecycle events',
  usage: 'fazt sim run <scenario.json> [--board <name>] [--duration 24h] [--out events.jsonl] [--states-only]',
  help: 'Scenario files are described by schemas/scenario.schema.json; examples in sim/scenarios/.\n--out writes every event (JSON form, one per line); without it, a line per reading and state change.',
  options: { board: { type: 'string' }, duration: { type: 'string' }, out: { type: 'string', short: 'o' }, 'states-only': { type: 'boolean' } },
  run: async ({ positionals, values, out }) => {
    if (positionals.length !== 1) throw new UsageError('sim run takes one scenario file');
    const scenario = loadScenario(positionals[0]);
    let file: WriteStream | undefined;
    if (typeof values.out === 'string') file = createWriteStream(values.out);
    const statesOnly = values['states-only'] === true;
    let buffered: string[] = [];
    const flush = () => {
      if (buffered.length) out(buffered.join('\n') + '\n');
      buffered = [];
    };
    const sim = new ScenarioRun(scenario, {
      boards: typeof values.board === 'string' ? [values.board] : undefined,
      onEvent: (node, e) => {
        if (file) file.write(stringifyJson({ node: node.name, ...(e as unknown as Record<string, Value>) }) + '\n');
        else if (!statesOnly || e.type !== 'sensor.reading') {
          buffered.push(line(node, e));
          if (buffered.length >= 512) flush();
        }
      },
    });
    const duration = typeof values.duration === 'string' ? parseDuration(values.duration, '--duration') : sim.defaultDurationMs;
    const t0 = process.hrtime.bigint();
    // In slices, so output streams out and a long run shows progress.
    for (let done = 0; done < duration; ) {
      const step = Math.min(3_600_000, duration - done);
      sim.runFor(step);
      done += step;
      flush();
    }
    sim.stop();
    flush();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (file) await new Promise<void>((r) => (file as WriteStream).end(r));
    const events = sim.nodes.reduce((a, n) => a + n.events, 0);
    process.stderr.write(
      `simulated ${duration / 1000} s on ${sim.nodes.length} board(s) in ${(wallMs / 1000).toFixed(2)} s (${Math.round(duration / wallMs)}× real time): ${events} events${file ? ` → ${String(values.out)}` : ''}\n`,
    );
  },
};

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

function linkLine(e: HubLinkEvent): string {
  switch (e.event) {
    case 'searching':
      return 'searching the LAN for the hub…';
    case 'found':
      return `found hub ${e.hub} at ${e.url}`;
    case 'enrolled':
      return `enrolled as ${e.node}`;
    case 'acked':
      return `hub acknowledged up to seq ${e.ack} (${e.stored} new)`;
    case 'refused':
      return `refused (${e.stage}): ${e.code}: ${e.message}${e.address ? ` [from ${e.address}]` : ''}`;
    case 'lost':
      return `lost hub ${e.hub}: ${e.reason}`;
  }
}

const nodeCommand: Command = {
  name: 'node',
  summary: 'Run one simulated node (firmware in XS) that finds its hub on the LAN by Beacon, enrols and uplinks',
  usage:
    'fazt sim node --invite invite.json [--board esp32-c3-devkitm-1] [--runtime xs|node] [--name n] [--for 30s] [--json] [--state node.json] [--ssdp-port 1900] [--ssdp-group 239.255.255.250] [--interface ADDR] [--window 3s] [--announce]',
  help: [
    'No hub address is configured: the node searches the LAN (SSDP M-SEARCH) for a beacon signed by the',
    'hub key in the invite (`fazt invite --json > invite.json` prints token and hubKey), enrols there with',
    "the token, then uplinks its demo sensors' readings to the URL it found. If the hub says goodbye, falls",
    "silent, stops answering or refuses, the node searches again. Sockets are this process's (its network",
    "namespace's); simulated time follows the wall clock. SIGINT/SIGTERM stop it cleanly (and --for).",
    '',
    '--board picks the demo node for that board (sensors and device models from the simulator).',
    "--state FILE keeps the node's key and enrolment across runs (created when missing).",
    "--hub-key HEX overrides the invite's hubKey. --ssdp-port/--ssdp-group move SSDP (tests; a unicast",
    'group such as 127.0.0.1 is sent to, not joined). --interface ADDR keeps multicast on that local address.',
    '--announce makes the node announce itself too (from --interface, or every IPv4 interface).',
    '--json prints one JSON object per line: {"event":"started",…}, {"event":"searching"},',
    '{"event":"found","hub":ID,"url":URL}, {"event":"enrolled","node":ID,"hub":ID}, {"event":"acked","ack":N,"stored":N},',
    '{"event":"refused","stage":"beacon|enroll|uplink","code":…,"message":…}, {"event":"lost","hub":ID,"reason":…},',
    '{"event":"stopped",…}.',
  ].join('\n'),
  options: {
    board: { type: 'string' },
    invite: { type: 'string' },
    'hub-key': { type: 'string' },
    runtime: { type: 'string' },
    name: { type: 'string' },
    for: { type: 'string' },
    json: { type: 'boolean' },
    state: { type: 'string' },
    'ssdp-port': { type: 'string' },
    'ssdp-group': { type: 'string' },
    interface: { type: 'string' },
    window: { type: 'string' },
    announce: { type: 'boolean' },
  },
  run: async ({ values, out, err }) => {
    const boardId = String(values.board ?? 'esp32-c3-devkitm-1');
    const demo = DEMO_NODES.find((d) => d.board === boardId);
    if (!demo) throw new UsageError(`--board '${boardId}' has no demo node; one of ${DEMO_NODES.map((d) => d.board).join(', ')}`);
    const runtime = String(values.runtime ?? 'xs');
    if (runtime !== 'xs' && runtime !== 'node') throw new UsageError(`--runtime must be xs or node, got '${runtime}'`);
    const limit = typeof values.for === 'string' ? parseDuration(values.for, '--for') : Infinity;
    const windowMs = typeof values.window === 'string' ? parseDuration(values.window, '--window') : 3000;
    if (!(windowMs >= 100 && windowMs <= 600_000)) throw new UsageError('--window must be from 100ms to 10m');
    const port = values['ssdp-port'] === undefined ? SSDP_PORT : Number(values['ssdp-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ssdp-port '${String(values['ssdp-port'])}' is not a port`);
    const group = String(values['ssdp-group'] ?? SSDP_GROUP);
    if (!parseIpv4(group)) throw new UsageError(`--ssdp-group '${group}' is not an IPv4 address`);
    const iface = typeof values.interface === 'string' ? values.interface : undefined;
    if (iface !== undefined && !parseIpv4(iface)) throw new UsageError(`--interface '${iface}' is not a local IPv4 address`);

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
          : '--invite invite.json (or --hub-key) is required: the node trusts only the hub whose key it holds',
      );
    const token = state.enrolled ? null : typeof invite.token === 'string' ? invite.token : null;
    if (!state.enrolled && token === null) throw new UsageError('--invite with a token is required to enrol (or a --state file of a node already enrolled)');
    const announce = values.announce ? (iface ? [iface] : hostIpv4Interfaces()) : null;
    if (announce && announce.length === 0) throw new UsageError('--announce: no IPv4 interface to announce from (pass --interface)');
    const name = typeof values.name === 'string' ? values.name : demo.name;
    const save = () => stateFile && writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    save();

    const json = values.json === true;
    const say = (obj: Record<string, unknown>, text: string) => out(json ? JSON.stringify(obj) + '\n' : `${new Date().toISOString().slice(11, 19)} ${text}\n`);
    const options = {
      name,
      board: getBoard(boardId),
      demo,
      clock: new VirtualClock(Date.now()),
      secretKey: Buffer.from(state.secretKey, 'hex'),
      link: { hubKey, token, group, port, searchWindowMs: windowMs, retryMs: 2000, announce },
      interfaces: iface ? [iface] : undefined,
    };
    let node: LanNode;
    try {
      node = await LanNode.start({ ...options, runtime });
    } catch (e) {
      if (runtime !== 'xs') throw e;
      err(`fazt: WARNING: the XS engine is unavailable (${(e as Error).message}); running the node firmware on Node instead\n`);
      node = await LanNode.start({ ...options, runtime: 'node' });
    }
    say(
      { event: 'started', node: node.id, name, board: boardId, runtime: node.runtime, hubKey, ssdp: `${group}:${port}` },
      `node ${name} ${node.id} on ${boardId}: firmware in ${node.runtime === 'xs' ? 'XS' : 'Node'}, looking for hub key ${hubKey.slice(0, 16)}… on ${group}:${port}`,
    );

    let stopping = false;
    const onSignal = () => void (stopping = true);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const started = Date.now();
    let last: LanNodeStatus | undefined;
    try {
      while (!stopping && Date.now() - started < limit) {
        last = await node.run(Date.now());
        for (const e of last.link) {
          if (e.event === 'enrolled') {
            state.enrolled = e.hub;
            save();
          }
          say(e as unknown as Record<string, unknown>, linkLine(e));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await node.close();
    }
    const u = last?.uplink;
    say(
      { event: 'stopped', node: node.id, head: last?.head ?? 0, sent: u?.sent ?? 0, acked: u?.acked ?? 0, buffered: last?.buffered ?? 0 },
      `stopped: seq ${last?.head ?? 0}, ${u?.acked ?? 0}/${u?.sent ?? 0} batches acknowledged, ${last?.buffered ?? 0} unsent`,
    );
    return 0;
  },
};

export const simCommand: Command = {
  name: 'sim',
  summary: 'The board simulator: scenarios of virtual boards, device models and faults in simulated time',
  usage: 'fazt sim <run|node>',
  subcommands: [runCommand, nodeCommand],
};
