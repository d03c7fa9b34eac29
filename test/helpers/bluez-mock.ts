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
  /** Ends the mocked BlueZ (bluetoothd gone; the bus stays) and waits for the process to end. */
  stopBluez: () => Promise<void>;
  /** Starts the mocked BlueZ again, as bluetoothd restarting: no adapters or devices until added again. */
  startBluez: () => Promise<void>;
  /** Ends the bus itself (every connection to it drops) and the mocked BlueZ with it. */
  stopBus: () => Promise<void>;
  /** Starts the bus again at the same address, then the mocked BlueZ (no adapters or devices). */
  startBus: () => Promise<void>;
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
  let bus: ChildProcess | undefined;
  let bluez: ChildProcess | undefined;
  const alive = (p: ChildProcess | undefined): p is ChildProcess => p !== undefined && p.exitCode === null && p.signalCode === null;
  const ended = async (p: ChildProcess | undefined) => {
    if (!alive(p)) return;
    await new Promise<void>((ok) => {
      p.once('exit', () => ok());
      p.kill('SIGTERM');
    });
  };
  const stop = () => {
    for (const p of [bluez, bus]) if (alive(p)) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${sock}` };
    const send = (...args: string[]) => {
      const r = spawnSync('dbus-send', ['--system', '--print-reply', ...args], { env, encoding: 'utf8', timeout: 5000 });
      if (r.status !== 0) throw new Error(`dbus-send ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const owned = () =>
      /boolean true/.test(send('--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.bluez'));
    const startBluez = async () => {
      if (bluez) throw new Error('the bluez mock is already running');
      bluez = spawn(BLUEZ_PY, ['-m', 'dbusmock', '--template', 'bluez5'], { env, stdio: 'ignore' });
      await until(owned, 'the bluez mock', boundMs);
    };
    const stopBluez = async () => {
      const p = bluez;
      bluez = undefined;
      await ended(p);
      if (alive(bus)) await until(() => !owned(), 'org.bluez released', boundMs);
    };
    const startBus = async () => {
      if (bus) throw new Error('the bus is already running');
      rmSync(sock, { force: true });
      bus = spawn('dbus-daemon', [`--config-file=${join(dir, 'system.conf')}`, '--nofork', '--nopidfile'], { stdio: 'ignore' });
      await until(() => existsSync(sock), 'dbus-daemon', boundMs);
      await startBluez();
    };
    const stopBus = async () => {
      await stopBluez();
      const p = bus;
      bus = undefined;
      await ended(p);
    };
    await startBus();
    const py = (code: string) => {
      const r = spawnSync(BLUEZ_PY, ['-c', `import dbus\nbus = dbus.SystemBus()\n${code}`], { env, encoding: 'utf8', timeout: 5000 });
      if (r.status !== 0) throw new Error(`python: ${r.stderr}`);
    };
    return { env, send, py, stopBluez, startBluez, stopBus, startBus, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
