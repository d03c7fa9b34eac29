/**
 * How the percept engine judges (README "Percepts"). Every field is
 * optional; resolvePerceptOptions fills the defaults and refuses a bad value
 * with a RangeError naming it.
 */
export interface PerceptOptions {
  level?: {
    /** No two level percepts of a series closer than this (default 10 s). */
    minIntervalMs?: number;
    /** Say the level again after this long even if it did not move (default 1 h). */
    refreshMs?: number;
    /** Absolute deadband per SenML unit (defaults: Cel 0.2, %RH 1, Pa 50). */
    deadband?: Record<string, number>;
    /** For a unit without an absolute deadband: this fraction of the last level (default 0.05). */
    relativeDeadband?: number;
  };
  trend?: {
    /** The sliding window the rate is fitted over (default 10 min). */
    windowMs?: number;
    /** Fewest good readings in the window for a trend (default 5). */
    minPoints?: number;
    /** The rate per hour below which a series is stable, per unit (defaults: Cel 0.5, %RH 2, Pa 100). */
    stablePerHour?: Record<string, number>;
    /** For a unit without one: this fraction of the window's mean per hour (default 0.1). */
    relativeStablePerHour?: number;
  };
  presence?: {
    /** Presence clears this long after the last motion ended (default 5 min). */
    holdMs?: number;
  };
  gesture?: {
    /** A click is a single click once this long passed without a second (default 400 ms, the button driver's). */
    doubleClickMs?: number;
  };
  silent?: {
    /** Overdue after factor × the expected interval (default 3). */
    factor?: number;
    /** Gaps the observed cadence is the median of (default 5). */
    history?: number;
    /** Never silent sooner than this: a sensor (default 10 s), a node (default 60 s). */
    minSensorMs?: number;
    minNodeMs?: number;
    /** Configured intervals, by node id or "<node id>/<component>", instead of the observed cadence. */
    expectMs?: Record<string, number>;
  };
  /** A deadline waits this long on the hub's clock for the node's next events before the hub decides it (default 10 s). */
  arrivalSlackMs?: number;
  /** On start, each node's last this-long of events is replayed (default 30 min; at least the trend window). */
  replayMs?: number;
  /** On start, the hub's own percepts of this long are read back as what was said (default 7 days). */
  seedMs?: number;
  /** How often the hub's clock is checked for deadlines (default 1 s; 0: only when tick() is called). */
  tickMs?: number;
}

export type ResolvedPerceptOptions = {
  level: { minIntervalMs: number; refreshMs: number; deadband: Record<string, number>; relativeDeadband: number };
  trend: { windowMs: number; minPoints: number; stablePerHour: Record<string, number>; relativeStablePerHour: number };
  presence: { holdMs: number };
  gesture: { doubleClickMs: number };
  silent: { factor: number; history: number; minSensorMs: number; minNodeMs: number; expectMs: Record<string, number> };
  arrivalSlackMs: number;
  replayMs: number;
  seedMs: number;
  tickMs: number;
};

const DAY = 86_400_000;

function num(name: string, v: number | undefined, fallback: number, min: number, max: number, integer = true): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new RangeError(`percepts.${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${String(v)}`);
  return v;
}

function table(name: string, v: Record<string, number> | undefined, fallback: Record<string, number>, integer: boolean): Record<string, number> {
  if (v === undefined) return { ...fallback };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RangeError(`percepts.${name} must be an object of numbers`);
  const out = { ...fallback };
  for (const [k, x] of Object.entries(v)) out[k] = num(`${name}.${k}`, x, 0, integer ? 1 : 0, integer ? 365 * DAY : 1e12, integer);
  return out;
}

export function resolvePerceptOptions(o: PerceptOptions = {}): ResolvedPerceptOptions {
  const l = o.level ?? {};
  const t = o.trend ?? {};
  const s = o.silent ?? {};
  const windowMs = num('trend.windowMs', t.windowMs, 600_000, 1000, DAY);
  const r: ResolvedPerceptOptions = {
    level: {
      minIntervalMs: num('level.minIntervalMs', l.minIntervalMs, 10_000, 0, DAY),
      refreshMs: num('level.refreshMs', l.refreshMs, 3_600_000, 1000, 30 * DAY),
      deadband: table('level.deadband', l.deadband, { Cel: 0.2, '%RH': 1, Pa: 50 }, false),
      relativeDeadband: num('level.relativeDeadband', l.relativeDeadband, 0.05, 0, 10, false),
    },
    trend: {
      windowMs,
      minPoints: num('trend.minPoints', t.minPoints, 5, 2, 1_000_000),
      stablePerHour: table('trend.stablePerHour', t.stablePerHour, { Cel: 0.5, '%RH': 2, Pa: 100 }, false),
      relativeStablePerHour: num('trend.relativeStablePerHour', t.relativeStablePerHour, 0.1, 0, 100, false),
    },
    presence: { holdMs: num('presence.holdMs', o.presence?.holdMs, 300_000, 0, DAY) },
    gesture: { doubleClickMs: num('gesture.doubleClickMs', o.gesture?.doubleClickMs, 400, 0, 60_000) },
    silent: {
      factor: num('silent.factor', s.factor, 3, 1, 1000, false),
      history: num('silent.history', s.history, 5, 1, 100),
      minSensorMs: num('silent.minSensorMs', s.minSensorMs, 10_000, 0, DAY),
      minNodeMs: num('silent.minNodeMs', s.minNodeMs, 60_000, 0, DAY),
      expectMs: table('silent.expectMs', s.expectMs, {}, true),
    },
    arrivalSlackMs: num('arrivalSlackMs', o.arrivalSlackMs, 10_000, 0, DAY),
    replayMs: num('replayMs', o.replayMs, Math.max(1_800_000, windowMs), 0, 30 * DAY),
    seedMs: num('seedMs', o.seedMs, 7 * DAY, 0, 3650 * DAY),
    tickMs: num('tickMs', o.tickMs, 1000, 0, 3_600_000),
  };
  if (r.replayMs < windowMs) throw new RangeError(`percepts.replayMs (${r.replayMs}) must be at least percepts.trend.windowMs (${windowMs})`);
  if (r.seedMs < r.replayMs) throw new RangeError(`percepts.seedMs (${r.seedMs}) must be at least percepts.replayMs (${r.replayMs})`);
  return r;
}
