import type { ByteOp } from './byte-mutations.js';

/**
 * Structural mutations of a decoded sample (a CBOR, JSON or MessagePack
 * tree), re-encoded afterwards, so the bytes stay well-formed and reach
 * the checks after the codec: a node replaced by a value of another type
 * or an edge value, a key or element removed or duplicated, an array
 * reordered, a string or byte string resized. Same numbers-only operations
 * as the byte mutations (ByteOp), so a seed reproduces them.
 */
export type Tree = null | boolean | number | string | Uint8Array | Tree[] | { [key: string]: Tree };

const EDGES: Tree[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  -0,
  0.5,
  2 ** 32,
  2 ** 53 - 1,
  -(2 ** 53) + 1,
  1e308,
  -1e-300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  'é😀',
  '__proto__',
  'constructor',
  '$bytes',
  'x'.repeat(300),
  new Uint8Array(0),
  new Uint8Array(32),
  new Uint8Array(64).fill(255),
  [],
  {},
  [[[[[]]]]],
  { $bytes: 'AAAA' },
];

interface Slot {
  parent: Tree[] | { [key: string]: Tree } | undefined;
  key: string | number;
  value: Tree;
}

function slots(root: Tree): Slot[] {
  const out: Slot[] = [{ parent: undefined, key: 0, value: root }];
  for (let i = 0; i < out.length && out.length < 4096; i++) {
    const v = out[i].value;
    if (Array.isArray(v)) v.forEach((c, k) => out.push({ parent: v, key: k, value: c }));
    else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) for (const k of Object.keys(v)) out.push({ parent: v, key: k, value: v[k] });
  }
  return out;
}

/** An own property even for '__proto__' (a plain assignment would replace the prototype). */
function put(o: { [key: string]: Tree }, k: string, v: Tree): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function clone(t: Tree): Tree {
  if (t instanceof Uint8Array) return t.slice();
  if (Array.isArray(t)) return t.map(clone);
  if (t !== null && typeof t === 'object') {
    const o: { [key: string]: Tree } = {};
    for (const k of Object.keys(t)) put(o, k, clone(t[k]));
    return o;
  }
  return t;
}

function resized(v: Tree, n: number): Tree {
  if (typeof v === 'string') return n % 2 ? v.slice(0, n % (v.length + 1)) : v + v.slice(0, n % 40);
  if (v instanceof Uint8Array) {
    const out = new Uint8Array(n % 70);
    out.set(v.subarray(0, out.length));
    return out;
  }
  if (typeof v === 'number') return [v + 1, v - 1, -v, v * 1000, Math.trunc(v / 2), v + 0.25][n % 6];
  return v;
}

/** Applies `ops` to a copy of `root`; returns the mutated tree. */
export function mutateTree(root: Tree, ops: readonly ByteOp[]): Tree {
  let tree = clone(root);
  for (const op of ops) {
    const all = slots(tree);
    const s = all[op.at % all.length];
    let next: Tree | undefined = s.value;
    switch (op.kind % 6) {
      case 0:
      case 1:
        next = clone(EDGES[op.value % EDGES.length]);
        break;
      case 2:
        next = resized(s.value, op.value);
        break;
      case 3:
        next = undefined; // removed
        break;
      case 4: {
        // another node of the tree put here (a map where a number was, a sibling twice)
        next = clone(all[op.value % all.length].value);
        break;
      }
      default:
        if (Array.isArray(s.value) && s.value.length > 1) {
          const a = s.value;
          const i = op.value % a.length;
          [a[0], a[i]] = [a[i], a[0]];
        } else if (s.value !== null && typeof s.value === 'object' && !(s.value instanceof Uint8Array) && !Array.isArray(s.value)) {
          const o = s.value;
          const keys = Object.keys(o);
          if (keys.length > 0) {
            const k = keys[op.value % keys.length];
            put(o, `${k}${op.value % 3 === 0 ? '' : 'x'}`.toUpperCase(), o[k]);
          }
        }
    }
    if (s.parent === undefined) tree = next === undefined ? null : next;
    else if (Array.isArray(s.parent)) {
      if (next === undefined) s.parent.splice(s.key as number, 1);
      else s.parent[s.key as number] = next;
    } else if (next === undefined) delete s.parent[s.key];
    else put(s.parent, s.key as string, next);
  }
  return tree;
}
