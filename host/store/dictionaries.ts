import type { Statement } from 'better-sqlite3';
import type { CompactDictionary, DictionaryItem } from '../../firmware/batch/compact-dictionary.js';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import type { Db } from './open-cartridge.js';

/** A node changes its dictionary when its sensors change; the few latest are enough. */
const KEEP_PER_NODE = 16;

/**
 * The compact-batch dictionaries each node has sent whole, kept so its later
 * batches can name them by hash (and kept across restarts, so a node is not
 * asked again). Read through a small map: every compact batch looks one up.
 */
export class DictionaryStore {
  private readonly select: Statement<[string, Uint8Array], Buffer>;
  private readonly insert: Statement<[string, Uint8Array, Uint8Array, number]>;
  private readonly prune: Statement<[string, string, number]>;
  private readonly cache = new Map<string, CompactDictionary>();

  constructor(db: Db) {
    this.select = db.prepare<[string, Uint8Array], Buffer>('SELECT items FROM dictionaries WHERE node = ? AND hash = ?').pluck();
    this.insert = db.prepare('INSERT OR IGNORE INTO dictionaries (node, hash, items, kept_at) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare(`DELETE FROM dictionaries WHERE node = ? AND hash NOT IN
      (SELECT hash FROM dictionaries WHERE node = ? ORDER BY kept_at DESC LIMIT ?)`);
  }

  get(node: string, hash: Uint8Array): CompactDictionary | undefined {
    const key = `${node}/${toHex(hash)}`;
    let d = this.cache.get(key);
    if (!d) {
      const items = this.select.get(node, hash);
      if (!items) return undefined;
      d = { items: decodeCbor(new Uint8Array(items)) as DictionaryItem[], hash: new Uint8Array(hash) };
      this.remember(key, d);
    }
    return d;
  }

  /** Keeps a dictionary a node sent whole with a batch the hub accepted. */
  keep(node: string, d: CompactDictionary, now: number): void {
    const key = `${node}/${toHex(d.hash)}`;
    if (this.cache.has(key)) return;
    if (this.insert.run(node, d.hash, encodeCbor(d.items), now).changes > 0) this.prune.run(node, node, KEEP_PER_NODE);
    this.remember(key, d);
  }

  private remember(key: string, d: CompactDictionary): void {
    if (this.cache.size >= 1024) this.cache.clear();
    this.cache.set(key, d);
  }
}
