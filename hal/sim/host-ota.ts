import type { Ota } from '../contracts/ota.js';
import { toWire } from './bridge-values.js';
import type { HostCallBackend, OtaMember } from './host-call.js';

/**
 * The OTA slots inside XS, in the simulator: each call crosses the bridge to
 * the slots the host keeps for the node (sim/ota/ota-slots.ts through
 * sim/xs/bridge-host.ts), which outlive the XS machine as flash outlives a
 * reboot, as hal/sim/host-preferences.ts does for preferences. The host's
 * errors (a write past the size, a slot that cannot begin) throw here.
 */
export function hostOta(backend: HostCallBackend): Ota {
  const call = (method: OtaMember, ...args: unknown[]): unknown => backend.request({ op: 'ota', method, args: args.map(toWire) });
  return {
    begin: (size) => void call('begin', size),
    write: (bytes) => void call('write', bytes),
    commit: () => void call('commit'),
    abort: () => void call('abort'),
    confirm: () => void call('confirm'),
    get pendingVerify() {
      return call('pendingVerify') as boolean;
    },
    get rolledBackFrom() {
      return (call('rolledBackFrom') ?? undefined) as string | undefined;
    },
  };
}
