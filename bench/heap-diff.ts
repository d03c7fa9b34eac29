/**
 * bench/heap-diff: what grew between two V8 heap snapshots of the same
 * process (bench/soak --heap-snapshots writes them from inside the hub).
 * Each snapshot's objects are summed by kind and constructor (count, self
 * size); printed are the groups that grew most from the first snapshot (the
 * baseline) to the second, with the ratio, and for each the retainer paths
 * its bytes hang from (each object walked up its first retainers to the
 * nearest named owner), so a growth is named by the structure that holds it.
 *
 *   node --max-old-space-size=8000 --import tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [--top 25]
 *
 * The snapshot files are read as bytes and scanned (a snapshot of a busy hub
 * is larger than V8's longest string, so it is not JSON.parse'd whole).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Snapshot {
  nodeFields: number;
  edgeFields: number;
  nodeTypes: string[];
  edgeTypes: string[];
  nodes: Float64Array;
  edges: Float64Array;
  strings: string[];
  /** The first edge's index (in `edges`, by field) of each node. */
  firstEdge: Uint32Array;
}

/** The numbers of a JSON array starting at `from` (just past its '['), as doubles. */
function numbers(buf: Buffer, from: number, count: number): { values: Float64Array; end: number } {
  const values = new Float64Array(count);
  let i = from;
  let n = 0;
  let cur = 0;
  let inNum = false;
  for (; i < buf.length; i++) {
    const c = buf[i];
    if (c >= 48 && c <= 57) {
      cur = cur * 10 + (c - 48);
      inNum = true;
    } else {
      if (inNum) {
        if (n === count) throw new RangeError(`heap snapshot: more numbers than the header's ${count}`);
        values[n++] = cur;
        cur = 0;
        inNum = false;
      }
      if (c === 93) break; // ']'
    }
  }
  if (n !== count) throw new RangeError(`heap snapshot: ${n} numbers where the header says ${count}`);
  return { values, end: i };
}

function read(file: string): Snapshot {
  const buf = readFileSync(file);
  const at = (key: string, from = 0) => {
    const i = buf.indexOf(`"${key}":[`, from);
    if (i < 0) throw new Error(`${file}: no "${key}" array, not a V8 heap snapshot`);
    return i + key.length + 4;
  };
  const nodesAt = at('nodes');
  const header = JSON.parse(`${buf.toString('utf8', 0, buf.lastIndexOf(',', nodesAt - 9))}}`) as {
    snapshot: {
      meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
      node_count: number;
      edge_count: number;
    };
  };
  const { meta, node_count, edge_count } = header.snapshot;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const nodes = numbers(buf, nodesAt, node_count * nodeFields);
  const edges = numbers(buf, at('edges', nodes.end), edge_count * edgeFields);
  // V8 writes one string a line: each line is a JSON string and a comma.
  const strings: string[] = [];
  let i = at('strings', edges.end);
  while (i < buf.length) {
    const nl = buf.indexOf(10, i);
    const line = buf.toString('utf8', i, nl < 0 ? buf.length : nl).trim();
    const end = line.endsWith(']}') ? line.slice(0, -2) : line.endsWith(',') ? line.slice(0, -1) : line;
    if (end.length > 0) strings.push(JSON.parse(end) as string);
    if (nl < 0 || line.endsWith(']}')) break;
    i = nl + 1;
  }
  const firstEdge = new Uint32Array(node_count + 1);
  const edgeCountField = meta.node_fields.indexOf('edge_count');
  for (let n = 0, e = 0; n < node_count; n++) {
    firstEdge[n] = e;
    e += nodes.values[n * nodeFields + edgeCountField] * edgeFields;
    firstEdge[n + 1] = e;
  }
  return { nodeFields, edgeFields, nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], nodes: nodes.values, edges: edges.values, strings, firstEdge };
}

// Node fields as V8 writes them: type, name, id, self_size, edge_count, ...; edge fields: type, name_or_index, to_node.
const TYPE = 0;
const NAME = 1;
const SELF = 3;

/** A node's group: its kind and, for objects and closures, its constructor or function name. */
function groupOf(s: Snapshot, n: number): string {
  const type = s.nodeTypes[s.nodes[n * s.nodeFields + TYPE]];
  const name = s.strings[s.nodes[n * s.nodeFields + NAME]];
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' || type === 'bigint') return `(${type})`;
  if (type === 'array' || type === 'code' || type === 'hidden') return `(${type}) ${name.slice(0, 40)}`;
  return `${type} ${name.slice(0, 60)}`;
}

