/**
 * A battery node in deep sleep inside XS, in the simulator: each `wake`
 * builds the firmware afresh (SleepCycle over a new NodeApp, a new timer
 * queue: RAM is gone after a deep sleep) on the bridged sim backend and runs
 * it until it asks to sleep. What outlives a wake is what a device keeps:
 * `flash` (the Preferences NVS holds: the unsent buffer, the chain head,
 * the last command seq).
 */
import { toJsonValue, type JsonValue } from '../../../firmware/codec/json-form.js';
import { nobleCrypto } from '../../../firmware/crypto/noble-crypto.js';
import { nodeConfigFromJson } from '../../../firmware/node/node-config.js';
import { SleepCycle } from '../../../firmware/node/sleep-cycle.js';
import { validateDocument } from '../../../firmware/schema/validate.js';
import { memoryPreferences } from '../../../hal/contracts/preferences.js';
import type { WakeCause } from '../../../hal/contracts/sleep.js';
import { GuestTime } from '../../../hal/sim/guest-time.js';
import { HostCallBackend, type HostReply } from '../../../hal/sim/host-call.js';
import { SimSleep } from '../../../hal/sim/sim-sleep.js';
import { VirtualClock } from '../../world/virtual-clock.js';
import { HostCallTransport } from '../host-call-transport.js';
import { callHost, serveCommands } from '../xs-guest.js';

const flash = memoryPreferences();
const sleep = new SimSleep('power-on');

serveCommands({
  /** One wake from `at` (host ms), booted for `cause`; answers the wake's summary, the sleep it asked for and what it recorded. */
  wake: (configJson: JsonValue, at: number, cause: WakeCause) => {
    validateDocument('nodeConfig', configJson);
    sleep.boot(cause);
    const backend = new HostCallBackend((req) => callHost(req) as HostReply);
    const queue = new VirtualClock(at);
    const time = new GuestTime(queue, backend);
    const events: JsonValue[] = [];
    const cycle = new SleepCycle({
      config: nodeConfigFromJson(configJson),
      backend,
      time,
      crypto: nobleCrypto,
      transport: new HostCallTransport(backend),
      sleep,
      prefs: flash,
      onEvent: (e) => void events.push({ seq: e.seq, type: e.type, data: toJsonValue(e.data) }),
    });
    cycle.run();
    for (let turns = 0; !sleep.requested; turns++) {
      const due = queue.nextDue();
      if (due === undefined || turns > 100_000) throw new Error('the wake never asked to sleep');
      time.runUntil(Math.max(due, queue.now()));
    }
    // Turns already due at this instant finish (a device loses them; here they find the node stopped); what is
    // left is what the firmware planned for later, which would run during the sleep.
    time.runUntil(queue.now());
    return {
      summary: cycle.lastSummary as unknown as JsonValue,
      asked: sleep.requested as unknown as JsonValue,
      events,
      timersLeft: queue.pending,
      at: queue.now(),
    };
  },
});
