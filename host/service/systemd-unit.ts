/** The first line of every unit `fazt service install` writes: uninstall removes only files that carry it. */
export const UNIT_MARK = '# Written by `fazt service install`.';

export interface ServiceUnitOptions {
  /** The program and its leading arguments, absolute: [fazt] (single executable) or [node, …/dist/fazt.js]. */
  program: readonly string[];
  /** The hub's folder (its cartridge), absolute. */
  dataDir: string;
  /** --listen of the hub, HOST:PORT. */
  listen: string;
  /** The port in --listen: below 1024 the unit grants CAP_NET_BIND_SERVICE and nothing else. */
  port: number;
  /** Pass --beacon to the hub. */
  beacon: boolean;
  /** Scheduled backups (fazt hub --backup-every, --backup-keep, --backup-dir): a folder outside dataDir is made writable. */
  backups?: { every: string; keep: number; dir?: string };
  /** The dedicated system user (and its group) the hub runs as. */
  user: string;
  /** Extra groups for hardware access (gpio, i2c, audio, bluetooth): only groups that exist, or the unit fails to start. */
  supplementaryGroups: readonly string[];
}

const PLAIN_PATH = /^\/[A-Za-z0-9._/-]*$/;
const NAME = /^[a-z_][a-z0-9_-]*$/;
const STATE_ROOT = '/var/lib/';
const HOMES = /^\/(home|root|run\/user)(\/|$)/;

/**
 * One word of ExecStart= (systemd.service(5) "Command lines"): specifiers
 * (%) and variables ($) are escaped always; a word with spaces, quotes or
 * backslashes is double-quoted with C-style escapes.
 */
export function execArg(arg: string): string {
  const escaped = arg.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9_/.:@+=,%$[\]-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function check(o: ServiceUnitOptions): void {
  if (!o.program.length || !o.program.every((p) => p.startsWith('/'))) throw new TypeError(`program must be absolute paths, got ${JSON.stringify(o.program)}`);
  if (!PLAIN_PATH.test(o.dataDir) || o.dataDir.split('/').includes('..') || o.dataDir === '/' || o.dataDir.endsWith('/'))
    throw new RangeError(`dataDir must be a plain absolute folder (letters, digits, . _ - /), got '${o.dataDir}'`);
  if (o.dataDir === STATE_ROOT.slice(0, -1)) throw new RangeError(`dataDir must be a folder of its own, not ${o.dataDir}`);
  if (!NAME.test(o.user)) throw new RangeError(`user must be a system user name, got '${o.user}'`);
  for (const g of o.supplementaryGroups) if (!NAME.test(g)) throw new RangeError(`supplementaryGroups holds '${g}', not a group name`);
  if (!/^\S+:\d+$/.test(o.listen)) throw new RangeError(`listen must be HOST:PORT, got '${o.listen}'`);
  const b = o.backups;
  if (b && !/^\d+(\.\d+)?[smhd]$/.test(b.every)) throw new RangeError(`backups.every must be a duration like 24h, got '${b.every}'`);
  if (b?.dir !== undefined && (!PLAIN_PATH.test(b.dir) || b.dir.split('/').includes('..') || b.dir === '/'))
    throw new RangeError(`backups.dir must be a plain absolute folder (letters, digits, . _ - /), got '${b.dir}'`);
}

/**
 * The systemd unit that runs `fazt hub` hardened (systemd.exec(5)), as text.
 * Pure: the same options give the same unit. What it allows, it allows
 * because the hub needs it:
 * - devices stay visible (no PrivateDevices=, no DeviceAllow=, so no
 *   ProtectClock=, which implies a device list): /dev/gpiochip*, /dev/i2c-*
 *   and /dev/snd belong to the groups in SupplementaryGroups=;
 * - V8 writes machine code at run time: no MemoryDenyWriteExecute=;
 * - sockets: IPv4/IPv6 for the API, the mesh and the beacon's multicast,
 *   netlink to list interfaces (Beacon, os.networkInterfaces), unix for
 *   D-Bus (BlueZ, timedatectl); node-ble reaches Bluetooth over D-Bus, so no
 *   AF_BLUETOOTH;
 * - all of /proc that is not about processes (no ProcSubset=pid): the hub
 *   reads /proc/sys/kernel/random/boot_id.
 * A data folder under /var/lib is StateDirectory= (systemd makes it and
 * hands it to the user); anywhere else it is ReadWritePaths= and must exist.
 */
export function systemdUnit(o: ServiceUnitOptions): string {
  check(o);
  const b = o.backups;
  const backupArgs = b ? ['--backup-every', b.every, '--backup-keep', String(b.keep), ...(b.dir ? ['--backup-dir', b.dir] : [])] : [];
  const exec = [...o.program, 'hub', '--data', o.dataDir, '--listen', o.listen, ...(o.beacon ? ['--beacon'] : []), ...backupArgs];
  const underHome = [...o.program, o.dataDir].some((p) => HOMES.test(p));
  const state = o.dataDir.startsWith(STATE_ROOT)
    ? [`StateDirectory=${o.dataDir.slice(STATE_ROOT.length)}`, 'StateDirectoryMode=0700']
    : [`ReadWritePaths=${o.dataDir}`];
  // Backups on another disk (a good idea) must be writable too; that folder must exist.
  if (b?.dir && !`${b.dir}/`.startsWith(`${o.dataDir}/`)) state.push(`ReadWritePaths=${b.dir}`);
  const caps = o.port < 1024 ? 'CAP_NET_BIND_SERVICE' : '';
  return [
    UNIT_MARK,
    '# Run it again to change it; `fazt service uninstall` removes it (never the cartridge).',
    '[Unit]',
    `Description=Fazt hub (cartridge ${o.dataDir}/fazt.db)`,
    'Documentation=man:systemd.exec(5)',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec.map(execArg).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=5s',
    '',
    '# Its own user; the groups that own the GPIO, I2C, sound and Bluetooth (those that exist here).',
    `User=${o.user}`,
    `Group=${o.user}`,
    ...(o.supplementaryGroups.length ? [`SupplementaryGroups=${o.supplementaryGroups.join(' ')}`] : []),
    '',
    '# It writes the cartridge folder and its cache ($CACHE_DIRECTORY) only; files it makes are its own.',
    ...state,
    'CacheDirectory=fazt',
    'CacheDirectoryMode=0700',
    'UMask=0077',
    'ProtectSystem=strict',
    `ProtectHome=${underHome ? 'read-only' : 'yes'}`,
    'PrivateTmp=yes',
    'PrivateMounts=yes',
    '',
    '# No privileges to gain or keep.',
    'NoNewPrivileges=yes',
    `CapabilityBoundingSet=${caps}`,
    `AmbientCapabilities=${caps}`,
    'RestrictSUIDSGID=yes',
    'RemoveIPC=yes',
    '',
    '# The kernel, other processes and the host stay out of reach. Devices stay visible (no PrivateDevices=):',
    '# /dev/gpiochip*, /dev/i2c-* and /dev/snd; V8 compiles at run time (no MemoryDenyWriteExecute=).',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    '',
    '# IP for the API, the mesh and the beacon (multicast); netlink lists interfaces; unix reaches D-Bus.',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    '# What services need; a call outside it fails with EPERM (Node falls back) rather than killing the hub.',
    'SystemCallFilter=@system-service',
    'SystemCallErrorNumber=EPERM',
    'SystemCallArchitectures=native',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
