import { sha256 } from '@noble/hashes/sha2.js';
import { ChirpError } from './chirp-error.js';

/**
 * Chirp framing v1: a message of up to 4096 bytes as ggwave frames of at most
 * 140 bytes. Portable (no Node built-ins; SHA-256 from @noble/hashes).
 *
 * Every frame:   [0] 0xC1 (magic and version 1)
 *                [1..4] message id = SHA-256(message)[0..4]
 *                [5] index (0-based)   [6] count − 1
 * Frame 0 also:  [7..10] SHA-256(message)[4..8]   [11..12] length (u16 BE)
 * then a chunk of the message. The digest is the first 8 bytes of
 * SHA-256(message): 4 in every frame (as the id, so frames of two messages
 * never mix), 4 more in frame 0. Bytes are spread evenly over the frames, so
 * no frame is tiny (ggwave gives short frames fewer Reed-Solomon bytes).
 */
const FRAME_MAGIC = 0xc1;
export const MAX_MESSAGE_BYTES = 4096;
export const MAX_FRAME_BYTES = 140;
const HEADER_BYTES = 7;
const FIRST_HEADER_BYTES = 13;

export interface ChirpFrame {
  /** SHA-256(message)[0..4] as 8 hex digits. */
  readonly id: string;
  readonly index: number;
  readonly count: number;
  /** Frame 0 only: the digest's other 4 bytes and the message length. */
  readonly digestTail?: Uint8Array;
  readonly length?: number;
  readonly chunk: Uint8Array;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** How many frames a message of `length` bytes takes. */
export function frameCount(length: number): number {
  const extra = FIRST_HEADER_BYTES - HEADER_BYTES;
  return Math.max(1, Math.ceil((length + extra) / (MAX_FRAME_BYTES - HEADER_BYTES)));
}

/** The frames of `message` (0–4096 bytes), in order. */
export function splitMessage(message: Uint8Array): Uint8Array[] {
  if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
  if (message.length > MAX_MESSAGE_BYTES) throw new RangeError(`message must be at most ${MAX_MESSAGE_BYTES} bytes, got ${message.length}`);
  const digest = sha256(message);
  const extra = FIRST_HEADER_BYTES - HEADER_BYTES;
  const count = frameCount(message.length);
  const per = Math.ceil((message.length + extra) / count);
  const frames: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const take = i === count - 1 ? message.length - at : i === 0 ? Math.min(message.length, per - extra) : per;
    const head = i === 0 ? FIRST_HEADER_BYTES : HEADER_BYTES;
    const f = new Uint8Array(head + take);
    f[0] = FRAME_MAGIC;
    f.set(digest.subarray(0, 4), 1);
    f[5] = i;
    f[6] = count - 1;
    if (i === 0) {
      f.set(digest.subarray(4, 8), 7);
      f[11] = message.length >> 8;
      f[12] = message.length & 255;
    }
    f.set(message.subarray(at, at + take), head);
    at += take;
    frames.push(f);
  }
  return frames;
}

/** A frame's fields, or undefined when the bytes are not a Chirp v1 frame. */
export function parseFrame(bytes: Uint8Array): ChirpFrame | undefined {
  if (bytes.length < HEADER_BYTES || bytes.length > MAX_FRAME_BYTES || bytes[0] !== FRAME_MAGIC) return undefined;
  const index = bytes[5];
  const count = bytes[6] + 1;
  if (index >= count) return undefined;
  const id = hex(bytes.subarray(1, 5));
  if (index > 0) return { id, index, count, chunk: bytes.slice(HEADER_BYTES) };
  if (bytes.length < FIRST_HEADER_BYTES) return undefined;
  const length = (bytes[11] << 8) | bytes[12];
  if (length > MAX_MESSAGE_BYTES || frameCount(length) !== count) return undefined;
  return { id, index, count, digestTail: bytes.slice(7, 11), length, chunk: bytes.slice(FIRST_HEADER_BYTES) };
}

export type AcceptResult = 'new' | 'duplicate' | 'variant' | 'foreign' | 'malformed';

