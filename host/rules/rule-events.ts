import { toJsonValue } from '../../firmware/codec/json-form.js';
import { isValueMap } from '../../firmware/codec/value.js';
import type { LoggedEntry } from './logged-entry.js';

/** What a rule event changes. */
export interface RuleSet {
  addRule(doc: unknown): unknown;
  enableRule(id: string): void;
  disableRule(id: string): void;
  removeRule(id: string): void;
}

/**
 * Rule changes are events on the hub's chain, applied where they stand in the
 * log (so a replay of the log rebuilds the same rules at the same moments):
 * system.rule.added|changed {rule: the document}, system.rule.enabled|disabled|removed {id}.
 * Returns why one could not be applied (a bad document on the chain must not stop the engine).
 */
export function applyRuleEvent(rules: RuleSet, e: LoggedEntry): string | undefined {
  const d = e.data;
  try {
    if (!isValueMap(d)) throw new TypeError('its data is not a map');
    const verb = e.type.slice('system.rule.'.length);
    if (verb === 'added' || verb === 'changed') rules.addRule(toJsonValue(d.rule ?? null));
    else if (verb === 'enabled' || verb === 'disabled' || verb === 'removed') {
      if (typeof d.id !== 'string') throw new TypeError('data.id must be the rule id');
      if (verb === 'enabled') rules.enableRule(d.id);
      else if (verb === 'disabled') rules.disableRule(d.id);
      else rules.removeRule(d.id);
    }
    return undefined;
  } catch (err) {
    return `${e.type} ${e.id}: ${(err as Error).message}`;
  }
}
