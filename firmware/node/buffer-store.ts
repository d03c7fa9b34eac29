import { entryFromValue } from '../batch/batch.js';
import { decodeCbor } from '../codec/cbor-decode.js';
import { encodeCbor } from '../codec/cbor-encode.js';
import type { Value, ValueMap } from '../codec/value.js';
import { entryToValue, type EventEntry } from '../event/envelope.js';
import type { Preferences } from '../../hal/contracts/preferences.js';
import type { OfflineBuffer } from '../uplink/offline-buffer.js';

/** The Preferences domain the unsent buffer lives in. */
export const BUFFER_DOMAIN = 'fazt-buffer';

export interface BufferStoreOptions {
  /** The most bytes of entries kept across a sleep (default 16 KiB); older ones are dropped, and the loss declared. */
  maxBytes?: number;
  /** Bytes per stored blob (default 3968, under a 4 KiB flash sector and NVS's page). */
  chunkBytes?: number;
  log?: (line: string) => void;
}

/** What a save kept and what it had to drop. */
export interface SavedBuffer {
  entries: number;
  bytes: number;
  /** Blobs actually written (unchanged ones are not rewritten). */
  writes: number;
  dropped?: { from: number; to: number };
}

/** What a restore found: entries put back, or a range that was stored but could not be read (to declare dropped). */
export interface RestoredBuffer {
  entries: number;
  lost?: { from: number; to: number };
}

/**
 * The offline buffer's unsent entries across a deep sleep. An ESP32 in deep
 * sleep keeps only its 8 KiB of RTC memory, which Moddable offers no API for
 * and which a battery change empties, so the entries go to Preferences (NVS
 * in flash) as CBOR blobs of at most chunkBytes, with a small `meta` blob
 * (blob count, seq range, the undeclared gap) written last.
 *
 * Flash wear: NVS appends each write to a 4 KiB page and erases a page only
 * when it is full, spreading erases over its partition; flash sectors last
 * about 100 000 erases. To keep writes rare a blob is written only when its
 * bytes changed: a node whose hub answers every wake leaves an empty buffer
 * and writes nothing, and an outage rewrites only the tail blob and `meta`.
 * The byte cap bounds both the flash used and the time a wake spends
 * writing; beyond it the oldest entries go, and the next batch declares
 * them dropped, as after an overflow in RAM.
 */
