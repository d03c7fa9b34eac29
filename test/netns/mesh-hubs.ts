/**
 * Hubs that replicate each other on a namespaced LAN, for test/netns/mesh-lan.test.ts:
 * each a `fazt hub --mesh` process with its own data folder, paired through the real
 * `fazt mesh pair` CLI, and simulated nodes (firmware in XS, fixtures/mesh-node.ts) on
 * a fast simulated clock. What they stored is read from each cartridge.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { dataDir, faztJson, startFazt, startLanProcess, type LanProcess } from '../helpers/lan-fazt.js';
import { createLan, type Lan, type LanHost } from '../helpers/netns.js';

export const PORT = 7070;

/** Every folder made here (data, configurations, invites), removed by removeScratch(). */
const scratch: string[] = [];
const scratchDir = (label: string): string => {
  const dir = dataDir(label);
  scratch.push(dir);
  return dir;
};

/** Removes every folder made so far (from t.after, once the processes using them have stopped). */
export function removeScratch(): void {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}
const FIXTURE = new URL('./fixtures/mesh-node.ts', import.meta.url).pathname;
const ENROL = new URL('./fixtures/enrol-node.ts', import.meta.url).pathname;

export interface MeshHub {
  name: string;
  host: LanHost;
  dir: string;
  url: string;
  proc: LanProcess;
  id: string;
}

/** Starts `fazt hub FLAGS` (the mesh's: --mesh or --mesh-nats) on `host`, listening on every address of its namespace. */
export async function startHub(lan: Lan, host: LanHost, name: string, flags: string[]): Promise<MeshHub> {
  const dir = scratchDir(name);
  const proc = startFazt(lan, host, ['hub', '--data', dir, '--listen', `0.0.0.0:${PORT}`, ...flags]);
  await proc.waitOut(/listening on/, 30_000);
  const id = (await proc.waitOut(/^hub (fz\S+)/))[1];
  return { name, host, dir, url: `http://${host.address}:${PORT}`, proc, id };
}

/** Runs `fazt ARGS --json` on the hub's host as its owner (the token from its data folder). */
export const onHub = <T>(lan: Lan, h: MeshHub, args: string[]): Promise<T> => faztJson<T>(lan, h.host, [...args, '--data', h.dir]);

/** Pairs `x` and `y` the way an owner does: an invite made on x, accepted on y (each told the other's LAN address). */
export async function pair(lan: Lan, x: MeshHub, y: MeshHub): Promise<void> {
  const invite = await onHub<{ token: string }>(lan, x, ['mesh', 'pair', '--url', x.url, '--ttl', '10m']);
  const accepted = await onHub<{ hub: string }>(lan, y, ['mesh', 'pair', '--accept', invite.token, '--self', y.url, '--name', y.name]);
  if (accepted.hub !== x.id) throw new Error(`${y.name} paired with ${accepted.hub}, not ${x.name} (${x.id})`);
}

/**
 * A node configuration for `hub` (fazt invite + fazt node init): an SHT4x read every
 * `interval`, uplinking to `url` in batches of up to 64 at least every second, with a
 * buffer of `budgetBytes`. Returns the file and the node's id.
 */
export async function nodeConfig(
  lan: Lan,
  hub: MeshHub,
  url: string,
  name: string,
  interval: string,
  budgetBytes: number,
): Promise<{ file: string; id: string }> {
  const dir = scratchDir(`cfg-${name}`);
  const invite = join(dir, 'invite.json');
  writeFileSync(invite, JSON.stringify(await onHub<Record<string, unknown>>(lan, hub, ['invite'])));
  const file = join(dir, 'node.json');
  const made = await faztJson<{ id: string }>(lan, hub.host, [
    'node',
    'init',
    '--board',
    'esp32-devkitc',
    '--sensor',
    'sht4x@0x44',
    '--interval',
    interval,
    '--invite',
    invite,
    '--hub-url',
    url,
    '--name',
    name,
    '-o',
    file,
  ]);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...doc, uplink: { batchSize: 64, maxDelayMs: 1000 }, buffer: { budgetBytes } }, null, 2), { mode: 0o600 });
  return { file, id: made.id };
}

/**
 * The same device configuration made for another hub (its key, url and invite), but holding
 * `of`'s secret key: a second device cloned from one key.
 */
export async function cloneConfig(lan: Lan, of: string, hub: MeshHub, url: string, name: string): Promise<string> {
  const made = await nodeConfig(lan, hub, url, name, '100ms', 1 << 20);
  const secretKey = (JSON.parse(readFileSync(of, 'utf8')) as { secretKey: string }).secretKey;
  const doc = JSON.parse(readFileSync(made.file, 'utf8')) as Record<string, unknown>;
  writeFileSync(made.file, JSON.stringify({ ...doc, secretKey }, null, 2), { mode: 0o600 });
  return made.file;
}

