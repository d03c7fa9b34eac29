/**
 * A small LAN made of Linux network namespaces, for tests and benchmarks that need several
 * hosts talking UDP/TCP (multicast included: SSDP, mDNS) without touching the machine's network.
 *
 * Layout, for a LAN `fzt<pid>-<n>` with hosts h1…hN:
 *
 *     ns fzt<pid>-<n>-sw   bridge fzt-br (STP off, forward_delay 0, mcast_snooping 0)
 *                            ├─ fzt-p1 ══ veth ══ fzt-h1  ns fzt<pid>-<n>-h1  10.213.X.11/24
 *                            ├─ fzt-p2 ══ veth ══ fzt-h2  ns fzt<pid>-<n>-h2  10.213.X.12/24
 *                            └─ …
 *
 * Nothing is created in the root namespace, not even briefly: the bridge lives in a "switch"
 * namespace of its own, and every veth pair is created inside the switch namespace with its peer
 * created directly in the host's namespace (`ip -n <switch> link add fzt-pI type veth peer name
 * fzt-hI netns <host>`; the kernel registers the peer in the target namespace, it never passes
 * through the root one). Interface names are therefore only unique per namespace, which is all
 * the kernel requires; namespace names carry the creating pid and a counter, so LANs of
 * concurrent processes, and several LANs of one process, never collide.
 *
 * Each host has `lo` up, its veth up with IPv6 disabled on it (no DAD, no router solicitations,
 * no MLD chatter; `lo` keeps ::1), a route `224.0.0.0/4 dev <iface>` and a default route
 * `default dev <iface>` (no gateway: every destination is on-link, so nothing could be routed
 * anywhere but this bridge anyway).
 *
 * Cleanup: `destroy()` (call it from `after`/`t.after`); a process 'exit' handler (and SIGINT,
 * SIGTERM, SIGHUP handlers) that synchronously kills and deletes whatever a LAN of this process
 * left; and `sweepStale()`, run by every `createLan`, that deletes `fzt<pid>-…` namespaces whose
 * pid is no longer alive (after a kill -9 of a test process, say), killing anything still inside,
 * one process at a time (a sweep lock, which a test can hold: `holdSweeps()`).
 *
 * Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN) and iproute2; see `netnsUnavailable()`.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface LanHost {
  /** h1, h2, … */
  name: string;
  /** the host's network namespace, for `ip netns exec <ns> …` / `ip -n <ns> …` */
  ns: string;
  /** IPv4 address on the LAN (no prefix length), e.g. 10.213.7.11 */
  address: string;
  /** the host's interface onto the LAN (inside `ns`) */
  iface: string;
}

export interface RunResult {
  code: number | null;
  /** the signal that ended the process, if one did */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** default 10 000 ms; on expiry the process group is killed and the promise rejects */
  timeoutMs?: number;
  /** written to stdin, which is then closed (stdin is closed at once without it) */
  input?: string;
  /** the environment, as for child_process.spawn (replaces, does not extend, process.env) */
  env?: NodeJS.ProcessEnv;
}

export interface SetLinkOptions {
  /**
   * 'switch' (default): set the bridge port facing the host down or up, i.e. pull the cable.
   * The host's interface stays configured (addresses, routes) and only loses carrier, so the
   * host's processes get no errors: what they send goes nowhere and nothing reaches them.
   *
   * 'host': set the host's own interface down or up. The kernel flushes the routes through a
   * down interface, and sends then fail with ENETUNREACH; on `up` the harness puts the
   * multicast and default routes back.
   */
  at?: 'switch' | 'host';
}

