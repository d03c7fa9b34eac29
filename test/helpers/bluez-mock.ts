import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './wait.js';

const BLUEZ_PY = '/usr/bin/python3';
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const nodeBleInstalled = () => {
  try {
    createRequire(import.meta.url).resolve('node-ble');
    return true;
  } catch {
    return false;
  }
};

/** Why the BlueZ mock cannot run here (a describe's skip), or false when it can. */
export function bluezMockSkip(): string | false {
  if (!nodeBleInstalled()) return 'node-ble is not installed here';
  const there = onPath('dbus-daemon') && onPath('dbus-send') && existsSync(BLUEZ_PY) && spawnSync(BLUEZ_PY, ['-c', 'import dbusmock']).status === 0;
  return there ? false : 'needs dbus-daemon, dbus-send and python3-dbusmock (Debian: dbus python3-dbusmock)';
}

export interface BluezMock {
  env: NodeJS.ProcessEnv;
  /** dbus-send --system --print-reply with these arguments; its output. */
  send: (...args: string[]) => string;
  /** Python with `dbus` imported and `bus` the system bus. */
  py: (code: string) => void;
  /** Stops the mock and the bus, removes their folder. */
  stop: () => void;
}

/** A private system bus with python3-dbusmock's bluez5 template on it; `boundMs` bounds each wait for a child process. */
export async function mockBluez(boundMs: number): Promise<BluezMock> {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-dbus-'));
  const sock = join(dir, 'system_bus_socket');
  writeFileSync(
    join(dir, 'system.conf'),
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${sock}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/></policy></busconfig>`,
  );
  const procs: ChildProcess[] = [];
  const stop = () => {
    for (const p of procs.reverse()) if (p.exitCode === null) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const daemon = spawn('dbus-daemon', [`--config-file=${join(dir, 'system.conf')}`, '--nofork', '--nopidfile'], { stdio: 'ignore' });
    procs.push(daemon);
    await until(() => existsSync(sock), 'dbus-daemon', boundMs);
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${sock}` };
    procs.push(spawn(BLUEZ_PY, ['-m', 'dbusmock', '--template', 'bluez5'], { env, stdio: 'ignore' }));
    const send = (...args: string[]) => {
      const r = spawnSync('dbus-send', ['--system', '--print-reply', ...args], { env, encoding: 'utf8', timeout: 5000 });
      if (r.status !== 0) throw new Error(`dbus-send ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await until(
      () => /boolean true/.test(send('--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.bluez')),
      'the bluez mock',
      boundMs,
    );
    const py = (code: string) => {
      const r = spawnSync(BLUEZ_PY, ['-c', `import dbus\nbus = dbus.SystemBus()\n${code}`], { env, encoding: 'utf8', timeout: 5000 });
      if (r.status !== 0) throw new Error(`python: ${r.stderr}`);
    };
    return { env, send, py, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
