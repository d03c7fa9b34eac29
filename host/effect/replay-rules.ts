import type { Firing, LoggedEntry, RuleEngine } from '../rules/index.js';
import { sourceNode } from '../../firmware/event/envelope.js';
import type { RecordedEntry } from '../store/recorded-log.js';
import type { RulesPosition } from '../store/rules-cursor.js';

/** What a replay of the stored log leaves to do. */
export interface Replayed {
  /** Firings decided past the committed position: cut by a crash before their commit, to carry out now. */
  late: Firing[];
  /** Per chain, the highest seq replayed (all decided on now). */
  reached: Map<string, number>;
}

/**
 * Replays the stored log through the engine as the live hub fed it: each
 * run of entries stored at one moment as one batch, at that moment. The
 * engine decides everything again (that is how every for: window, run and
 * cooldown resumes where it stood); what it decides is sorted by the rules
 * cursor (host/store/rules-cursor.ts):
 *  - a timer that came due by a batch is late when due after `from.timers`;
 *  - a batch's entries up to their chain's position were decided on, and
 *    what they fired committed with that position: those go first (they were
 *    stored before the rest) and what they fire again is dropped;
 *  - the rest were stored but the crash came before what they fired was:
 *    that is late.
 * `seen` is called with every entry, `fired` (if given) with every firing, late or not.
 */
export function replayRules(
  engine: RuleEngine,
  log: Iterable<RecordedEntry>,
  from: RulesPosition,
  o: { seen: (e: LoggedEntry) => void; fired?: (f: readonly Firing[]) => void },
): Replayed {
  const late: Firing[] = [];
  const reached = new Map<string, number>();
  let decided: LoggedEntry[] = [];
  let open: LoggedEntry[] = [];
  let at = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (decided.length + open.length === 0) return;
    const timed = engine.advanceTo(at);
    o.fired?.(timed);
    for (const f of timed) if (f.at > from.timers) late.push(f);
    if (decided.length) {
      const again = engine.ingest(decided, at); // decided whether or not anyone listens
      o.fired?.(again);
    }
    if (open.length) {
      const fired = engine.ingest(open, at);
      o.fired?.(fired);
      late.push(...fired);
    }
    decided = [];
    open = [];
  };
  for (const r of log) {
    if (r.receivedAt !== at) flush();
    at = r.receivedAt;
    const chain = sourceNode(r.entry.source);
    (r.entry.seq <= (from.chains.get(chain) ?? 0) ? decided : open).push(r.entry);
    if (r.entry.seq > (reached.get(chain) ?? 0)) reached.set(chain, r.entry.seq);
    o.seen(r.entry);
  }
  flush();
  return { late, reached };
}
