/** The HAL conformance cases inside XS, on the sim backend bridged to the host. */
import { HostCallBackend, HostCallClock, type HostReply } from '../../../hal/sim/host-call.js';
import { callHost, serveCommands } from '../../../sim/xs/xs-guest.js';
import { STEP_MS } from '../../hal/conformance/case-support.js';
import type { ConformanceWorld } from '../../hal/conformance/case-support.js';
import { cases } from '../../hal/conformance/cases.js';

function world(): { world: ConformanceWorld; door: (action: string, ...args: unknown[]) => unknown } {
  const backend = new HostCallBackend((req) => callHost(req) as HostReply);
  const door = (action: string, ...args: unknown[]) => backend.request({ op: 'backdoor', action, args });
  return {
    door,
    world: {
      backend,
      clock: new HostCallClock(backend),
      nackNext: (address, n) => void door('nackNext', address, n),
      setBusStuck: (stuck) => void door('setBusStuck', stuck),
      unplug: (address) => void door('unplug', address),
      replug: (address) => void door('replug', address),
      setLevel: (pin, level) => void door('setLevel', pin, level),
      driven: (pin) => door('driven', pin) as 0 | 1 | null,
    },
  };
}

serveCommands({
  names: () => Object.keys(cases),
  run: (name: string) => {
    const { world: w, door } = world();
    const steps = cases[name](w);
    // A yield lets real time pass on the host: XS blocks in this call, and edges that arrive meanwhile come back with its reply.
    if (steps) for (let s = steps.next(); !s.done; s = steps.next()) door('wait', STEP_MS);
    return 'ok';
  },
});
