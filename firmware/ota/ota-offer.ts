import { checkObject } from '../../hal/contracts/check-options.js';
import { fromHex } from '../codec/text-encodings.js';
import type { ValueMap } from '../codec/value.js';
import { checkManifest, type FirmwareManifest } from './firmware-manifest.js';

/**
 * The command action that offers a node a firmware image (it rides in the
 * hub-signed answer like any command, firmware/uplink/signed-ack.ts): the
 * manifest's fields, the hub's signature over the manifest (hex) and the
 * chunk size the node downloads it in (POST /v1/firmware/chunk).
 */
export interface OtaOffer {
  op: 'ota';
  board: string;
  version: string;
  size: number;
  /** 64 hex digits. */
  sha256: string;
  /** 128 hex digits: the hub's signature over the manifest. */
  sig: string;
  /** Bytes per chunk. */
  chunk: number;
}

const FIELDS = ['op', 'board', 'version', 'size', 'sha256', 'sig', 'chunk'];
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const MIN_CHUNK = 256;
const MAX_CHUNK = 16_384;

/** Whether an action (not yet checked) is an OTA offer rather than an output's. */
export function isOtaAction(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { op?: unknown }).op === 'ota';
}

/** An offer checked and copied to its own fields; a mistake throws TypeError/RangeError naming the field. */
export function checkOtaOffer(v: unknown, where = 'action'): OtaOffer {
  checkObject(where, v);
  for (const k in v) if (FIELDS.indexOf(k) < 0) throw new TypeError(`${where}.${k} is not a field of an OTA offer (${FIELDS.join(', ')})`);
  if (v.op !== 'ota') throw new TypeError(`${where}.op must be 'ota'`);
  if (typeof v.sha256 !== 'string' || !HEX64.test(v.sha256)) throw new TypeError(`${where}.sha256 must be 64 hex digits`);
  if (typeof v.sig !== 'string' || !HEX128.test(v.sig)) throw new TypeError(`${where}.sig must be 128 hex digits`);
  if (!Number.isSafeInteger(v.chunk) || (v.chunk as number) < MIN_CHUNK || (v.chunk as number) > MAX_CHUNK)
    throw new RangeError(`${where}.chunk must be ${MIN_CHUNK}..${MAX_CHUNK} bytes, got ${String(v.chunk)}`);
  const m = checkManifest({ board: v.board, version: v.version, size: v.size, sha256: fromHex(v.sha256) } as FirmwareManifest, where);
  return { op: 'ota', board: m.board, version: m.version, size: m.size, sha256: v.sha256, sig: v.sig, chunk: v.chunk as number };
}

/** The manifest an offer names. */
export function offerManifest(o: OtaOffer): FirmwareManifest {
  return { board: o.board, version: o.version, size: o.size, sha256: fromHex(o.sha256) };
}

/** The offer as the signed answer carries it (every field, in a fixed set). */
export function offerValue(o: OtaOffer): ValueMap {
  return { op: 'ota', board: o.board, version: o.version, size: o.size, sha256: o.sha256, sig: o.sig, chunk: o.chunk };
}

/** How many chunks an image of `size` bytes is, in chunks of `chunk` bytes. */
export function chunkCount(size: number, chunk: number): number {
  return Math.ceil(size / chunk);
}