function totals(s: Snapshot): Map<string, { count: number; size: number }> {
  const out = new Map<string, { count: number; size: number }>();
  const count = s.nodes.length / s.nodeFields;
  for (let n = 0; n < count; n++) {
    const g = groupOf(s, n);
    const t = out.get(g) ?? { count: 0, size: 0 };
    t.count++;
    t.size += s.nodes[n * s.nodeFields + SELF];
    out.set(g, t);
  }
  return out;
}

/** Each node's first strong retainer (node index, edge name), for walking up from a sample. */
function retainers(s: Snapshot): { from: Int32Array; edge: Int32Array } {
  const count = s.nodes.length / s.nodeFields;
  const from = new Int32Array(count).fill(-1);
  const edge = new Int32Array(count).fill(-1);
  const weak = s.edgeTypes.indexOf('weak');
  const shortcut = s.edgeTypes.indexOf('shortcut');
  for (let n = 0; n < count; n++)
    for (let e = s.firstEdge[n]; e < s.firstEdge[n + 1]; e += s.edgeFields) {
      const t = s.edges[e];
      if (t === weak || t === shortcut) continue;
      const to = s.edges[e + 2] / s.nodeFields;
      if (from[to] < 0) {
        from[to] = n;
        edge[to] = e;
      }
    }
  return { from, edge };
}

function edgeName(s: Snapshot, e: number): string {
  const type = s.edgeTypes[s.edges[e]];
  const v = s.edges[e + 1];
  if (type === 'element' || type === 'hidden') return `[${type === 'element' ? 'i' : 'h'}]`;
  const name = s.strings[v] ?? String(v);
  // A hash table's slots are numbered: one name for them all, so paths through the same table count together.
  return /^\d+$/.test(name) ? '[n]' : name;
}

/** The path from a node up through its retainers to the first owner that is an object with a constructor name of its own. */
function pathOf(s: Snapshot, r: { from: Int32Array; edge: Int32Array }, n: number): string {
  const parts: string[] = [];
  let cur = n;
  for (let depth = 0; depth < 8; depth++) {
    const up = r.from[cur];
    if (up < 0) break;
    parts.push(edgeName(s, r.edge[cur]));
    cur = up;
    const type = s.nodeTypes[s.nodes[cur * s.nodeFields + TYPE]];
    const name = s.strings[s.nodes[cur * s.nodeFields + NAME]];
    if (type === 'object' && !['Object', 'Array', 'Map', 'Set', 'system / Context'].includes(name)) {
      parts.push(name);
      break;
    }
    if (type === 'closure' || type === 'synthetic') {
      parts.push(`${type} ${name}`);
      break;
    }
  }
  return parts.reverse().join(' → ');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
if (positionals.length !== 2) throw new TypeError('bench/heap-diff: give two heap snapshots, the earlier first');
const top = Number(values.top ?? 25);
const [a, b] = positionals.map(read);
const ta = totals(a);
const tb = totals(b);
const sum = (t: Map<string, { size: number }>) => [...t.values()].reduce((x, y) => x + y.size, 0);
const mb = (x: number) => (x / 1e6).toFixed(1);
console.log(`bench/heap-diff: ${positionals[0]} → ${positionals[1]}`);
console.log(`  self size of all objects ${mb(sum(ta))} → ${mb(sum(tb))} MB (${(sum(tb) / sum(ta)).toFixed(2)}× the first)`);
const grown = [...tb]
  .map(([g, t]) => ({ g, count: t.count, size: t.size, was: ta.get(g) ?? { count: 0, size: 0 } }))
  .sort((x, y) => y.size - y.was.size - (x.size - x.was.size))
  .slice(0, top);
const rb = retainers(b);
/** Each grown group's bytes by retainer path, over all its objects. */
const byGroup = new Map<string, Map<string, number>>();
for (const x of grown) byGroup.set(x.g, new Map());
for (let n = 0; n < b.nodes.length / b.nodeFields; n++) {
  const paths = byGroup.get(groupOf(b, n));
  if (!paths) continue;
  const p = pathOf(b, rb, n);
  paths.set(p, (paths.get(p) ?? 0) + b.nodes[n * b.nodeFields + SELF]);
}
for (const x of grown) {
  const d = x.size - x.was.size;
  console.log(
    `  ${x.g}: ${x.was.count} → ${x.count} objects, ${mb(x.was.size)} → ${mb(x.size)} MB (+${mb(d)}${x.was.size > 0 ? `, ${(x.size / x.was.size).toFixed(2)}×` : ''})`,
  );
  for (const [p, size] of [...(byGroup.get(x.g) ?? [])].sort((u, v) => v[1] - u[1]).slice(0, 3))
    console.log(`      ${mb(size)} MB (${((size / Math.max(1, x.size)) * 100).toFixed(0)} %): ${p}`);
}
