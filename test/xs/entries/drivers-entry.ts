/**
 * Drivers inside XS, their buses and clock bridged to the simulator on the
 * host: the firmware's view of a board, run by the real engine.
 */
import { HostCallBackend, HostCallClock, type HostReply } from '../../../hal/sim/host-call.js';
import type { HalTime } from '../../../hal/contracts/time.js';
import { openSensor, type SensorConfig } from '../../../firmware/sensing/open-sensor.js';
import type { SensorDriver } from '../../../hal/drivers/sensor-driver.js';
import { callHost, serveCommands } from '../../../sim/xs/xs-guest.js';

const backend = new HostCallBackend((req) => callHost(req) as HostReply);
const clock = new HostCallClock(backend);
// Sampling is driven by the host here; timers are not bridged, so a driver that needs one fails loudly.
const time: HalTime = {
  now: () => clock.now(),
  delay: (ms) => clock.delay(ms),
  setTimeout: () => {
    throw new Error('timers are not bridged in this entry');
  },
  clearTimeout: () => undefined,
};
const drivers = new Map<string, SensorDriver>();

serveCommands({
  open: (config: SensorConfig) => {
    drivers.set(config.name, openSensor(config, { backend, time }));
    return (drivers.get(config.name) as SensorDriver).channels.map((c) => c.name);
  },
  sample: (name: string) => (drivers.get(name) as SensorDriver).sample(),
  close: (name: string) => {
    drivers.get(name)?.close();
    drivers.delete(name);
  },
});
