import type { CompiledCondition } from './compiled-rule.js';
import type { Scalar } from './rule-document.js';
import type { World } from './world.js';
import { labelParts, WEEKDAYS, type Zone } from './zoned-time.js';

/** The moment a condition is judged at. `trigger` is the id of the trigger that started the run ('' for none). */
export interface ConditionContext {
  now: number;
  world: World;
  zone: Zone;
  trigger: string;
}

/** A condition's result and the reason, naming the deciding part by its path in the rule. */
export interface Verdict {
  ok: boolean;
  path: string;
  reason: string;
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const show = (v: Scalar) => JSON.stringify(v);

/** Conditions are and-ed; the first that does not hold decides. */
export function evaluateAll(conditions: readonly CompiledCondition[], ctx: ConditionContext): Verdict {
  for (const c of conditions) {
    const v = evaluate(c, ctx);
    if (!v.ok) return v;
  }
  return { ok: true, path: '/conditions', reason: conditions.length === 0 ? 'no conditions' : 'every condition holds' };
}

export function evaluate(c: CompiledCondition, ctx: ConditionContext): Verdict {
  switch (c.kind) {
    case 'and': {
      for (const x of c.items) {
        const v = evaluate(x, ctx);
        if (!v.ok) return v;
      }
      return { ok: true, path: c.path, reason: 'all of them hold' };
    }
    case 'or': {
      const no: string[] = [];
      for (const x of c.items) {
        const v = evaluate(x, ctx);
        if (v.ok) return v;
        no.push(`${v.path}: ${v.reason}`);
      }
      return { ok: false, path: c.path, reason: `none holds (${no.join('; ')})` };
    }
    case 'not': {
      const v = evaluate(c.item, ctx);
      return { ok: !v.ok, path: c.path, reason: `${v.ok ? '' : 'not: '}${v.reason}` };
    }
    case 'numeric': {
      const k = ctx.world.know(c.series.key, c.series.label);
      if (!k.known) return { ok: false, path: c.path, reason: `unknown: ${k.reason}` };
      const x = k.value.value;
      const at = `${c.series.label} = ${show(x)} (${k.value.event})`;
      if (typeof x !== 'number') return { ok: false, path: c.path, reason: `${at} is not a number` };
      if (c.above !== undefined && !(x > c.above)) return { ok: false, path: c.path, reason: `${at} is not above ${c.above}` };
      if (c.below !== undefined && !(x < c.below)) return { ok: false, path: c.path, reason: `${at} is not below ${c.below}` };
      return { ok: true, path: c.path, reason: `${at} is in range` };
    }
    case 'state': {
      const k = ctx.world.know(c.series.key, c.series.label);
      if (!k.known) return { ok: false, path: c.path, reason: `unknown: ${k.reason}` };
      const x = k.value.value;
      const ok = c.is.indexOf(x) >= 0;
      return { ok, path: c.path, reason: `${c.series.label} is ${show(x)} (${k.value.event})${ok ? '' : `, not ${c.is.map(show).join(' or ')}`}` };
    }
    case 'time': {
      const { minuteOfDay: m, weekday } = labelParts(ctx.zone.label(ctx.now));
      const local = `${hhmm(m)} ${WEEKDAYS[weekday]} in ${ctx.zone.name}`;
      if (c.days && !c.days[weekday]) return { ok: false, path: c.path, reason: `${local}: not one of the days` };
      const after = c.after ?? 0;
      const before = c.before ?? 24 * 60;
      const inside = after <= before ? m >= after && m < before : m >= after || m < before;
      const window = `${c.after === undefined ? '' : 'after ' + hhmm(after)}${c.after !== undefined && c.before !== undefined ? ' and ' : ''}${c.before === undefined ? '' : 'before ' + hhmm(before)}`;
      return { ok: inside, path: c.path, reason: `${local} is ${inside ? '' : 'not '}${window || 'on one of the days'}` };
    }
    case 'trigger': {
      const ok = c.ids.indexOf(ctx.trigger) >= 0;
      return {
        ok,
        path: c.path,
        reason: `the run was started by ${ctx.trigger === '' ? 'no trigger' : `trigger '${ctx.trigger}'`}${ok ? '' : `, not ${c.ids.join(' or ')}`}`,
      };
    }
  }
}
