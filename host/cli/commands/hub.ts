import { join } from 'node:path';
import { CARTRIDGE_FILE, Hub } from '../../hub/hub.js';
import type { HubOptions } from '../../hub/hub-options.js';
import { isLoopback } from '../../hub/tls/loopback.js';
import type { TimeMode } from '../../time/timekeeper.js';
import { UsageError, type Command, type OptionSpec } from '../command.js';
import { DATA_OPTION, dataFolder } from '../data-folder.js';
import { durationFlag } from '../duration-flag.js';
import { ownerAccessText } from '../owner-access-text.js';
import { PULSE_FLAGS, pulseFlags } from '../pulse-flags.js';
import { BACKUP_FLAGS, backupFlags } from '../backup-flags.js';
import { MESH_FLAGS, meshFlags } from '../mesh-flags.js';
import { MESH_NATS_FLAGS, meshNatsFlags } from '../mesh-nats-flags.js';
import { AGENT_FLAGS, agentFlags } from '../agent-flags.js';
import { MQTT_FLAGS, mqttFlags } from '../mqtt-flags.js';
import { BLE_FLAGS, bleFlags } from '../ble-flags.js';
import { LIMIT_FLAGS, limitFlags } from '../limit-flags.js';
import { RETENTION_FLAGS, retentionFlags } from '../retention-flags.js';

/** "HOST:PORT", "[v6]:PORT" or ":PORT" (all interfaces stay opt-in: the default is loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen '${text}' is not HOST:PORT (e.g. 127.0.0.1:7070, 0.0.0.0:7070, [::1]:7070)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** "+2h", "-10m", "90s" → signed ms (simulation: a hub whose system clock is wrong). */
export function parseSkew(text: string): number {
  const m = /^([+-]?)(.+)$/.exec(text.trim());
  if (!m) throw new UsageError(`--clock-skew '${text}' is not a signed duration like +2h or -10m`);
  return (m[1] === '-' ? -1 : 1) * durationFlag(m[2], '--clock-skew');
}

const TIME_MODES: readonly TimeMode[] = ['auto', 'peers', 'system'];

/** The beacon and Timekeeper flags of `fazt hub` (and `fazt start`). */
export function lanOptions(values: Record<string, unknown>, host: string): Pick<HubOptions, 'beacon' | 'time' | 'clock'> {
  const out: Pick<HubOptions, 'beacon' | 'time' | 'clock'> = {};
  if (values.beacon) {
    if (isLoopback(host)) throw new UsageError(`--beacon announces the hub on the LAN, but it listens on ${host} only: add --listen 0.0.0.0:7070`);
    out.beacon = {
      name: typeof values.name === 'string' ? values.name : undefined,
      announceMs: typeof values.announce === 'string' ? durationFlag(values.announce, '--announce') : undefined,
      forgetMs: typeof values.forget === 'string' ? durationFlag(values.forget, '--forget') : undefined,
      ssdpPort: typeof values['ssdp-port'] === 'string' ? Number(values['ssdp-port']) : undefined,
    };
    if (out.beacon.ssdpPort !== undefined && !(Number.isInteger(out.beacon.ssdpPort) && out.beacon.ssdpPort > 0 && out.beacon.ssdpPort < 65536))
      throw new UsageError(`--ssdp-port '${String(values['ssdp-port'])}' is not a port`);
  }
  const mode = String(values.time ?? 'auto');
  if (!(TIME_MODES as readonly string[]).includes(mode)) throw new UsageError(`--time '${mode}' is not auto, peers or system`);
  out.time = { mode: mode as TimeMode, pollMs: typeof values['time-poll'] === 'string' ? durationFlag(values['time-poll'], '--time-poll') : undefined };
  if (out.time.pollMs !== undefined && out.time.pollMs < 100) throw new UsageError(`--time-poll must be at least 100ms, got '${String(values['time-poll'])}'`);
  if (typeof values['clock-skew'] === 'string') {
    const skew = parseSkew(values['clock-skew']);
    out.clock = () => Date.now() + skew;
  }
  return out;
}

