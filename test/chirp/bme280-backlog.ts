import { createBatch, type Batch } from '../../firmware/batch/batch.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { EventLog } from '../../firmware/event/event-log.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { Bme280 } from '../../hal/drivers/bme280/bme280.js';
import { SimI2C } from '../../hal/sim/sim-i2c.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { randomWalk } from '../../sim/environment/random-walk.js';
import { sine, sum } from '../../sim/environment/signals.js';
import { SimI2cBus } from '../../sim/i2c/sim-i2c-bus.js';
import { Bme280Model } from '../../sim/models/bme280-model.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

/**
 * A node's backlog while it had no network: `count` readings of a BME280
 * (the real driver against the register-level model, a living room's air
 * as the demo node's: daily cycles and a seeded wander), each an event of the node's chain (EventLog, clock 'rtc'), signed
 * as one batch (createBatch). No node writes its buffer to a file today, so
 * this stands for one: what `fazt chirp encode --batch` is given.
 */
export interface Backlog {
  identity: NodeIdentity;
  entries: EventEntry[];
  batch: Batch;
}

const DAY = 86_400_000;
const UNITS = { temperature: 'Cel', pressure: 'Pa', humidity: '%RH' } as const;

export function bme280Backlog(count = 32, seed = 7, intervalMs = 60_000): Backlog {
  const clock = new VirtualClock(Date.UTC(2026, 4, 1, 6));
  const bus = new SimI2cBus(0);
  const model = new Bme280Model(0x76, clock);
  model.setSignal('temperature', sum([sine(21.5, 2, DAY, 0.375), randomWalk(seed + 2, 0, 0.05, 60_000, -0.6, 0.6)]));
  model.setSignal('humidity', sum([sine(45, -7, DAY, 0.375), randomWalk(seed, 0, 0.2, 60_000, -3, 3)]));
  model.setSignal('pressure', sum([sine(101_300, 120, DAY, 0.1), randomWalk(seed + 1, 0, 4, 60_000, -200, 200)]));
  bus.attach(model);
  const driver = new Bme280({ i2c: new SimI2C(bus, 0x76), clock, pressureOversampling: 4 });
  const identity = identityFromSecretKey(new Uint8Array(32).fill(seed), nodeCrypto);
  const log = new EventLog({ nodeId: identity.id, crypto: nodeCrypto, clock: () => clock.now(), clockSource: () => 'rtc' });
  const entries: EventEntry[] = [];
  while (entries.length < count) {
    clock.runFor(intervalMs);
    const sample = driver.sample();
    const time = clock.now();
    for (const name of ['temperature', 'humidity', 'pressure'] as const) {
      const value = sample[name];
      if (value === undefined || entries.length === count) continue;
      entries.push(log.append('sensor.reading', 'bme280', { name, unit: UNITS[name], value, quality: 'good', time }, time));
    }
  }
  driver.close();
  return { identity, entries, batch: createBatch(entries, identity, nodeCrypto) };
}
