import type { LoggedEntry } from './logged-entry.js';
import type { CompiledTrigger } from './compiled-rule.js';
import type { TraceEntry } from './firing.js';
import type { Scalar } from './rule-document.js';
import type { ChainGap, ClockChange, SeriesValue } from './world.js';

/** A trigger that fired: its id, the events that caused it (oldest first), the value it saw. */
export interface Occurrence {
  trigger: string;
  path: string;
  causes: string[];
  value?: Scalar;
}

export type TriggerTrace = ((what: TraceEntry['what'], path: string, message: string, events: string[]) => void) | undefined;

/** A level trigger's state as plain JSON (due is the window's start + for, so it is not kept: JSON has no Infinity). */
export interface LevelTriggerState {
  zone: 'unknown' | 'out' | 'in';
  fired: boolean;
  window?: { start: number; startEvent: string; lastEvent: string };
  last?: { value: Scalar; event: string; time: number };
  restartOnNext: boolean;
  note?: string;
}

type LevelDef = CompiledTrigger & { kind: 'numeric' | 'state' };

const iso = (t: number) => new Date(t).toISOString();
const show = (v: Scalar) => JSON.stringify(v);

/**
 * A numeric (above/below with hysteresis) or state-change trigger, with its
 * optional `for` window. The window is judged from the node's chain alone:
 * it opens at the reading that entered the zone (its sample time), and it is
 * proven when an entry of the same node's chain stamped at or after
 * start + for arrives while the zone still holds and no seq is missing since.
 * A gap (a seq jump), a change of the node's clock (unsynced → hub) or a bad
 * reading inside the window makes the state
 * unknown: the window is void, and the trigger waits for a reading that
 * shows the condition again (numeric: strictly past the threshold; state:
 * still the target value), from which a whole new window must pass. A
 * trigger that fired in an episode fires again only after it has seen the
 * episode end. So it never fires on a guess, and a restarted hub that
 * re-reads the same log reaches the same state.
 */
export class LevelTrigger {
  /** When the open window is due (Infinity: none open). */
  due = Number.POSITIVE_INFINITY;
  private zone: 'unknown' | 'out' | 'in' = 'unknown';
  private fired = false;
  private window: { start: number; startEvent: string; lastEvent: string } | undefined;
  private last: { value: Scalar; event: string; time: number } | undefined;
  /** A state trigger whose window a gap voided restarts at the next reading that still shows the target. */
  private restartOnNext = false;
  private note: string | undefined;

  constructor(
    readonly def: LevelDef,
    private readonly trace: TriggerTrace,
  ) {}

  get node(): string {
    return this.def.series.node;
  }

  onGap(gap: ChainGap): void {
    this.unknown(`a gap in ${gap.node}'s chain (seqs ${gap.from}–${gap.to} missing, found at ${gap.event})`, [gap.event]);
  }

  onClockChange(c: ClockChange): void {
    this.unknown(`${c.node}'s clock changed from ${c.from} to ${c.to} at ${c.event} (times on either side do not compare)`, [c.event]);
  }

  onValue(v: SeriesValue): Occurrence | undefined {
    const d = this.def;
    const label = d.series.label;
    if (v.quality === 'bad') return this.unknown(`${label}'s reading ${v.event} has quality bad`, [v.event]);
    if (d.kind === 'numeric') {
      if (typeof v.value !== 'number') return this.unknown(`${label}'s reading ${v.event} is not a number`, [v.event]);
      const x = v.value;
      const enter = d.above !== undefined ? x > d.above : x < (d.below as number);
      const leave = d.above !== undefined ? x <= d.above - d.hysteresis : x >= (d.below as number) + d.hysteresis;
      this.last = { value: x, event: v.event, time: v.time };
      if (this.zone === 'in') {
        if (leave) this.leave(`${label} = ${x} (${v.event}) left the zone (${this.exitText()})`, v.event);
        else if (this.window) this.window.lastEvent = v.event;
        return undefined;
      }
      if (enter) return this.enter(v);
      if (leave) this.zone = 'out';
      return undefined;
    }
    const prev = this.last;
    this.last = { value: v.value, event: v.event, time: v.time };
    if (!prev) return undefined;
    if (v.value === prev.value) {
      if (this.restartOnNext && this.zone === 'in' && !this.fired) {
        this.restartOnNext = false;
        return this.open(v, `after the gap ${label} is still ${show(v.value)}`);
      }
      if (this.window) this.window.lastEvent = v.event;
      return undefined;
    }
    this.restartOnNext = false;
    if (this.zone === 'in') this.leave(`${label} changed to ${show(v.value)} (${v.event})`, v.event);
    if (matches(d.from, prev.value) && matches(d.to, v.value)) return this.enter(v);
    this.zone = 'out';
    return undefined;
  }

