import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { isValueMap, type Value } from '../../firmware/codec/value.js';
import { nodeIdFromPublicKey } from '../../firmware/identity/node-id.js';
import { FaztError } from '../../hal/contracts/errors.js';
import { nodeCrypto } from '../crypto/node-crypto.js';
import { CARTRIDGE_FILE } from '../hub/hub.js';
import { Cartridge } from '../store/cartridge.js';

/**
 * A batch heard over sound, into a hub exactly as if it came over HTTP:
 * POSTed to a running hub's /v1/uplink as application/cbor, or (the hub not
 * running) into its cartridge through Cartridge.ingest. Either way the same
 * schema, verification and refusal codes as any uplink; a refusal throws a
 * FaztError with the hub's code and stores nothing.
 */
export type IngestTarget = { hub: string } | { data: string };

export interface IngestAnswer {
  /** The node, when the batch names it. */
  node?: string;
  /** How many entries this batch added. */
  stored: number;
  /** The node's highest contiguous seq the hub now holds. */
  ack: number;
}

/** What a message that is not a batch carries, in words. */
function kindOf(v: Value): string {
  if (typeof v === 'string') return 'text';
  if (isValueMap(v) && typeof v.file === 'string' && v.data instanceof Uint8Array) return `the file '${v.file}'`;
  return 'a JSON document';
}

/** The node a batch value names (compact: from its key), or undefined; refuses a value that is not a batch at all. */
function batchNode(v: Value): string | undefined {
  if (Array.isArray(v) && v[0] === 2) return v[1] instanceof Uint8Array && v[1].length === 32 ? nodeIdFromPublicKey(v[1], nodeCrypto) : undefined;
  if (isValueMap(v) && Array.isArray(v.entries)) return typeof v.node === 'string' ? v.node : undefined;
  throw new FaztError('not-a-batch', `the chirp carries ${kindOf(v)}, not a batch: --ingest takes what 'fazt chirp send --batch' sends`);
}

async function postUplink(base: string, bytes: Uint8Array): Promise<{ stored: number; ack: number }> {
  let res: Response;
  try {
    res = await fetch(`${base}/v1/uplink`, {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/cbor' },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new FaztError('io', `cannot reach the hub at ${base} (${cause}): is \`fazt hub\` running there? (--hub URL, or --data DIR when it is not)`);
  }
  const answer = (await res.json().catch(() => ({}))) as { ack?: number; stored?: number; error?: { code: string; message: string } };
  if (!res.ok || typeof answer.ack !== 'number' || typeof answer.stored !== 'number') {
    const e = answer.error;
    throw new FaztError(e?.code ?? 'hub-refused', `the hub refused the batch (HTTP ${res.status}): ${e?.message ?? 'no details'}`);
  }
  return { stored: answer.stored, ack: answer.ack };
}

/** The cartridge file of a hub folder; refuses a folder without one (ingesting would make an empty hub that knows no node). */
export function cartridgeIn(dir: string): string {
  const file = join(dir, CARTRIDGE_FILE);
  if (!existsSync(file)) throw new FaztError('io', `${dir} holds no cartridge (${CARTRIDGE_FILE}): give the folder the hub runs with (fazt hub --data DIR)`);
  return file;
}

function intoCartridge(dir: string, bytes: Uint8Array): { stored: number; ack: number } {
  const cartridge = Cartridge.open(cartridgeIn(dir));
  try {
    const r = cartridge.ingest(bytes);
    return { stored: r.stored, ack: r.ack };
  } finally {
    cartridge.close();
  }
}

/** Ingests the bytes of a received message (already opened, when it was sealed). */
export async function ingestChirped(bytes: Uint8Array, target: IngestTarget): Promise<IngestAnswer> {
  const node = batchNode(decodeCbor(bytes));
  const r = 'hub' in target ? await postUplink(target.hub, bytes) : intoCartridge(target.data, bytes);
  return node === undefined ? r : { node, ...r };
}

/** The answer in one line. */
export function ingestText(a: IngestAnswer, where: string): string {
  const from = a.node ? ` from ${a.node}` : '';
  const what = a.stored === 0 ? `nothing new${from} (already held)` : `${a.stored} entr${a.stored === 1 ? 'y' : 'ies'}${from}`;
  return `${where} stored ${what}; ack ${a.ack}`;
}