export interface Lan {
  /** fzt<pid>-<n>[-label]; every namespace of this LAN starts with it */
  id: string;
  /** the namespace holding the bridge */
  switchNs: string;
  /** a.b.c.0/24 */
  subnet: string;
  hosts: LanHost[];
  /**
   * Spawns `command args` inside the host's namespace (`ip netns exec <ns> command args`), in a
   * process group of its own (detached), tracked so that destroy() kills it with its children.
   */
  spawn(host: LanHost, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Runs to completion inside the namespace; rejects on timeout, after killing its process group. */
  run(host: LanHost, command: string, args: string[], options?: RunOptions): Promise<RunResult>;
  /** Takes a host off the LAN (up = false) or puts it back (up = true); see SetLinkOptions. */
  setLink(host: LanHost, up: boolean, options?: SetLinkOptions): Promise<void>;
  /**
   * Kills every process spawned into the LAN (SIGTERM to the process groups and to anything else
   * inside the LAN's namespaces, SIGKILL after a grace), then deletes every namespace, and with
   * them every link, the LAN created. Idempotent: later calls return the first call's promise.
   */
  destroy(): Promise<void>;
}

export interface CreateLanOptions {
  /** number of hosts, 1…200 */
  hosts: number;
  /** a few letters to recognise the LAN's namespaces by in `ip netns list` */
  label?: string;
  /** a.b.c.0/24; default 10.213.X.0/24 with X from the pid (collisions are harmless: LANs are isolated) */
  subnet?: string;
}

/** An `ip` command that failed: the command line, its exit status and its stderr. */
export class IpError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | string | null,
    readonly stderr: string,
    readonly input?: string,
  ) {
    super(
      `\`ip ${args.join(' ')}\` failed (${code === null ? 'killed' : `exit ${code}`})` +
        (stderr.trim() ? `: ${stderr.trim()}` : '') +
        (input ? `\n  batch input:\n${input.replace(/^/gm, '    ')}` : ''),
    );
    this.name = 'IpError';
  }
}

const PREFIX = 'fzt';
/** namespaces made by this harness: fzt<pid>-<rest> */
const NAME_RE = /^fzt(\d+)-/;
const BRIDGE = 'fzt-br';
const IP_TIMEOUT_MS = 10_000;
const UP_TIMEOUT_MS = 5_000;
const TERM_GRACE_MS = 1_000;
const KILL_WAIT_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function ip(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', args, { timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 16 << 20, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
      const detail = e.killed ? `${stderr}\n(killed after ${IP_TIMEOUT_MS} ms)` : stderr || e.message;
      reject(new IpError(args, e.killed ? null : (e.code ?? null), detail, input));
    });
    child.stdin?.on('error', () => {}); // EPIPE if ip dies early; the exit status reports it
    child.stdin?.end(input ?? '');
  });
}

/** `ip <args> -batch -`: many commands, one process. Stops at the first failing line. */
const ipBatch = (args: string[], lines: string[]) => ip([...args, '-batch', '-'], lines.join('\n') + '\n');

function ipSync(args: string[]): string {
  try {
    return execFileSync('ip', args, { timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    throw new IpError(args, e.status ?? e.code ?? null, String(e.stderr ?? '') || e.message);
  }
}

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* ESRCH: gone already */
  }
}

/** Alive = exists and is not a zombie (a zombie has run its exit handlers; its parent just has not reaped it). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const parsePids = (text: string) =>
  text
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0 && pid !== process.pid);

const parseNetnsList = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((name): name is string => !!name);

// ---------------------------------------------------------------------------------------------
// Availability

let unavailable: { reason: string | undefined } | undefined;

/**
 * undefined if network namespaces can be used here, else why not (for `test(…, { skip })`):
 * not Linux, not root, no `ip`, or creating a probe namespace with a bridge and a veth pair in it
 * fails. Probed once per process.
 */
export function netnsUnavailable(): string | undefined {
  unavailable ??= { reason: probe() };
  return unavailable.reason;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const uid = process.getuid?.();
  if (uid !== 0) return `not root (uid ${uid}): network namespaces need root`;
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? '`ip` (iproute2) not found on PATH' : `\`ip -V\` failed: ${e.message}`;
  }
  const name = `${PREFIX}${process.pid}-probe`;
  try {
    ipSync(['netns', 'add', name]);
  } catch (error) {
    return `cannot create a network namespace: ${(error as Error).message}`;
  }
  try {
    ipSync(['-n', name, 'link', 'add', BRIDGE, 'type', 'bridge']);
    ipSync(['-n', name, 'link', 'add', 'fzt-p0', 'type', 'veth', 'peer', 'name', 'fzt-h0']);
    return undefined;
  } catch (error) {
    return `cannot create a bridge or a veth pair in a network namespace: ${(error as Error).message}`;
  } finally {
    try {
      ipSync(['netns', 'del', name]);
    } catch {
      /* swept by the next process's sweepStale() */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stale namespaces

/**
 * The sweep lock: an abstract Unix socket (Linux) bound while a process sweeps. The kernel frees
 * it when its holder dies, so a lock is never left stale; all the harness's callers run in the
 * root network namespace, where the name lives.
 */
const SWEEP_LOCK = '\0fzt-netns-sweep';
let sweepLock: Server | undefined;

function tryLock(): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen(SWEEP_LOCK, () => resolve(server.unref()));
  });
}

