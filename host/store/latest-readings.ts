import type { ValueMap } from '../../firmware/codec/value.js';
import { READING_TYPE } from './event-rows.js';
import { NodeLatest } from './node-latest.js';
import type { Db } from './open-cartridge.js';

/** A sensor's newest reading on a chain. */
export interface LatestReading {
  component: string;
  name: string;
  value: unknown;
  unit: string | null;
  quality: unknown;
  time: unknown;
}

/**
 * Each sensor's newest reading on a chain (a node's, or the hub's: its BLE
 * devices), from its newest `scanned` readings, sorted by component and name.
 */
export function latestReadings(db: Db, node: string, scanned: number): LatestReading[] {
  const seen = new Map<string, LatestReading>();
  for (const e of new NodeLatest(db).latest(node, READING_TYPE, scanned)) {
    const d = e.data as ValueMap;
    const component = e.source.slice(e.source.indexOf('/') + 1);
    const key = `${component}/${String(d.name)}`;
    if (!seen.has(key))
      seen.set(key, { component, name: String(d.name), value: d.value, unit: typeof d.unit === 'string' ? d.unit : null, quality: d.quality, time: d.time });
  }
  return [...seen.values()].sort((a, b) => (`${a.component}/${a.name}` < `${b.component}/${b.name}` ? -1 : 1));
}
