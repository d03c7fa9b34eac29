import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CARTRIDGE_FILE } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, TestNode } from '../hub/helpers.js';

/** A reading value no other row holds: its 8 bytes (SQLite stores a REAL big-endian) find its row in the file. */
export const MARKED_VALUE = 23.456789012345;

/** The bytes of MARKED_VALUE as SQLite writes them in a record. */
export function markedBytes(): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(MARKED_VALUE);
  return b;
}

/**
 * A hub folder whose cartridge holds one node's 60 readings in three signed
 * batches (checkpoints 1..20, 21..40, 41..60), seq 45 the marked value.
 * The cartridge is closed, so its WAL is folded into the one file.
 */
export function goodFolder(dir: string): { dir: string; file: string; node: TestNode } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, CARTRIDGE_FILE);
  const node = new TestNode(91);
  node.append(44);
  node.record(
    'sensor.reading',
    'bme280',
    { name: 'temperature', unit: 'Cel', value: MARKED_VALUE, quality: 'good', time: 1_767_300_000_000 },
    1_767_300_000_000,
  );
  node.append(15);
  const c = Cartridge.open(file, { crypto });
  try {
    c.addNode(node.identity.publicKey, { name: 'marked' });
    for (const [a, b] of [
      [1, 20],
      [21, 40],
      [41, 60],
    ])
      c.ingestBatch(node.batch(a, b));
  } finally {
    c.close();
  }
  return { dir, file, node };
}

/** Every offset of `needle` in `hay`. */
export function offsetsOf(hay: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) out.push(at);
  return out;
}

/** Flips the last byte of the marked value inside its record (the row's payload, not its page's structure). */
export function flipMarkedValue(file: string): void {
  const bytes = readFileSync(file);
  const at = offsetsOf(bytes, markedBytes());
  assert.ok(at.length >= 1, 'the marked value is in the file');
  for (const o of at) bytes[o + 7] ^= 0x01;
  writeFileSync(file, bytes);
}

/** Overwrites the b-tree page header's type byte of the page holding the marked row (0 is no page type). */
export function breakMarkedPage(file: string): { page: number } {
  const bytes = readFileSync(file);
  const size = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
  const [at] = offsetsOf(bytes, markedBytes());
  assert.ok(at !== undefined, 'the marked value is in the file');
  const page = Math.floor(at / size);
  assert.ok(page > 0, 'the marked row is not on the schema page');
  bytes[page * size] = 0x00;
  writeFileSync(file, bytes);
  return { page: page + 1 };
}