export const LAN_FLAGS: Record<string, OptionSpec> = {
  beacon: { type: 'boolean', description: 'announce the hub on the LAN over SSDP and track other Fazt peers (needs a non-loopback --listen)' },
  name: { type: 'string', value: 'NAME', description: "the hub's name in its beacon record" },
  announce: { type: 'string', value: 'DURATION', description: 'how often the beacon announces (default 30s)' },
  forget: { type: 'string', value: 'DURATION', description: 'forget a peer silent this long (default 5m)' },
  'ssdp-port': { type: 'string', value: 'PORT', description: 'the SSDP port (default 1900; tests)' },
  time: { type: 'string', value: 'MODE', description: 'the clock the hub reads: auto, peers or system (default auto)' },
  'time-poll': { type: 'string', value: 'DURATION', description: 'how often the peers are polled for time (default 60s)' },
  'clock-skew': { type: 'string', value: '±DURATION', description: "offset this hub's system clock, e.g. +2h (simulation and tests only)" },
};

/** --time-zone and --notify-url, checked. */
export function ruleFlags(values: Record<string, unknown>): { timeZone: string; notifyUrl?: string } {
  const zone = typeof values['time-zone'] === 'string' ? values['time-zone'] : Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new UsageError(`--time-zone '${zone}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
  }
  const url = values['notify-url'];
  if (url === undefined) return { timeZone: zone };
  if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) throw new UsageError('--notify-url must be an http:// or https:// URL');
  return { timeZone: zone, notifyUrl: url };
}

/** The rule flags of `fazt hub` and `fazt start`. */
export const RULE_FLAGS: Record<string, OptionSpec> = {
  'time-zone': { type: 'string', value: 'ZONE', description: "the owner's IANA time zone for rule schedules (default this machine's)" },
  'notify-url': { type: 'string', value: 'URL', description: "POST each rule notification here too (JSON); only the URL's origin is ever logged" },
};

export const hubCommand: Command = {
  name: 'hub',
  summary: 'Run the hub: store signed batches in the cartridge and serve the HTTP API',
  usage:
    'fazt hub [--data DIR] [--listen HOST:PORT] [--body-limit BYTES] [--time-zone ZONE] [--notify-url URL] [--pulse-every 15m] [--pulse-checks FILE] [--phrase-url URL --phrase-model M] [--beacon [--name N] [--announce 30s]] [--time auto|peers|system] [--time-poll 60s] [--backup-every 24h [--backup-keep 7] [--backup-dir DIR]] [--mesh [--mesh-interval 30s]] [--mesh-nats URL [--mesh-nats-user U --mesh-nats-password-file F | --mesh-nats-nkey-file F]] [--mqtt URL [--mqtt-user U --mqtt-password-file F] [--ha-prefix homeassistant]] [--ble [--ble-adapter hci0] [--ble-interval 60s]] [--retain-raw 30d|off] [--log-json]',
  help: [
    'The cartridge is DIR/fazt.db (one SQLite file, mode 0600): all the hub is, its key and certificate',
    'too (a DIR/hub-key.json from before is imported once). Default DIR ./fazt-data, listen 127.0.0.1:7070.',
    '--backup-every 24h writes an online backup that often into --backup-dir (default DIR/backups),',
    'named by time, keeping the newest --backup-keep (default 7); each is an event on the hub chain.',
    '--mesh-nats URL replicates over NATS JetStream (see the README, Mesh over NATS JetStream).',
    '--mqtt URL shows every node in Home Assistant over MQTT (see the README, Home Assistant (MQTT)).',
    '--ble hears the BTHome devices added with fazt ble add through BlueZ (see the README, BLE sensors (BTHome v2)).',
    '--retain-raw 30d (the default) prunes raw readings older than that, hourly, keeping their rollups and a',
    'signed summary of each pruned range on the hub chain; off keeps everything (see the README, Retention).',
    'The log (stderr) says enrolments, refusals, nodes first seen, silent and back, and backups in',
    'plain lines (--log-json: one JSON object a line); never a token.',
    'Beyond loopback (e.g. --listen 0.0.0.0:7070) the same port also answers HTTPS with a self-signed',
    'certificate for the hub key (DIR/hub-cert.pem); the hub prints its fingerprint to pin. Plain HTTP',
    'from the LAN then reaches only the node routes (uplink, enroll, downlink, firmware chunk, time,',
    'beacon, health).',
    'API: POST /v1/uplink, POST /v1/enroll, GET /v1/nodes, GET /v1/events, GET /v1/stream,',
    'GET /v1/time?nonce=, GET /v1/time/status, GET /v1/time/peers, POST /v1/time/sync, GET /v1/beacon,',
    'POST /v1/downlink, /v1/rules (fazt rules), GET /v1/effects, /v1/firmware (fazt firmware).',
    '',
    'The hub turns readings into percepts and runs the rules stored in its cartridge (fazt rules add);',
    "schedules read --time-zone (default this machine's zone). --notify-url also POSTs every",
    'effect.notify there as JSON (the event stream carries them anyway).',
    'Pulse judges the hub and every node every --pulse-every (default 15m; fazt pulse asks it);',
    '--pulse-checks FILE changes the checks; --phrase-url words each beat with a model you run.',
    '--beacon announces the hub on the LAN over SSDP (signed record; every --announce, default 30s;',
    'ssdp:byebye on a clean stop) and tracks other Fazt peers, forgetting one silent for --forget',
    '(default 5m); needs a non-loopback --listen.',
    '--time picks the clock every part of the hub reads: auto (the system clock while NTP keeps it,',
    'otherwise the consensus of verified peers polled every --time-poll, default 60s), peers',
    "(always the peers' consensus) or system (never).",
    '--mesh syncs with the paired hubs (fazt mesh) every --mesh-interval (default 30s).',
    "--clock-skew +2h offsets this hub's system clock (simulation and tests only).",
    'Against slow and abusive clients: --header-timeout, --request-timeout, --connections-per-address,',
    '--failed-attempts, --stream-buffer, --stream-stall (see the README, Limits against slow and abusive clients).',
    'Runs until SIGINT or SIGTERM.',
  ].join('\n'),
  options: {
    data: DATA_OPTION,
    listen: { type: 'string', value: 'HOST:PORT', description: 'where the API listens (default 127.0.0.1:7070)' },
    'body-limit': { type: 'string', value: 'BYTES', description: 'the largest request body accepted (default 262144)' },
    ...RULE_FLAGS,
    ...PULSE_FLAGS,
    ...LAN_FLAGS,
    ...BACKUP_FLAGS,
    ...MESH_FLAGS,
    ...MESH_NATS_FLAGS,
    ...AGENT_FLAGS,
    ...MQTT_FLAGS,
    ...BLE_FLAGS,
    ...LIMIT_FLAGS,
    ...RETENTION_FLAGS,
  },
  run: async ({ values, out, err }) => {
    const { host, port } = parseListen(String(values.listen ?? '127.0.0.1:7070'));
    let bodyLimit: number | undefined;
    if (values['body-limit'] !== undefined) {
      bodyLimit = Number(values['body-limit']);
      if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1024) throw new UsageError('--body-limit must be a whole number of bytes, at least 1024');
    }
    const lan = lanOptions(values, host);
    const rules = ruleFlags(values);
    const pulse = pulseFlags(values, rules.timeZone, '15m');
    const ops = backupFlags(values);
    const mesh = meshFlags(values);
    const meshNats = meshNatsFlags(values);
    const agents = agentFlags(values);
    const mqtt = mqttFlags(values);
    const ble = bleFlags(values);
    const limits = limitFlags(values);
    const retention = retentionFlags(values);
    // Every flag is checked before the folder is made.
    const dataDir = dataFolder(values, { create: true });
    const hub = new Hub({
      dataDir,
      host,
      port,
      bodyLimit,
      ...lan,
      ...ops,
      ...mesh,
      ...meshNats,
      ...agents,
      ...mqtt,
      ...ble,
      ...limits,
      ...retention,
      percepts: true,
      rules,
      pulse,
      log: (line) => err(line + '\n'),
    });
    // Listen for the signals before announcing the address: a supervisor may signal as soon as it reads it.
    let signalled = () => {};
    const stopRequested = new Promise<void>((done) => (signalled = done));
    const onSignal = () => signalled();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const addr = await hub.start();
      out(`hub ${addr.hubId} listening on ${addr.url}\ncartridge ${join(dataDir, CARTRIDGE_FILE)}\n`);
      if (addr.https) out(`https ${addr.https.url} certificate ${addr.https.fingerprint} (pin it: --fingerprint, hub.fingerprint)\n`);
      out(ownerAccessText(hub, dataDir));
      const b = hub.beacon;
      if (b) out(`beacon announcing ${b.record.id} on ${b.record.addresses.join(', ')} every ${b.status().announceMs / 1000}s\n`);
      out(`time ${hub.timekeeper.mode}: ${hub.timekeeper.source()} clock\n`);
      await stopRequested;
      await hub.stop();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    out('hub stopped; cartridge closed\n');
    return 0;
  },
};