/** Enrols the keys of node configurations `files` with `hub` too, each with an invite made there (fixtures/enrol-node.ts). */
export async function enrolAlso(lan: Lan, files: string[], hub: MeshHub): Promise<void> {
  if (files.length === 0) return;
  const dir = scratchDir(`invites-${hub.name}`);
  const args: string[] = [];
  for (const [i, file] of files.entries()) {
    const invite = join(dir, `invite${i}.json`);
    writeFileSync(invite, JSON.stringify(await onHub<Record<string, unknown>>(lan, hub, ['invite'])));
    args.push(file, invite);
  }
  const r = await lan.run(hub.host, process.execPath, ['--import', 'tsx', ENROL, `http://127.0.0.1:${PORT}`, ...args], { timeoutMs: 30_000, env: process.env });
  if (r.code !== 0) throw new Error(`enrolling with ${hub.name}: ${r.stderr.trim()}`);
}

/** What fixtures/mesh-node.ts prints. */
export interface NodeLine {
  event: string;
  node?: string;
  head?: number;
  buffered?: number;
  sent?: number;
  acked?: number;
  stage?: string;
  code?: string;
}

export interface SimNode {
  proc: LanProcess;
  lines(): NodeLine[];
  /** The last status line (status or stopped). */
  last(): NodeLine | undefined;
}

/** Runs a node configuration in XS on `host`, uplinking to `url`. */
export function startNode(lan: Lan, host: LanHost, file: string, url: string): SimNode {
  const proc = startLanProcess(lan, host, process.execPath, ['--import', 'tsx', FIXTURE, file, url], 'mesh-node');
  const lines = () =>
    proc.out.flatMap((l) => {
      try {
        return [JSON.parse(l) as NodeLine];
      } catch {
        return [];
      }
    });
  return {
    proc,
    lines,
    last: () =>
      lines()
        .filter((l) => l.event === 'status' || l.event === 'stopped')
        .at(-1),
  };
}

/** Every chain's head in a hub's cartridge (node id → "seq:hash"), read while the hub runs. */
export function heads(h: MeshHub): Map<string, string> {
  const db = new Database(join(h.dir, CARTRIDGE_FILE), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, head_seq, hex(head_hash) AS hash FROM nodes WHERE head_seq > 0 AND head_hash IS NOT NULL').all() as {
      id: string;
      head_seq: number;
      hash: string;
    }[];
    return new Map(rows.map((r) => [r.id, `${r.head_seq}:${r.hash}`]));
  } finally {
    db.close();
  }
}

/** The forks a hub recorded: "node@seq" each, sorted. */
export function forks(h: MeshHub): string[] {
  const db = new Database(join(h.dir, CARTRIDGE_FILE), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT DISTINCT node, seq FROM mesh_forks ORDER BY node, seq').all() as { node: string; seq: number }[]).map(
      (r) => `${r.node}@${r.seq}`,
    );
  } finally {
    db.close();
  }
}

/** A digest of every stored entry of `node` (seq and id, the id being the entry's hash), from a stopped hub's cartridge. */
export function chainDigest(h: MeshHub, node: string): { count: number; digest: string } {
  const c = Cartridge.open(join(h.dir, CARTRIDGE_FILE), { crypto: nodeCrypto });
  try {
    const text = [...c.chain(node)].map((e) => `${e.seq}:${e.id}`);
    return { count: text.length, digest: Buffer.from(nodeCrypto.sha256(new TextEncoder().encode(text.join(',')))).toString('hex') };
  } finally {
    c.close();
  }
}

/**
 * Why `tc qdisc … netem` cannot shape a link here (undefined if it can): tried on a throwaway
 * one-host LAN. Kernels built without sch_netem answer "Specified qdisc kind is unknown".
 */
export async function netemUnavailable(): Promise<string | undefined> {
  const lan = await createLan({ hosts: 1, label: 'netem' });
  try {
    const [h] = lan.hosts;
    const r = await lan.run(h, 'tc', ['qdisc', 'add', 'dev', h.iface, 'root', 'netem', 'delay', '1ms']).catch((e: Error) => ({ code: -1, stderr: e.message }));
    return r.code === 0 ? undefined : `tc netem is unavailable here (${r.stderr.trim() || `exit ${r.code}`}): loss and delay cannot be added to a link`;
  } finally {
    await lan.destroy();
  }
}