/**
 * Holds off every other process's sweep until the returned release is called (waiting, bounded,
 * for one under way to finish): for a test that inspects what a killed process left before
 * sweeping it itself. This process's own sweepStale() still runs.
 */
export async function holdSweeps(): Promise<() => Promise<void>> {
  if (sweepLock) throw new Error('holdSweeps: already held by this process');
  const deadline = Date.now() + IP_TIMEOUT_MS;
  while (!(sweepLock = await tryLock())) {
    if (Date.now() > deadline) throw new Error(`holdSweeps: another process held the sweep lock for ${IP_TIMEOUT_MS} ms`);
    await sleep(20);
  }
  const held = sweepLock;
  return () => {
    sweepLock = undefined;
    return new Promise<void>((resolve) => held.close(() => resolve()));
  };
}

/**
 * Deletes `fzt<pid>-…` namespaces whose pid is no longer alive (left by a process killed before
 * it could clean up), after SIGKILLing any process still inside them, and those named with this
 * process's pid that none of its LANs holds (left by an earlier process with the same pid: pids
 * are reused). Returns the names deleted. Namespaces of other live processes are left alone, and
 * dead processes' too while another process holds the sweep lock (holdSweeps; two sweeps never
 * race): the next createLan sweeps them.
 */
export async function sweepStale(): Promise<string[]> {
  let names: string[];
  try {
    names = parseNetnsList(await ip(['netns', 'list']));
  } catch {
    return [];
  }
  const lock = sweepLock ? undefined : await tryLock();
  const mayTouchOthers = sweepLock !== undefined || lock !== undefined;
  const ours = new Set([...live].flatMap((lan) => lan.namespaces));
  const stale = names.filter((name) => {
    const m = NAME_RE.exec(name);
    if (!m) return false;
    const pid = Number(m[1]);
    if (pid === process.pid) return !ours.has(name);
    return mayTouchOthers && !pidAlive(pid);
  });
  const swept: string[] = [];
  try {
    await Promise.all(
      stale.map(async (name) => {
        try {
          for (const pid of parsePids(await ip(['netns', 'pids', name]))) killPid(pid, 'SIGKILL');
          await ip(['netns', 'del', name]);
          swept.push(name);
        } catch {
          /* deleted meanwhile (by hand, or by this process's own LAN teardown) */
        }
      }),
    );
  } finally {
    await new Promise<void>((resolve) => (lock ? lock.close(() => resolve()) : resolve()));
  }
  return swept.sort();
}

// ---------------------------------------------------------------------------------------------
// Emergency cleanup: process exit and fatal signals

const live = new Set<LanImpl>();
let handlersInstalled = false;

function cleanupAllSync(): void {
  for (const lan of [...live]) lan.destroySync();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      cleanupAllSync();
      // Keep the default behaviour (die of the signal) unless someone else also listens.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

// ---------------------------------------------------------------------------------------------
// The LAN

let lanCounter = 0;

function parseSubnet(subnet: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!m || m.slice(1).some((octet) => Number(octet) > 255)) throw new Error(`subnet must be a.b.c.0/24, got ${JSON.stringify(subnet)}`);
  return `${m[1]}.${m[2]}.${m[3]}`;
}

class LanImpl implements Lan {
  readonly hosts: LanHost[] = [];
  readonly switchNs: string;
  /** every namespace this LAN may have created (deleting one that was never made is harmless) */
  readonly namespaces: string[] = [];
  private readonly ports = new Map<LanHost, string>();
  private readonly children = new Set<ChildProcess>();
  private destroying: Promise<void> | undefined;

  constructor(
    readonly id: string,
    readonly subnet: string,
    base: string,
    count: number,
  ) {
    this.switchNs = `${id}-sw`;
    this.namespaces.push(this.switchNs);
    for (let i = 1; i <= count; i++) {
      const host: LanHost = { name: `h${i}`, ns: `${id}-h${i}`, address: `${base}.${10 + i}`, iface: `fzt-h${i}` };
      this.hosts.push(host);
      this.ports.set(host, `fzt-p${i}`);
      this.namespaces.push(host.ns);
    }
  }

