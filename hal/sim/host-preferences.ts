import type { PreferenceValue, Preferences } from '../contracts/preferences.js';
import { toWire } from './bridge-values.js';
import type { HostCallBackend } from './host-call.js';

/**
 * Preferences inside XS, in the simulator: each call crosses the bridge to
 * the store the host keeps for the node (sim/xs/bridge-host.ts), which
 * outlives the XS machine, as flash outlives a power cut. The host checks
 * names and values, so a bad one throws here as it would on a device.
 */
export function hostPreferences(backend: HostCallBackend): Preferences {
  const call = (method: 'get' | 'set' | 'delete' | 'keys', ...args: unknown[]): unknown =>
    backend.request({ op: 'preferences', method, args: args.map(toWire) });
  return {
    get: (domain, key) => (call('get', domain, key) ?? undefined) as PreferenceValue | undefined,
    set: (domain, key, value) => void call('set', domain, key, value),
    delete: (domain, key) => void call('delete', domain, key),
    keys: (domain) => call('keys', domain) as string[],
  };
}
