import { XsError } from './xs-worker.js';

/** Room a restored machine gets beyond what its snapshot holds, before XS grows it (by its incremental sizes, as any machine). */
export interface SnapshotRoom {
  /** Bytes of chunk space (strings, arrays, closures' code) beyond the snapshot's. */
  chunkBytes: number;
  /** Free slots beyond the snapshot's live ones. */
  heapSlots: number;
}

/** Enough for the node firmware to run its first samples and batches without growing (bench/start.ts, test/sim/xs-snapshot.test.ts). */
const NODE_ROOM: SnapshotRoom = { chunkBytes: 4 << 20, heapSlots: 64 << 10 };

interface Atom {
  type: string;
  /** Offset of the body in the snapshot. */
  at: number;
  size: number;
}

function atoms(s: Uint8Array): Map<string, Atom> {
  const view = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const type = (at: number) => String.fromCharCode(s[at], s[at + 1], s[at + 2], s[at + 3]);
  if (s.byteLength < 8 || type(4) !== 'XS_M') throw new XsError('not an XS snapshot (it does not start with an XS_M atom)');
  const found = new Map<string, Atom>();
  for (let at = 8; at < s.byteLength; ) {
    const size = view.getUint32(at);
    if (size < 8 || at + size > s.byteLength) throw new XsError(`XS snapshot: atom at byte ${at} runs past the end`);
    found.set(type(at + 4), { type: type(at + 4), at: at + 8, size: size - 8 });
    at += size;
  }
  return found;
}

/**
 * A copy of an XS snapshot whose machine starts no bigger than its contents
 * plus `room`. xsnap-worker creates every machine with 32 MB of chunks and
 * 256 K slots (xsnap-worker.c), and this XS build zeroes every chunk it takes
 * and links every slot into the free list: about 40 MB resident per engine.
 * A snapshot records the sizes of the machine that wrote it (its CREA atom,
 * XS's txCreation: int32s in host order, initialChunkSize first, then the
 * incremental chunk size, initialHeapCount) and a machine read from it takes
 * them; the node firmware's image holds about 0.35 MB of chunks and 14 K
 * slots. Sizes are only lowered, never below what the snapshot holds; the
 * heap keeps two slots beyond its live ones (its head, and the free list's
 * end: XS reads the live slots in after the head and continues the free list
 * past them, so a heap of exactly those crashes at its next allocation).
 */
export function fitSnapshot(snapshot: Uint8Array, room: SnapshotRoom = NODE_ROOM): Uint8Array {
  const found = atoms(snapshot);
  const [vers, crea, bloc, heap] = ['VERS', 'CREA', 'BLOC', 'HEAP'].map((t) => found.get(t));
  if (!vers || !crea || !bloc || !heap || crea.size < 12) throw new XsError('XS snapshot: VERS, CREA, BLOC or HEAP is missing');
  const slotBytes = snapshot[vers.at + 3]; // sizeof(txSlot), negative on big-endian machines
  if (slotBytes !== 16 && slotBytes !== 32) throw new XsError(`XS snapshot: unexpected slot size ${slotBytes}`);
  const out = new Uint8Array(snapshot); // a copy
  const creation = new DataView(out.buffer, out.byteOffset + crea.at, 12);
  const pages = (n: number) => Math.ceil(n / 4096) * 4096;
  const chunks = Math.min(creation.getInt32(0, true), pages(bloc.size + room.chunkBytes));
  const slots = Math.min(creation.getInt32(8, true), heap.size / slotBytes + 2 + room.heapSlots);
  creation.setInt32(0, chunks, true);
  creation.setInt32(8, slots, true);
  return out;
}
