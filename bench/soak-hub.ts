/**
 * The hub of bench/soak: the built CLI (`node dist/fazt.js hub`, as a Pi
 * runs it: percepts, rules and Pulse on, here a beat a minute) in its own
 * process, so the figures read from /proc/<pid> are the hub's alone. The
 * bench's nodes are enrolled through the store's enrolment API before it
 * starts (as bench/ingest does) and its rules are added over HTTP with the
 * owner token, as `fazt rules add` does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Cartridge } from '../host/store/cartridge.js';
import { hundredRules } from './rule-fixtures.js';

const cli = new URL('../dist/fazt.js', import.meta.url).pathname;

export interface SoakHub {
  process: ChildProcess;
  pid: number;
  url: string;
  cartridge: string;
  /** The owner token's Authorization header. */
  auth: { authorization: string };
  rules: number;
  /** The hub's log lines saying it dropped an event stream client (its stream bounds), so far. */
  streamDrops: string[];
  /** SIGTERM, and its exit. */
  stop(): Promise<void>;
}

/**
 * `profileDir`: the hub runs under `node --cpu-prof`, its profile written there when it stops. `probe`: it loads
 * bench/soak-probe.ts, which writes its service times and event-loop delays to `file` when it exits.
 */
export async function startSoakHub(
  dataDir: string,
  nodes: { publicKey: Uint8Array; name: string }[],
  probe: { file: string; warmupMs: number },
  profileDir?: string,
): Promise<SoakHub> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const cartridge = join(dataDir, 'fazt.db');
  const store = Cartridge.open(cartridge);
  for (const n of nodes) store.addNode(n.publicKey, { name: n.name, board: 'esp32-devkitc' });
  store.close();
  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const probeArgs = ['--import', 'tsx', '--import', new URL('./soak-probe.ts', import.meta.url).pathname];
  const child = spawn(process.execPath, [...profile, ...probeArgs, cli, 'hub', '--data', dataDir, '--listen', '127.0.0.1:0', '--pulse-every', '1m'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAZT_SOAK_PROBE: probe.file, FAZT_SOAK_WARMUP_MS: String(probe.warmupMs) },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Its log lines (enrolments, refusals, silences): kept are those that say it dropped a stream client.
  const streamDrops: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.includes('stream-dropped')) streamDrops.push(line);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = / listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`fazt hub exited (${code}) before listening: ${out}`)));
  });
  const auth = { authorization: `Bearer ${readFileSync(join(dataDir, 'owner.token'), 'utf8').trim()}` };
  // Twenty of bench/rules' hundred: numeric with hysteresis and `for`, numeric with a condition, state with a cooldown.
  const docs = hundredRules(nodes.map((n) => n.name)).slice(0, 20);
  for (const doc of docs) {
    const res = await fetch(`${url}/v1/rules`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    if (!res.ok) throw new Error(`the hub refused rule ${String(doc.id)}: ${res.status} ${await res.text()}`);
  }
  return {
    process: child,
    pid: child.pid as number,
    url,
    cartridge,
    auth,
    rules: docs.length,
    streamDrops,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
