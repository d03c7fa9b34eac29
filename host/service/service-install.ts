import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaztError } from '../../hal/contracts/errors.js';
import { othersCannotReach } from './others-can-reach.js';
import { type ServiceUnitOptions, systemdUnit, UNIT_MARK } from './systemd-unit.js';

/** Where systemd reads the units an administrator installs (systemd.unit(5)). */
export const SYSTEM_UNIT_DIR = '/etc/systemd/system';
export const UNIT_NAME = 'fazt.service';
/** The groups that own the Pi's GPIO, I2C, sound and Bluetooth (Raspberry Pi OS and Debian names). */
const HARDWARE_GROUPS = ['gpio', 'i2c', 'audio', 'bluetooth'] as const;

/** The unit's options but its groups, which the install picks from the machine's accounts. */
export interface InstallRequest extends Omit<ServiceUnitOptions, 'supplementaryGroups'> {
  unitDir: string;
  /** The users and groups of this machine. */
  accounts: { users: ReadonlySet<string>; groups: ReadonlySet<string> };
}

export interface InstallPlan {
  unitFile: string;
  unit: string;
  /** The hardware groups the unit names, and those this machine lacks (left out: systemd refuses to start with an unknown group). */
  groups: string[];
  missingGroups: string[];
  /** What will not work as it stands, in sentences. */
  warnings: string[];
  /** What root runs next, in order, each as argv. */
  commands: string[][];
}

/** The unit and what must happen around it; reads only permission bits on the program's paths. */
export function planInstall(r: InstallRequest): InstallPlan {
  const groups = HARDWARE_GROUPS.filter((g) => r.accounts.groups.has(g));
  const missingGroups = HARDWARE_GROUPS.filter((g) => !r.accounts.groups.has(g));
  const unit = systemdUnit({
    program: r.program,
    dataDir: r.dataDir,
    listen: r.listen,
    port: r.port,
    beacon: r.beacon,
    ...(r.backups ? { backups: r.backups } : {}),
    user: r.user,
    supplementaryGroups: groups,
  });
  const warnings: string[] = [];
  r.program.forEach((file, i) => {
    const why = othersCannotReach(file, i === 0);
    if (why)
      warnings.push(`the service's user ${r.user} cannot use ${file}: ${why} (install fazt where every user may read it, e.g. /opt/fazt or /usr/local/bin)`);
  });
  const commands: string[][] = [];
  if (!r.accounts.users.has(r.user))
    commands.push(['useradd', '--system', '--user-group', '--home-dir', r.dataDir, '--no-create-home', '--shell', '/usr/sbin/nologin', r.user]);
  // systemd makes a folder under /var/lib itself (StateDirectory=); any other must exist and be the user's.
  if (!r.dataDir.startsWith('/var/lib/')) commands.push(['install', '-d', '-o', r.user, '-g', r.user, '-m', '0700', r.dataDir]);
  commands.push(['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', UNIT_NAME]);
  return { unitFile: join(r.unitDir, UNIT_NAME), unit, groups, missingGroups, warnings, commands };
}

function writtenByFazt(file: string): boolean {
  return readFileSync(file, 'utf8').startsWith(UNIT_MARK);
}

/** Writes the unit (whole, then renamed); replaces one fazt wrote, never another file. */
export function writeUnit(plan: InstallPlan): 'written' | 'replaced' {
  const existed = existsSync(plan.unitFile);
  if (existed && !writtenByFazt(plan.unitFile))
    throw new FaztError('exists', `${plan.unitFile} exists and was not written by fazt service install: move it away first`);
  const tmp = `${plan.unitFile}.tmp`;
  writeFileSync(tmp, plan.unit, { mode: 0o644 });
  renameSync(tmp, plan.unitFile);
  return existed ? 'replaced' : 'written';
}

/** The links `systemctl enable` made to the unit (`<target>.wants/fazt.service` beside it). */
function enabledLinks(unitDir: string): string[] {
  if (!existsSync(unitDir)) return [];
  return readdirSync(unitDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.endsWith('.wants') && lstatSync(join(unitDir, d.name, UNIT_NAME), { throwIfNoEntry: false }))
    .map((d) => join(unitDir, d.name, UNIT_NAME));
}

/**
 * Removes the unit fazt wrote in `unitDir`: false when there is none.
 * Refuses a file fazt did not write, and (unless `disabled`: systemctl
 * disable ran first) a unit still enabled, whose links would dangle.
 */
export function removeUnit(unitDir: string, disabled: boolean): boolean {
  const file = join(unitDir, UNIT_NAME);
  if (!existsSync(file)) return false;
  if (!writtenByFazt(file)) throw new FaztError('foreign-unit', `${file} was not written by fazt service install: left as it is`);
  const links = disabled ? [] : enabledLinks(unitDir);
  if (links.length)
    throw new FaztError(
      'enabled',
      `${UNIT_NAME} is still enabled (${links.join(', ')}): run systemctl disable --now fazt first, or fazt service uninstall --now`,
    );
  rmSync(file);
  return true;
}
