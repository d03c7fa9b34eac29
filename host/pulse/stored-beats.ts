import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Cartridge } from '../store/cartridge.js';

/** Pages read at most, 1,000 events each (a day of beats at 15 min over 1,000 nodes is ~2,000 figures parts). */
const MAX_PAGES = 1000;

/** The parts of beats: system.pulse.figures and system.pulse.changes (a bus pattern, host/store/queries.ts). */
const PARTS = 'system.pulse.#';

/** The hub chain's parts of beats (figures and changes) stored in [since, until), by id: the parts stored beats cite. */
export function storedParts(cartridge: Cartridge, hubId: string, since: number, until?: number): Map<string, ValueMap> {
  const out = new Map<string, ValueMap>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = cartridge.events({ node: hubId, type: PARTS, since, until, limit: 1000, cursor });
    for (const e of p.events) if (isValueMap(e.data)) out.set(e.id, e.data);
    if (!p.next) break;
    cursor = p.next;
  }
  return out;
}

const byCheck = (a: Value, b: Value): number => {
  const key = (x: Value) => (isValueMap(x) ? `${String(x.check)}\0${String(x.name)}\0${String(x.subject)}` : '');
  const [ka, kb] = [key(a), key(b)];
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Issues in the judge's order (judge.ts): critical first, then by check, name and subject. */
const byStatus = (a: Value, b: Value): number => {
  const rank = (x: Value) => (isValueMap(x) && x.status === 'critical' ? 0 : 1);
  return rank(a) - rank(b) || byCheck(a, b);
};

/** The parts `ids` cites, in order; undefined when one is not in `parts`. */
function cited(ids: Value | undefined, parts: ReadonlyMap<string, ValueMap>): ValueMap[] | undefined {
  if (!Array.isArray(ids)) return [];
  const out: ValueMap[] = [];
  for (const id of ids) {
    const part = typeof id === 'string' ? parts.get(id) : undefined;
    if (!part) return undefined;
    out.push(part);
  }
  return out;
}

/**
 * A stored pulse.beat in its whole form: every node's figures inline and
 * every unknown check and issue listed, as beats were stored before their
 * figures went into parts (those come back as they are), and the status changes it
 * said (`changes`, from its changes parts; absent on beats stored before
 * those, which said theirs in their own commit). Undefined when a part it
 * cites is not in `parts`: a beat read without its nodes or its changes
 * would be misread.
 */
export function wholeBeat(d: ValueMap, parts: ReadonlyMap<string, ValueMap>): ValueMap | undefined {
  if (!Array.isArray(d.parts)) return d;
  const figures = cited(d.parts, parts);
  const changeParts = cited(d.changeParts, parts);
  if (!figures?.every((p) => isValueMap(p.nodes)) || !changeParts?.every((p) => Array.isArray(p.changes))) return undefined;
  const nodes: ValueMap = Object.assign({}, ...figures.map((p) => p.nodes));
  const unknown: Value[] = Array.isArray(d.unknown) ? [...d.unknown] : [];
  const issues: Value[] = Array.isArray(d.issues) ? [...d.issues] : [];
  for (const part of figures) {
    if (Array.isArray(part.unknown)) unknown.push(...part.unknown);
    // Parts stored before they carried their nodes' issues have none: their beat lists them all.
    if (Array.isArray(part.issues)) issues.push(...part.issues);
  }
  const changes = changeParts.flatMap((p) => p.changes as Value[]);
  const { parts: _cited, changeParts: _changes, ...rest } = d;
  return { ...rest, issues: issues.sort(byStatus), nodes, unknown: unknown.sort(byCheck), ...(Array.isArray(d.changeParts) ? { changes } : {}) };
}

/** A stored beat's parts read from the cartridge, then the beat whole (wholeBeat). */
export function readWholeBeat(cartridge: Cartridge, hubId: string, d: ValueMap): ValueMap | undefined {
  if (!Array.isArray(d.parts) || typeof d.at !== 'number') return d;
  return wholeBeat(d, storedParts(cartridge, hubId, d.at, d.at + 1));
}

/**
 * The changes of a stored beat (`whole`, from wholeBeat) that no
 * pulse.<status> event citing it said yet: a hub stopped between the
 * commits that say them. They are said in the order its parts list them,
 * so those said are the first ones; the rest is what this answers.
 */
export function unsaidChanges(cartridge: Cartridge, hubId: string, beat: EventEntry, whole: ValueMap): ValueMap[] {
  if (!Array.isArray(whole.changes) || whole.changes.length === 0) return [];
  const changes = whole.changes as ValueMap[];
  const since = changes.reduce((t, c) => (typeof c.at === 'number' && c.at < t ? c.at : t), beat.time);
  let said = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES && said < changes.length; page++) {
    const p = cartridge.events({ node: hubId, type: 'pulse.#', since, limit: 1000, cursor });
    for (const e of p.events)
      if (e.seq > beat.seq && e.type !== 'pulse.beat' && isValueMap(e.data) && Array.isArray(e.data.causes) && e.data.causes[0] === beat.id) said++;
    if (!p.next) break;
    cursor = p.next;
  }
  return changes.slice(said);
}