  /** Any later entry of the node's chain: proves the window when stamped at or after its due time. */
  onEvidence(entry: LoggedEntry): Occurrence | undefined {
    const w = this.window;
    if (!w || entry.time < this.due) return undefined;
    this.fired = true;
    this.close();
    const causes = [w.startEvent];
    if (w.lastEvent !== w.startEvent) causes.push(w.lastEvent);
    if (entry.id !== w.lastEvent) causes.push(entry.id);
    return { trigger: this.def.id, path: this.def.path, causes, value: this.last?.value };
  }

  describe(): string {
    const d = this.def;
    const label = d.series.label;
    const cond = this.zoneText();
    if (this.window) {
      return `window open: ${cond} since ${iso(this.window.start)} (${this.window.startEvent}); it is due at ${iso(this.due)} and fires when ${d.series.node}'s chain reaches that time without a gap or a break`;
    }
    if (this.fired) return `fired in this episode (${label} ${cond}); fires again only after ${label} leaves it (${this.exitText()})`;
    const last = this.last ? `last ${show(this.last.value)} at ${iso(this.last.time)} (${this.last.event})` : `no reading of ${label} seen`;
    if (this.note) return `state unknown since ${this.note}; waiting for a reading that shows ${cond} to start a new window (${last})`;
    return `not triggered: waiting for ${label} to ${d.kind === 'numeric' ? 'enter' : 'change to'} ${cond} (${last})`;
  }

  snapshot(): LevelTriggerState {
    return { zone: this.zone, fired: this.fired, window: this.window, last: this.last, restartOnNext: this.restartOnNext, note: this.note };
  }

  restore(s: LevelTriggerState): void {
    this.zone = s.zone;
    this.fired = s.fired;
    this.window = s.window && { ...s.window };
    this.due = s.window ? s.window.start + this.def.forMs : Number.POSITIVE_INFINITY;
    this.last = s.last && { ...s.last };
    this.restartOnNext = s.restartOnNext;
    this.note = s.note;
  }

  private enter(v: SeriesValue): Occurrence | undefined {
    this.zone = 'in';
    this.fired = false;
    this.note = undefined;
    if (this.def.forMs === 0) {
      this.fired = true;
      return { trigger: this.def.id, path: this.def.path, causes: [v.event], value: v.value };
    }
    return this.open(v, `${this.def.series.label} = ${show(v.value)} (${v.event}): ${this.zoneText()}`);
  }

  private open(v: SeriesValue, why: string): undefined {
    this.note = undefined;
    this.window = { start: v.time, startEvent: v.event, lastEvent: v.event };
    this.due = v.time + this.def.forMs;
    this.trace?.('window-start', this.def.path, `${why}; window opens at ${iso(v.time)}, due at ${iso(this.due)}`, [v.event]);
    return undefined;
  }

  private leave(why: string, event: string): void {
    if (this.window)
      this.trace?.('window-broken', this.def.path, `the window begun at ${iso(this.window.start)} (${this.window.startEvent}) broke: ${why}`, [
        this.window.startEvent,
        event,
      ]);
    this.close();
    this.zone = 'out';
    this.fired = false;
  }

  private unknown(why: string, events: string[]): undefined {
    if (this.zone !== 'in' || this.fired) return undefined;
    if (this.window) {
      this.trace?.('window-void', this.def.path, `the window begun at ${iso(this.window.start)} (${this.window.startEvent}) is void: ${why}; the rule waits`, [
        this.window.startEvent,
        ...events,
      ]);
    }
    this.close();
    this.note = why;
    if (this.def.kind === 'numeric') this.zone = 'unknown';
    else this.restartOnNext = true;
    return undefined;
  }

  private close(): void {
    this.window = undefined;
    this.due = Number.POSITIVE_INFINITY;
  }

  private zoneText(): string {
    const d = this.def;
    if (d.kind === 'numeric') return d.above !== undefined ? `above ${d.above}` : `below ${d.below}`;
    return `${d.to ? d.to.map(show).join(' or ') : 'a new value'}${d.from ? ` from ${d.from.map(show).join(' or ')}` : ''}`;
  }

  private exitText(): string {
    const d = this.def;
    if (d.kind === 'numeric') return d.above !== undefined ? `≤ ${d.above - d.hysteresis}` : `≥ ${(d.below as number) + d.hysteresis}`;
    return 'a change of value';
  }
}

function matches(allowed: Scalar[] | undefined, v: Scalar): boolean {
  return allowed === undefined || allowed.indexOf(v) >= 0;
}