  async build(): Promise<void> {
    // One `ip -batch` for all the namespaces: `ip netns add` sets up /run/netns on first use, and
    // several racing first uses (parallel ip processes) could stack mounts there.
    await ipBatch(
      [],
      this.namespaces.map((ns) => `netns add ${ns}`),
    );
    // IPv6 off for every interface created from now on (the veths and the bridge), so no DAD,
    // router solicitations or MLD reports; lo already exists and keeps ::1. Skipped if the
    // kernel has no IPv6.
    const noIpv6 = 'f=/proc/sys/net/ipv6/conf/default/disable_ipv6; if [ -e $f ]; then echo 1 > $f; fi';
    await Promise.all(this.namespaces.map((ns) => this.sh(ns, noIpv6)));

    const switchSide = [`link add ${BRIDGE} type bridge stp_state 0 forward_delay 0 mcast_snooping 0`];
    for (const host of this.hosts) {
      const port = this.port(host);
      switchSide.push(`link add ${port} type veth peer name ${host.iface} netns ${host.ns}`, `link set ${port} master ${BRIDGE} up`);
    }
    switchSide.push(`link set ${BRIDGE} up`);
    await ipBatch(['-n', this.switchNs], switchSide);

    await Promise.all(
      this.hosts.map((host) =>
        ipBatch(
          ['-n', host.ns],
          [
            'link set lo up',
            `addr add ${host.address}/24 dev ${host.iface}`,
            `link set ${host.iface} up`,
            `route add 224.0.0.0/4 dev ${host.iface}`,
            `route add default dev ${host.iface}`,
          ],
        ),
      ),
    );
    await this.waitUp(this.hosts);
  }

  private port(host: LanHost): string {
    const port = this.ports.get(host);
    if (!port) throw new Error(`${host.name} (${host.ns}) is not a host of LAN ${this.id}`);
    return port;
  }

  private async sh(ns: string, script: string): Promise<void> {
    await ip(['netns', 'exec', ns, 'sh', '-c', script]);
  }