/** Distinct decodes kept per index, and combinations tried against the digest. */
const MAX_VARIANTS = 3;
const MAX_COMBINATIONS = 64;

/**
 * Collects the frames of one message (the id of the first frame accepted, or
 * the one given): any order; an identical repeat is a 'duplicate' and
 * ignored (ggwave may decode one frame twice); a frame of another message is
 * 'foreign' and refused. A different decode of an index already held (a rare
 * Reed-Solomon miscorrection) is kept as a 'variant' and tried against the
 * digest if the first choice fails it.
 */
export class Reassembler {
  private idValue: string | undefined;
  private countValue: number | undefined;
  private readonly frames = new Map<number, ChirpFrame[]>();

  constructor(id?: string) {
    this.idValue = id;
  }

  get id(): string | undefined {
    return this.idValue;
  }

  /** Frames in the message, once any frame has been accepted. */
  get count(): number | undefined {
    return this.countValue;
  }

  get received(): number {
    return this.frames.size;
  }

  get complete(): boolean {
    return this.countValue !== undefined && this.frames.size === this.countValue;
  }

  /** Indices not yet received, ascending (empty while the count is unknown). */
  get missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < (this.countValue ?? 0); i++) if (!this.frames.has(i)) out.push(i);
    return out;
  }

  accept(bytes: Uint8Array): AcceptResult {
    const f = parseFrame(bytes);
    if (!f) return 'malformed';
    if (this.idValue !== undefined && f.id !== this.idValue) return 'foreign';
    if (this.countValue !== undefined && f.count !== this.countValue) return 'malformed';
    this.idValue = f.id;
    this.countValue = f.count;
    const held = this.frames.get(f.index);
    if (!held) {
      this.frames.set(f.index, [f]);
      return 'new';
    }
    if (held.some((h) => sameFrame(h, f)) || held.length >= MAX_VARIANTS) return 'duplicate';
    held.push(f);
    return 'variant';
  }

  /**
   * The message. Throws ChirpError 'frames-missing' (listing them) before
   * every frame is in, and 'digest-mismatch' when no combination of the
   * decodes held hashes to the digest and length the frames carry.
   */
  message(): Uint8Array {
    const count = this.countValue;
    if (count === undefined || !this.complete) {
      const missing = this.missing;
      throw new ChirpError('frames-missing', count === undefined ? 'no frame received' : `frames missing: ${missing.join(', ')} of ${count}`, {
        missing,
        count,
      });
    }
    const lists = Array.from({ length: count }, (_, i) => this.frames.get(i) as ChirpFrame[]);
    const pick = new Array<number>(count).fill(0);
    let want: Uint8Array = new Uint8Array(0);
    for (let tries = 0; tries < MAX_COMBINATIONS; tries++) {
      const parts = lists.map((l, i) => l[pick[i]]);
      const first = parts[0];
      want = digestOf(first);
      const msg = concat(parts.map((p) => p.chunk));
      if (msg.length === first.length && equalBytes(sha256(msg).subarray(0, 8), want)) return msg;
      if (!nextCombination(pick, lists)) break;
    }
    throw new ChirpError('digest-mismatch', `all ${count} frames arrived but the message does not match its digest ${hex(want)}`, { count });
  }
}

function sameFrame(a: ChirpFrame, b: ChirpFrame): boolean {
  return equalBytes(a.chunk, b.chunk) && a.length === b.length && equalBytes(a.digestTail ?? EMPTY, b.digestTail ?? EMPTY);
}

const EMPTY = new Uint8Array(0);

function nextCombination(pick: number[], lists: ChirpFrame[][]): boolean {
  for (let i = 0; i < pick.length; i++) {
    if (pick[i] + 1 < lists[i].length) {
      pick[i]++;
      return true;
    }
    pick[i] = 0;
  }
  return false;
}

/** The 8-byte digest a frame 0 carries: its id and its digest tail. */
function digestOf(first: ChirpFrame): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 4; i++) out[i] = parseInt(first.id.slice(2 * i, 2 * i + 2), 16);
  out.set(first.digestTail ?? EMPTY, 4);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
