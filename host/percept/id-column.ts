const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** Each character's base32 value by its char code, -1 for any other. */
const VALUE = Array.from({ length: 128 }, (_, c) => B32.indexOf(String.fromCharCode(c)));
/** An event id (schemas/event.schema.json): 16 base32 characters, 80 bits, two halves of 40 bits each. */
const ID_LENGTH = 16;
const HALF = ID_LENGTH / 2;

/** Eight base32 characters from `at` as a 40-bit whole number; -1 if one is not base32. */
function half(id: string, at: number): number {
  let x = 0;
  for (let i = at; i < at + HALF; i++) {
    const v = VALUE[id.charCodeAt(i)] ?? -1;
    if (v < 0) return -1;
    x = x * 32 + v;
  }
  return x;
}

function unhalf(x: number, codes: number[], at: number): void {
  for (let i = at + HALF - 1; i >= at; i--) {
    codes[i] = B32.charCodeAt(x % 32);
    x = Math.floor(x / 32);
  }
}

/**
 * A column of event ids, oldest first, held as numbers: an id's 80 bits as
 * two 40-bit halves in two double arrays, 16 bytes a point, where a string
 * of its own costs about 40 (its pointer and the string) and is one more
 * object for every major collection to trace. A trend's window of a node
 * reading once a second holds 600 of them; a hub of 1,000 such nodes 600,000.
 * Ids of another form (tests, older data) are kept as strings beside.
 */
export class IdColumn {
  private hi: number[] = [];
  private lo: number[] = [];
  /** Ids that are not 16 base32 characters, by their key (hi holds -1 - key). */
  private readonly odd = new Map<number, string>();
  private nextOdd = 0;

  get length(): number {
    return this.hi.length;
  }

  /** Ids held as strings: those not of an event id's form. */
  get strings(): number {
    return this.odd.size;
  }

  push(id: string): void {
    const h = id.length === ID_LENGTH ? half(id, 0) : -1;
    const l = h < 0 ? -1 : half(id, HALF);
    if (l >= 0) {
      this.hi.push(h);
      this.lo.push(l);
      return;
    }
    const key = this.nextOdd++;
    this.odd.set(key, id);
    this.hi.push(-1 - key);
    this.lo.push(0);
  }

  /** The id at `i` (0: the oldest held), as a string: only the ids asked for are made strings (a percept cites 32 of a window's 600). */
  at(i: number): string {
    if (!(Number.isSafeInteger(i) && i >= 0 && i < this.hi.length)) throw new RangeError(`i must be a whole number below ${this.hi.length}, got ${i}`);
    const h = this.hi[i];
    if (h < 0) return this.odd.get(-1 - h) as string;
    const codes: number[] = new Array(ID_LENGTH);
    unhalf(h, codes, 0);
    unhalf(this.lo[i], codes, HALF);
    return String.fromCharCode(...codes);
  }

  /** Drops the oldest `n`, in place (the arrays keep their storage). */
  drop(n: number): void {
    for (let i = 0; i < n; i++) if (this.hi[i] < 0) this.odd.delete(-1 - this.hi[i]);
    for (const a of [this.hi, this.lo]) {
      a.copyWithin(0, n);
      a.length -= n;
    }
  }
}
