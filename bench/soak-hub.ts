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
  /** SIGTERM, and its exit. */
  stop(): Promise<void>;
}

export async function startSoakHub(dataDir: string, nodes: { publicKey: Uint8Array; name: string }[]): Promise<SoakHub> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const cartridge = join(dataDir, 'fazt.db');
  const store = Cartridge.open(cartridge);
  for (const n of nodes) store.addNode(n.publicKey, { name: n.name, board: 'esp32-devkitc' });
  store.close();
  const child = spawn(process.execPath, [cli, 'hub', '--data', dataDir, '--listen', '127.0.0.1:0', '--pulse-every', '1m'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr.resume(); // its log lines: enrolments, refusals, silences
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
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
