import type { HubOptions } from '../hub/hub-options.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** The mesh flags of `fazt hub`. */
export const MESH_FLAGS: Record<string, OptionSpec> = {
  mesh: { type: 'boolean', description: 'sync with every paired hub that has a url, in the background (fazt mesh status)' },
  'mesh-interval': { type: 'string', value: 'DURATION', description: 'how long between sync rounds (default 30s; an unreachable hub is tried less often)' },
};

/** The flags as HubOptions, each mistake a usage error naming its flag. */
export function meshFlags(values: Record<string, unknown>): Pick<HubOptions, 'mesh'> {
  const every = values['mesh-interval'];
  if (!values.mesh) {
    if (every !== undefined) throw new UsageError('--mesh-interval needs --mesh (sync in the background)');
    return {};
  }
  if (every === undefined) return { mesh: { background: true } };
  const intervalMs = Math.round(durationFlag(String(every), '--mesh-interval'));
  if (intervalMs < 1000) throw new UsageError(`--mesh-interval must be at least 1s, got '${String(every)}'`);
  return { mesh: { background: true, intervalMs } };
}
