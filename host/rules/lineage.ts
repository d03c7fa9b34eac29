import { isValueMap } from '../../firmware/codec/value.js';
import type { LoggedEntry } from './logged-entry.js';

/**
 * Loop protection from the causal links in the log. An event the hub makes
 * for a rule's action carries `rule` (the rule's id) and `causes` (the ids it
 * followed from) in its data, and `command` when it queued one; a node's
 * effect.applied names that `command`. From those the lineage of an event
 * counts, per rule, how many of that rule's firings lie behind it. A rule
 * whose trigger has its own firings behind it `limit` times over keeps
 * re-triggering itself: the engine stops it.
 *
 * Only events that carry links are remembered, the newest `capacity` of them.
 */
type Counts = Record<string, number>;

/** The remembered links, oldest first (as plain JSON). */
export type LineageState = [string, Counts][];

export class Lineage {
  private readonly known = new Map<string, Counts>();

  constructor(private readonly capacity = 8192) {}

  /** `trusted`: the entry is the hub's own (only the hub may say which rule made an event). */
  observe(entry: LoggedEntry, trusted: boolean): void {
    const d = entry.data;
    if (!isValueMap(d)) return;
    const causes = trusted ? d.causes : undefined;
    const rule = trusted ? d.rule : undefined;
    const command = d.command;
    if (causes === undefined && rule === undefined && command === undefined) return;
    let counts: Counts | undefined;
    const merge = (from: Counts | undefined) => {
      if (!from) return;
      counts ??= {};
      for (const r in from) if ((counts[r] ?? 0) < from[r]) counts[r] = from[r];
    };
    if (Array.isArray(causes)) for (const c of causes) if (typeof c === 'string') merge(this.known.get(c));
    if (typeof command === 'string') merge(this.known.get(`command:${command}`));
    if (typeof rule === 'string') {
      counts ??= {};
      counts[rule] = (counts[rule] ?? 0) + 1;
    }
    if (!counts) return;
    this.remember(entry.id, counts);
    // The hub's request for a command: the node's later report of it inherits this lineage.
    if (trusted && typeof command === 'string' && typeof rule === 'string') this.remember(`command:${command}`, counts);
  }

  /** How many of `rule`'s own firings lie behind the deepest of these causes. */
  depth(rule: string, causes: readonly string[]): number {
    let n = 0;
    for (const c of causes) {
      const k = this.known.get(c);
      if (k && (k[rule] ?? 0) > n) n = k[rule];
    }
    return n;
  }

  private remember(key: string, counts: Counts): void {
    if (this.known.size >= this.capacity) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, counts);
  }

  snapshot(): LineageState {
    return [...this.known.entries()];
  }

  restore(s: LineageState): void {
    this.known.clear();
    for (const [k, v] of s) this.remember(k, { ...v });
  }
}
