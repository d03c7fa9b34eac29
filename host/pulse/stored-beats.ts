import { isValueMap, type Value, type ValueMap } from '../../firmware/codec/value.js';
import type { Cartridge } from '../store/cartridge.js';
import { FIGURES_TYPE } from './beat-events.js';

/** Pages of figures read at most, 1,000 events each (a day of beats at 15 min over 1,000 nodes is ~2,000). */
const MAX_PAGES = 1000;

/** The hub chain's figures events stored in [since, until), by id: the parts stored beats cite. */
export function storedParts(cartridge: Cartridge, hubId: string, since: number, until?: number): Map<string, ValueMap> {
  const out = new Map<string, ValueMap>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = cartridge.events({ node: hubId, type: FIGURES_TYPE, since, until, limit: 1000, cursor });
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

/**
 * A stored pulse.beat in its whole form, every node's figures inline and
 * every unknown check listed, as beats were stored before their figures
 * went into parts (those come back as they are). Undefined when a part it
 * cites is not in `parts`: a beat read without its nodes would be misread.
 */
export function wholeBeat(d: ValueMap, parts: ReadonlyMap<string, ValueMap>): ValueMap | undefined {
  if (!Array.isArray(d.parts)) return d;
  const nodes: ValueMap = {};
  const unknown: Value[] = Array.isArray(d.unknown) ? [...d.unknown] : [];
  for (const id of d.parts) {
    const part = typeof id === 'string' ? parts.get(id) : undefined;
    if (!part || !isValueMap(part.nodes)) return undefined;
    Object.assign(nodes, part.nodes);
    if (Array.isArray(part.unknown)) unknown.push(...part.unknown);
  }
  const { parts: _cited, ...rest } = d;
  return { ...rest, nodes, unknown: unknown.sort(byCheck) };
}

/** A stored beat's parts read from the cartridge, then the beat whole (wholeBeat). */
export function readWholeBeat(cartridge: Cartridge, hubId: string, d: ValueMap): ValueMap | undefined {
  if (!Array.isArray(d.parts) || typeof d.at !== 'number') return d;
  return wholeBeat(d, storedParts(cartridge, hubId, d.at, d.at + 1));
}
