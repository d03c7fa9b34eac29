import { spawnSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { FaztError } from '../../../hal/contracts/errors.js';
import { planInstall, removeUnit, SYSTEM_UNIT_DIR, UNIT_NAME, writeUnit } from '../../service/service-install.js';
import { serviceProgram } from '../../service/service-program.js';
import { readAccounts } from '../../service/system-accounts.js';
import { systemdRunning } from '../../service/systemd-running.js';
import { UsageError, type Command, type OptionSpec } from '../command.js';
import { parseListen } from './hub.js';
import { BACKUP_FLAGS, backupFlags } from '../backup-flags.js';

/** The hub's scheduled backups for the unit, checked as `fazt hub` checks them (an absolute --backup-dir: the unit has no working folder). */
function serviceBackups(values: Record<string, unknown>): { backups?: { every: string; keep: number; dir?: string } } {
  const b = backupFlags(values).backups;
  if (!b) return {};
  const dir = values['backup-dir'];
  if (typeof dir === 'string' && !isAbsolute(dir)) throw new UsageError(`--backup-dir '${dir}' must be an absolute folder`);
  return { backups: { every: String(values['backup-every']), keep: b.keep, ...(b.dir ? { dir: b.dir } : {}) } };
}

const UNIT_DIR_OPTION: OptionSpec = {
  type: 'string',
  value: 'DIR',
  description: `where the unit goes (default ${SYSTEM_UNIT_DIR}, the only one that works with --now)`,
};
const NOW_OPTION: OptionSpec = { type: 'boolean', description: 'also run the systemctl commands (needs root and a running systemd)' };

/** argv as a line to paste into a shell. */
const shellLine = (argv: readonly string[]) => argv.map((a) => (/^[A-Za-z0-9_/.:@%+=,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');

function unitDir(values: Record<string, unknown>): string {
  return typeof values['unit-dir'] === 'string' ? resolve(values['unit-dir']) : SYSTEM_UNIT_DIR;
}

/** --now refuses before anything is written when it could not act on what it writes; false when systemd is not running. */
function nowPossible(values: Record<string, unknown>, dir: string): boolean {
  if (!values.now) return false;
  if (dir !== SYSTEM_UNIT_DIR)
    throw new UsageError(`--now enables the unit systemd reads from ${SYSTEM_UNIT_DIR}; with --unit-dir ${dir} run the commands yourself`);
  if (!systemdRunning()) return false;
  if (process.getuid?.() !== 0) throw new UsageError('--now runs useradd and systemctl: run it as root (sudo)');
  return true;
}

function runAll(commands: readonly string[][], out: (t: string) => void): void {
  for (const argv of commands) {
    out(`# ${shellLine(argv)}\n`);
    const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new FaztError('service', `${shellLine(argv)} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
}

const NOT_RUNNING = 'systemd is not running on this machine (no /run/systemd/system), so nothing was started; on the machine that runs it, as root:\n';

const installCommand: Command = {
  name: 'install',
  summary: 'Write a hardened systemd unit that runs the hub, and say what to run next',
  usage:
    'fazt service install [--data /var/lib/fazt] [--listen 0.0.0.0:7070] [--beacon] [--backup-every 24h [--backup-keep 7] [--backup-dir DIR]] [--user fazt] [--unit-dir DIR] [--dry-run] [--now]',
  help: [
    `Writes ${SYSTEM_UNIT_DIR}/${UNIT_NAME}: fazt hub as its own system user, with the groups that own the`,
    'GPIO, I2C, sound and Bluetooth (those that exist here), writing only its cartridge folder and',
    'its cache; the rest of the system read-only, no privileges to gain. ExecStart is this program:',
    "the single executable, or this Node and the checkout's dist/fazt.js. It prints the commands to",
    'run next (useradd when the user is missing, systemctl daemon-reload, systemctl enable --now);',
    '--now runs them. Run it again to change the unit; the cartridge is never touched.',
  ].join('\n'),
  options: {
    data: { type: 'string', value: 'DIR', description: "the hub's folder, absolute (default /var/lib/fazt)" },
    listen: { type: 'string', value: 'HOST:PORT', description: 'where the hub listens (default 0.0.0.0:7070: the LAN)' },
    beacon: { type: 'boolean', description: 'announce the hub on the LAN (fazt hub --beacon)' },
    'backup-every': BACKUP_FLAGS['backup-every'],
    'backup-keep': BACKUP_FLAGS['backup-keep'],
    'backup-dir': {
      ...BACKUP_FLAGS['backup-dir'],
      description: 'where scheduled backups go, absolute (default DIR/backups; another disk is better: it must exist)',
    },
    user: { type: 'string', value: 'NAME', description: 'the system user the hub runs as (default fazt)' },
    'unit-dir': UNIT_DIR_OPTION,
    'dry-run': { type: 'boolean', description: 'print the unit and the commands; write nothing' },
    now: NOW_OPTION,
  },
  run: ({ values, out }) => {
    const dataDir = typeof values.data === 'string' ? values.data : '/var/lib/fazt';
    if (!isAbsolute(dataDir)) throw new UsageError(`--data '${dataDir}' must be an absolute folder, e.g. /var/lib/fazt`);
    const listen = String(values.listen ?? '0.0.0.0:7070');
    const { host, port } = parseListen(listen);
    const user = typeof values.user === 'string' ? values.user : 'fazt';
    if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new UsageError(`--user '${user}' is not a system user name (lower-case letters, digits, _ and -)`);
    const dir = unitDir(values);
    const program = serviceProgram();
    let plan: ReturnType<typeof planInstall>;
    try {
      plan = planInstall({
        unitDir: dir,
        program,
        dataDir: resolve(dataDir),
        listen: `${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        beacon: values.beacon === true,
        ...serviceBackups(values),
        user,
        accounts: readAccounts(),
      });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message.replace(/^dataDir/, '--data'));
      throw e;
    }
    if (values['dry-run']) {
      out(plan.unit);
      out(`\n# would write ${plan.unitFile}; then, as root:\n${plan.commands.map((c) => `${shellLine(c)}\n`).join('')}`);
      return 0;
    }
    const now = nowPossible(values, dir);
    const how = writeUnit(plan);
    out(`${how} ${plan.unitFile}: fazt hub as user ${user}, cartridge ${resolve(dataDir)}, listening on ${listen}\n`);
    out(
      plan.groups.length
        ? `supplementary groups: ${plan.groups.join(' ')}${plan.missingGroups.length ? ` (${plan.missingGroups.join(', ')}: not on this machine, left out)` : ''}\n`
        : `no supplementary groups (${plan.missingGroups.join(', ')}: not on this machine)\n`,
    );
    for (const w of plan.warnings) out(`warning: ${w}\n`);
    const next = plan.commands.map((c) => `  ${shellLine(c)}\n`).join('');
    if (now) {
      runAll(plan.commands, out);
      out(`started: systemctl status fazt shows it, journalctl -u fazt -f its log\n`);
      return 0;
    }
    if (values.now) {
      out(NOT_RUNNING + next);
      return 1;
    }
    out(
      `next, as root:\n${next}then: journalctl -u fazt -f shows the hub's log; sudo -u ${user} ${shellLine(program)} token list --data ${resolve(dataDir)} runs a command against it\n`,
    );
    return 0;
  },
};

const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'Remove the unit fazt service install wrote (never the cartridge, nor the user)',
  usage: 'fazt service uninstall [--unit-dir DIR] [--now]',
  help: `Refuses while the unit is still enabled, unless --now runs systemctl disable --now fazt first.\nThe cartridge folder and the user stay: remove them yourself when you mean to.`,
  options: { 'unit-dir': UNIT_DIR_OPTION, now: NOW_OPTION },
  run: ({ values, out }) => {
    const dir = unitDir(values);
    const now = nowPossible(values, dir);
    if (now) runAll([['systemctl', 'disable', '--now', UNIT_NAME]], out);
    if (!removeUnit(dir, now)) {
      out(`no ${UNIT_NAME} in ${dir}: nothing to remove\n`);
      return 0;
    }
    out(`removed ${dir}/${UNIT_NAME} (the cartridge and the user stay)\n`);
    if (now) runAll([['systemctl', 'daemon-reload']], out);
    else if (values.now) {
      out(NOT_RUNNING + '  systemctl daemon-reload\n');
      return 1;
    } else out('next, as root:\n  systemctl daemon-reload\n');
    return 0;
  },
};

export const serviceCommand: Command = {
  name: 'service',
  summary: 'Run the hub as a systemd service: install or uninstall its unit',
  usage: 'fazt service <install|uninstall> [options]',
  subcommands: [installCommand, uninstallCommand],
};
