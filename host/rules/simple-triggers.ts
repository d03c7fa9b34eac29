import { isValueMap } from '../../firmware/codec/value.js';
import type { CompiledTrigger } from './compiled-rule.js';
import type { Occurrence } from './level-trigger.js';
import { nextFire } from './schedule.js';
import type { Observed } from './world.js';
import { describeInstant, type Zone } from './zoned-time.js';

const iso = (t: number) => new Date(t).toISOString();

export interface EventTriggerState {
  last?: { event: string; time: number };
}
export interface ScheduleTriggerState {
  next?: number;
  last?: number;
}
export interface AbsenceTriggerState {
  lastHeard: number;
  lastEvent?: string;
  fired: boolean;
}

/** An event pattern: fires on each stored event that matches. */
export class EventTrigger {
  private last: { event: string; time: number } | undefined;

  constructor(readonly def: CompiledTrigger & { kind: 'event' }) {}

  /** The type already matched; node, component and data fields decide. */
  onEvent(o: Observed): Occurrence | undefined {
    const d = this.def;
    if (d.node !== undefined && o.node !== d.node) return undefined;
    if (d.component !== undefined && o.component !== d.component) return undefined;
    if (d.data) {
      const data = o.entry.data;
      if (!isValueMap(data)) return undefined;
      for (const k in d.data) if (data[k] !== d.data[k]) return undefined;
    }
    this.last = { event: o.entry.id, time: o.entry.time };
    return { trigger: d.id, path: d.path, causes: [o.entry.id] };
  }

  describe(): string {
    return this.last ? `last matching event ${this.last.event} at ${iso(this.last.time)}` : `no event matching '${this.def.type}' seen`;
  }

  snapshot(): EventTriggerState {
    return { last: this.last };
  }

  restore(s: EventTriggerState): void {
    this.last = s.last;
  }
}

/** A time of day or a cron schedule, in the rule's zone. */
export class ScheduleTrigger {
  next: number | undefined;
  private last: number | undefined;

  constructor(
    readonly def: CompiledTrigger & { kind: 'schedule' },
    private readonly zone: Zone,
  ) {}

  /** Arms for the first firing after `now`; returns when. */
  start(now: number): number | undefined {
    this.next = nextFire(this.def.schedule, this.zone, now);
    return this.next;
  }

  fire(at: number): Occurrence {
    this.last = at;
    this.next = nextFire(this.def.schedule, this.zone, at);
    return { trigger: this.def.id, path: this.def.path, causes: [] };
  }

  describe(): string {
    const next = this.next === undefined ? 'never again' : `next at ${describeInstant(this.zone, this.next)}`;
    return `${this.def.text}: ${this.last === undefined ? 'not fired yet' : `last fired at ${describeInstant(this.zone, this.last)}`}, ${next}`;
  }

  snapshot(): ScheduleTriggerState {
    return { next: this.next, last: this.last };
  }

  restore(s: ScheduleTriggerState): void {
    this.next = s.next;
    this.last = s.last;
  }
}

/**
 * Nothing stored from a node (or one of its components) for `for`, measured on
 * the engine's clock from the last entry stored (or from when the rule began
 * watching). Fires once per silence.
 */
export class AbsenceTrigger {
  private lastHeard = 0;
  private lastEvent: string | undefined;
  private fired = false;
  /** A timer is set for this trigger (the engine re-checks `due` when it comes up). */
  timerSet = false;

  constructor(readonly def: CompiledTrigger & { kind: 'absence' }) {}

  get due(): number | undefined {
    return this.fired ? undefined : this.lastHeard + this.def.forMs;
  }

  start(now: number): void {
    this.lastHeard = now;
  }

  /** An entry from the node was stored at `now`; true when the trigger needs a timer set. */
  heard(o: Observed, now: number): boolean {
    if (this.def.component !== undefined && o.component !== this.def.component) return false;
    this.lastHeard = now;
    this.lastEvent = o.entry.id;
    this.fired = false;
    return !this.timerSet;
  }

  fire(): Occurrence {
    this.fired = true;
    return { trigger: this.def.id, path: this.def.path, causes: this.lastEvent === undefined ? [] : [this.lastEvent] };
  }

  describe(): string {
    const heard =
      this.lastEvent === undefined
        ? `nothing from ${this.def.label} since watching began at ${iso(this.lastHeard)}`
        : `${this.def.label} last heard at ${iso(this.lastHeard)} (${this.lastEvent})`;
    return this.fired
      ? `${heard}: fired as absent; fires again after it is heard from`
      : `${heard}: absent at ${iso(this.lastHeard + this.def.forMs)} unless heard from`;
  }

  snapshot(): AbsenceTriggerState {
    return { lastHeard: this.lastHeard, lastEvent: this.lastEvent, fired: this.fired };
  }

  /** timerSet comes back with the timer (RuleRuntime.rearm). */
  restore(s: AbsenceTriggerState): void {
    this.lastHeard = s.lastHeard;
    this.lastEvent = s.lastEvent;
    this.fired = s.fired;
  }
}
