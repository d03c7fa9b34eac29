import { isValueMap } from '../../firmware/codec/value.js';
import type { Db } from '../store/open-cartridge.js';
import { declaredWakeMs } from '../store/declared-power.js';
import { NodeLatest } from '../store/node-latest.js';
import { PulseCounters } from './pulse-counters.js';

/** Arrivals read back for a node's usual interval. */
const ARRIVALS = 256;
/** Sensor changes read back for the sensors' states. */
const SENSOR_CHANGES = 64;

/**
 * Gives a starting hub's counters the states the log already holds, so its
 * first beat knows each node's last arrival and usual interval (or the wake
 * period its latest boot declares), its sensors'
 * states and its latest health (and the free heap after its latest boot)
 * instead of calling them unknown. Counters of happenings (boots, refusals)
 * start at zero, as a Prometheus counter does. A few indexed reads per node.
 */
export function restoreCounters(c: PulseCounters, db: Db, nodes: readonly string[]): void {
  const latest = new NodeLatest(db);
  for (const id of nodes) {
    const t = c.node(id);
    const arrivals = latest.arrivals(id, ARRIVALS);
    for (let i = 1; i < arrivals.length; i++) t.cadence.add(arrivals[i] - arrivals[i - 1]);
    if (arrivals.length) t.lastHeard = t.lastStored = arrivals[arrivals.length - 1];
    t.lastId = latest.newestId(id);
    // The clock offset as the latest batches showed it: without it every node's clock is unknown until its next batch.
    PulseCounters.restoreLeads(t, latest.stamps(id, ARRIVALS));
    const changes = latest.latest(id, 'sensor.state', SENSOR_CHANGES).reverse();
    for (const e of changes) c.event(id, t, e);
    const [boot, before] = latest.latest(id, 'system.boot', 2);
    t.wakeMs = declaredWakeMs(boot?.data);
    const health = latest.latest(id, 'system.health')[0];
    if (!health || !isValueMap(health.data)) continue;
    t.health = health.data;
    t.healthId = health.id;
    // The boot the latest health belongs to: the latest one, or the one before when the node restarted since.
    t.bootSinceHealth = boot !== undefined && boot.seq > health.seq;
    const own = t.bootSinceHealth ? before : boot;
    const first = latest.firstAfterSeq(id, 'system.health', own ? own.seq : 0);
    if (first && isValueMap(first.data) && typeof first.data.freeHeap === 'number') t.heapAtBoot = first.data.freeHeap;
  }
}