  /** Polls until each host's interface has carrier and its bridge port forwards; bounded. */
  private async waitUp(hosts: LanHost[]): Promise<void> {
    const deadline = Date.now() + UP_TIMEOUT_MS;
    let pending: string[] = [];
    for (;;) {
      const ports = await ip(['-n', this.switchNs, '-d', '-o', 'link', 'show', 'master', BRIDGE]);
      const forwarding = new Set(
        ports
          .split('\n')
          .filter((line) => /bridge_slave state forwarding/.test(line))
          .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1]),
      );
      const links = await Promise.all(hosts.map((h) => ip(['-n', h.ns, '-o', 'link', 'show', 'dev', h.iface])));
      pending = hosts
        .filter((h, i) => !/[<,]LOWER_UP[,>]/.test(links[i]) || !/[<,]UP[,>]/.test(links[i]) || !forwarding.has(this.port(h)))
        .map((h) => `${h.name} (${h.iface} in ${h.ns}, port ${this.port(h)})`);
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`LAN ${this.id}: links not up and forwarding after ${UP_TIMEOUT_MS} ms: ${pending.join(', ')}`);
      await sleep(10);
    }
  }

  spawn(host: LanHost, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    this.port(host);
    if (this.destroying !== undefined) throw new Error(`LAN ${this.id} is destroyed`);
    // detached: a process group of its own (ip netns exec execs the command, so the group
    // leader is the command itself), so that the whole group can be killed.
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { ...options, detached: true });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  run(host: LanHost, command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    const { timeoutMs = 10_000, input, env } = options;
    const what = `ip netns exec ${host.ns} ${[command, ...args].join(' ')}`;
    const child = this.spawn(host, command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        fn();
      };
      const timeoutError = () => new Error(`timed out after ${timeoutMs} ms (killed): ${what}\n  stdout: ${stdout.trim()}\n  stderr: ${stderr.trim()}`);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
      child.stdin?.on('error', () => {}); // EPIPE if it exits without reading
      child.stdin?.end(input ?? '');
      timers.push(
        setTimeout(() => {
          timedOut = true;
          if (child.pid) killPid(-child.pid, 'SIGKILL');
          // 'close' waits for stdout/stderr to close; should something outside the group hold
          // them open, do not wait for ever.
          timers.push(setTimeout(() => settle(() => reject(timeoutError())), KILL_WAIT_MS));
        }, timeoutMs),
      );
      child.once('error', (error) => settle(() => reject(new Error(`cannot run ${what}: ${error.message}`))));
      child.once('close', (code, signal) => settle(() => (timedOut ? reject(timeoutError()) : resolve({ code, signal, stdout, stderr }))));
    });
  }

  async setLink(host: LanHost, up: boolean, options: SetLinkOptions = {}): Promise<void> {
    const state = up ? 'up' : 'down';
    if ((options.at ?? 'switch') === 'switch') {
      await ip(['-n', this.switchNs, 'link', 'set', 'dev', this.port(host), state]);
    } else {
      this.port(host);
      await ip(['-n', host.ns, 'link', 'set', 'dev', host.iface, state]);
      // A down interface loses the routes through it; the kernel puts back only the subnet's.
      if (up) {
        await ipBatch(['-n', host.ns], [`route replace 224.0.0.0/4 dev ${host.iface}`, `route replace default dev ${host.iface}`]);
      }
    }
    if (up) await this.waitUp([host]);
  }

  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  private async pidsInside(): Promise<number[]> {
    const lists = await Promise.all(this.namespaces.map((ns) => ip(['netns', 'pids', ns]).catch(() => '')));
    return lists.flatMap(parsePids);
  }

  private async killAll(signal: NodeJS.Signals, waitMs: number): Promise<boolean> {
    for (const child of this.children) if (child.pid) killPid(-child.pid, signal);
    // Anything else in the LAN's namespaces: children that left the group, `ip netns exec`s
    // started by hand, …
    for (const pid of await this.pidsInside()) killPid(pid, signal);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.children.size === 0 && (await this.pidsInside()).length === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
  }

  private async teardown(): Promise<void> {
    try {
      if (!(await this.killAll('SIGTERM', TERM_GRACE_MS))) await this.killAll('SIGKILL', KILL_WAIT_MS);
      // Deleting a namespace deletes its virtual links (veth pairs go with either end, the
      // bridge with the switch namespace); none is ever moved to the root namespace.
      const failures: string[] = [];
      await Promise.all(
        this.namespaces.map((ns) =>
          ip(['netns', 'del', ns]).catch((error: IpError) => {
            if (!/No such file/.test(error.stderr)) failures.push(error.message);
          }),
        ),
      );
      const left = parseNetnsList(await ip(['netns', 'list'])).filter((ns) => this.namespaces.includes(ns));
      if (failures.length || left.length) throw new Error(`LAN ${this.id}: cleanup incomplete (left: ${left.join(', ') || 'none'})\n${failures.join('\n')}`);
    } finally {
      live.delete(this);
    }
  }

  /** For the exit and signal handlers: no event loop, so everything synchronous, errors ignored. */
  destroySync(): void {
    live.delete(this);
    for (const child of this.children) if (child.pid) killPid(-child.pid, 'SIGKILL');
    for (const ns of this.namespaces) {
      try {
        for (const pid of parsePids(ipSync(['netns', 'pids', ns]))) killPid(pid, 'SIGKILL');
      } catch {
        /* never created */
      }
      try {
        ipSync(['netns', 'del', ns]);
      } catch {
        /* never created, or already deleted */
      }
    }
  }
}

/**
 * Creates a LAN of `hosts` hosts (see the top of this file), once every link is up and every
 * bridge port forwards. On failure deletes whatever it had created and rethrows.
 */
export async function createLan(options: CreateLanOptions): Promise<Lan> {
  const reason = netnsUnavailable();
  if (reason) throw new Error(`network namespaces unavailable: ${reason}`);
  const count = options.hosts;
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`hosts must be an integer in 1…200, got ${count}`);
  const label = options.label
    ?.toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 12);
  const n = ++lanCounter;
  const id = `${PREFIX}${process.pid}-${n}${label ? `-${label}` : ''}`;
  const subnet = options.subnet ?? `10.213.${((process.pid + n) % 254) + 1}.0/24`;
  const base = parseSubnet(subnet);

  await sweepStale();
  const lan = new LanImpl(id, subnet, base, count);
  installHandlers();
  live.add(lan);
  try {
    await lan.build();
  } catch (error) {
    await lan.destroy().catch(() => lan.destroySync());
    throw error;
  }
  return lan;
}
