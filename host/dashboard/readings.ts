import type { EventEntry } from './types.js';
import { componentOf, nodeOf } from './types.js';

/** The latest value of one reading and its recent numbers (for a sparkline). */
export interface ReadingTrack {
  node: string;
  component: string;
  name: string;
  unit: string | undefined;
  value: unknown;
  time: number;
  history: number[];
}

const KEEP = 40;

/** Readings by `node/component/name`, fed oldest first. */
export function addReading(tracks: Map<string, ReadingTrack>, e: EventEntry): boolean {
  if (e.type !== 'sensor.reading') return false;
  const d = e.data as { name?: unknown; unit?: unknown; value?: unknown };
  if (typeof d.name !== 'string') return false;
  const key = `${e.source}/${d.name}`;
  const t = tracks.get(key) ?? {
    node: nodeOf(e.source),
    component: componentOf(e.source),
    name: d.name,
    unit: typeof d.unit === 'string' ? d.unit : undefined,
    value: d.value,
    time: e.time,
    history: [],
  };
  if (e.time >= t.time) {
    t.value = d.value;
    t.time = e.time;
  }
  if (typeof d.value === 'number') {
    t.history.push(d.value);
    if (t.history.length > KEEP) t.history.shift();
  }
  tracks.set(key, t);
  return true;
}
