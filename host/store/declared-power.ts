import { isValueMap, type Value } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';

/**
 * How long a node that sleeps says it sleeps: `config.power.wakeEveryMs` of
 * a system.boot whose `config.power.mode` is 'deep-sleep'
 * (firmware/node/declared-config.ts), else undefined (always-on, or a node
 * that declared nothing). A sleeping node is heard once a wake, so the hub
 * expects it at this interval instead of its sensors' (README "Battery
 * nodes: deep sleep").
 */
export function declaredWakeMs(boot: Value | undefined): number | undefined {
  const config = isValueMap(boot) ? boot.config : undefined;
  const power = isValueMap(config) ? config.power : undefined;
  if (!isValueMap(power) || power.mode !== 'deep-sleep') return undefined;
  const ms = power.wakeEveryMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The newest system.boot among `entries` (in chain order), or undefined when they hold none. */
export function lastBoot(entries: readonly EventEntry[]): EventEntry | undefined {
  for (let k = entries.length - 1; k >= 0; k--) if (entries[k].type === 'system.boot') return entries[k];
  return undefined;
}