export class BufferStore {
  private readonly maxBytes: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly prefs: Preferences,
    private readonly o: BufferStoreOptions = {},
  ) {
    this.maxBytes = o.maxBytes ?? 16 * 1024;
    this.chunkBytes = o.chunkBytes ?? 3968;
    if (!(Number.isInteger(this.maxBytes) && this.maxBytes >= 1024)) throw new RangeError(`maxBytes must be an integer ≥ 1024, got ${this.maxBytes}`);
    if (!(Number.isInteger(this.chunkBytes) && this.chunkBytes >= 256)) throw new RangeError(`chunkBytes must be an integer ≥ 256, got ${this.chunkBytes}`);
  }

  /** Stores what the buffer has not had acknowledged (newest kept within maxBytes). */
  save(buffer: OfflineBuffer): SavedBuffer {
    const all = buffer.peek(buffer.count);
    const encoded = all.map((e) => encodeCbor(entryToValue(e)));
    let start = 0;
    let bytes = encoded.reduce((n, b) => n + b.length, 0);
    while (bytes > this.maxBytes && start < all.length - 1) bytes -= encoded[start++].length;
    let gap = buffer.dropped;
    let dropped: SavedBuffer['dropped'];
    if (start > 0) {
      dropped = { from: all[0].seq, to: all[start - 1].seq };
      gap = { from: gap ? gap.from : dropped.from, to: dropped.to };
      this.o.log?.(`buffer over ${this.maxBytes} bytes for sleep: dropped seq ${dropped.from}..${dropped.to}`);
    }
    const chunks: Value[][] = [];
    let size = this.chunkBytes;
    for (let i = start; i < all.length; i++) {
      if (size + encoded[i].length > this.chunkBytes) {
        chunks.push([]);
        size = 0;
      }
      chunks[chunks.length - 1].push(entryToValue(all[i]));
      size += encoded[i].length;
    }
    let writes = 0;
    chunks.forEach((parts, i) => {
      if (this.put(`c${i}`, encodeCbor(parts))) writes++;
    });
    // Blobs past the new count go; their number comes from the old meta, since Moddable's
    // Preference.keys() answers [] on an ESP32 (modules/files/preference/esp32).
    for (let i = chunks.length; i < this.storedCount(); i++) this.prefs.delete(BUFFER_DOMAIN, `c${i}`);
    const meta: ValueMap = { n: chunks.length };
    if (chunks.length) {
      meta.first = all[start].seq;
      meta.last = all[all.length - 1].seq;
    }
    if (gap) meta.gap = [gap.from, gap.to];
    if (this.put('meta', encodeCbor(meta))) writes++;
    const out: SavedBuffer = { entries: all.length - start, bytes, writes };
    if (dropped) out.dropped = dropped;
    return out;
  }

  /**
   * Puts the stored entries back into an empty buffer, queued at `at`, with
   * the gap they carried. A store that cannot be read (a write cut by power
   * loss, a corrupt blob) is not guessed at: its seq range comes back as
   * `lost`, for the caller to declare dropped.
   */
  restore(buffer: OfflineBuffer, at: number): RestoredBuffer {
    const m = this.prefs.get(BUFFER_DOMAIN, 'meta');
    if (!(m instanceof Uint8Array)) return { entries: 0 };
    let meta: ValueMap;
    try {
      meta = decodeCbor(m) as ValueMap;
    } catch (e) {
      this.o.log?.(`stored buffer unreadable (${(e as Error).message}): discarded`);
      return { entries: 0 };
    }
    const n = meta.n as number;
    const first = meta.first as number | undefined;
    const last = meta.last as number | undefined;
    const gap = meta.gap as number[] | undefined;
    let entries: EventEntry[];
    try {
      entries = this.read(n);
      if (n > 0 && (entries.length === 0 || entries[0].seq !== first || entries[entries.length - 1].seq !== last))
        throw new RangeError(`stored seqs ${entries[0]?.seq}..${entries[entries.length - 1]?.seq} are not the ${first}..${last} recorded`);
    } catch (e) {
      this.o.log?.(`stored buffer unreadable (${(e as Error).message}): declaring it dropped`);
      const from = gap ? gap[0] : first;
      return from !== undefined && last !== undefined ? { entries: 0, lost: { from, to: last } } : { entries: 0 };
    }
    for (const e of entries) buffer.push(e, encodeCbor(entryToValue(e)).length, at);
    if (gap && entries.length && gap[0] < entries[0].seq) buffer.rewind(gap[0]);
    return { entries: entries.length };
  }

  private read(n: number): EventEntry[] {
    const out: EventEntry[] = [];
    for (let i = 0; i < n; i++) {
      const blob = this.prefs.get(BUFFER_DOMAIN, `c${i}`);
      if (!(blob instanceof Uint8Array)) throw new RangeError(`blob c${i} is missing`);
      const items = decodeCbor(blob);
      if (!Array.isArray(items)) throw new RangeError(`blob c${i} is not a list of entries`);
      for (const item of items) {
        const e = entryFromValue(item as ValueMap);
        if (out.length && e.seq !== out[out.length - 1].seq + 1) throw new RangeError(`seq ${e.seq} follows ${out[out.length - 1].seq}`);
        out.push(e);
      }
    }
    return out;
  }

  /** How many blobs the stored meta names (0 when there is none or it is unreadable). */
  private storedCount(): number {
    const m = this.prefs.get(BUFFER_DOMAIN, 'meta');
    if (!(m instanceof Uint8Array)) return 0;
    try {
      const n = (decodeCbor(m) as ValueMap).n;
      return typeof n === 'number' ? n : 0;
    } catch {
      return 0;
    }
  }

  /** Writes a blob unless it holds these bytes already (flash wear); true when written. */
  private put(key: string, bytes: Uint8Array): boolean {
    const old = this.prefs.get(BUFFER_DOMAIN, key);
    if (old instanceof Uint8Array && sameBytes(old, bytes)) return false;
    this.prefs.set(BUFFER_DOMAIN, key, bytes);
    return true;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
