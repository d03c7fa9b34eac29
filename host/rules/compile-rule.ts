import { compileTopicPattern, type TopicMatcher } from '../../firmware/bus/topic.js';
import { NODE_ID_PATTERN } from '../../firmware/identity/node-id.js';
import { parseDuration } from '../duration.js';
import { checkDocumentOnHost } from '../schema/host-validators.js';
import type { CompiledCondition, CompiledRule, CompiledStep, CompiledTrigger, NodeRef, SeriesTarget } from './compiled-rule.js';
import type { ConditionDoc, Duration, RuleDocument, Scalar, SeriesRef, TriggerDoc } from './rule-document.js';
import { RuleError } from './rule-error.js';
import { ruleVersion } from './rule-version.js';
import { dailySchedule, parseCron } from './schedule.js';
import { seriesKey } from './world.js';
import { minuteOfDay, WEEKDAYS, Zone } from './zoned-time.js';

export interface CompileOptions {
  /** The hub's configured IANA zone (default UTC); a rule's own timeZone wins. */
  timeZone?: string;
  /** Enrolled nodes, to resolve names; without them every node reference is taken as an id. */
  nodes?: readonly NodeRef[];
}

const zones = new Map<string, Zone>();

/** One Zone per name: each keeps its own cache of offsets. */
function zoneNamed(name: string): Zone {
  let z = zones.get(name);
  if (!z) zones.set(name, (z = new Zone(name)));
  return z;
}

/**
 * A node reference (id or name) → the node's id; refused, naming `path`, when
 * it names none or several. Unless `strict`, an id not (yet) in `nodes` passes.
 */
export function resolveNode(ref: string, nodes: readonly NodeRef[] | undefined, path: string, strict = false): string {
  if (!nodes) return ref;
  if (nodes.some((n) => n.id === ref)) return ref;
  // A node keeps its name when a sensor (the hub's BLE device) is given the same one: rules written for the node stay its.
  const all = nodes.filter((n) => n.name === ref);
  const named = all.some((n) => n.component === undefined) ? all.filter((n) => n.component === undefined) : all;
  if (named.length === 1) return named[0].id;
  if (named.length > 1) throw new RuleError('ambiguous-node', path, `'${ref}' names ${named.length} nodes (${named.map((n) => n.id).join(', ')}); use the id`);
  if (!strict && NODE_ID_PATTERN.test(ref)) return ref;
  const known = nodes.map((n) => n.name ?? n.id).join(', ');
  throw new RuleError('unknown-node', path, `'${ref}' is no enrolled node's id or name (${known || 'none enrolled'})`);
}

/** A rule's longest duration, a year: the schema's bound on whole milliseconds, held for "…d" strings too. */
const MAX_DURATION_MS = 31_536_000_000;

function ms(d: Duration | undefined, path: string, fallback = 0): number {
  if (d === undefined) return fallback;
  let v: number;
  try {
    v = parseDuration(d, path);
  } catch (e) {
    throw new RuleError('invalid', path, (e as Error).message);
  }
  if (v > MAX_DURATION_MS) throw new RuleError('invalid', path, `duration ${String(d)} is longer than a year (365d)`);
  return v;
}

function list(v: Scalar | Scalar[] | undefined): Scalar[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function days(names: readonly string[] | undefined): boolean[] | undefined {
  if (!names) return undefined;
  const out = new Array<boolean>(7).fill(false);
  for (const d of names) out[WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number])] = true;
  return out;
}

class Compiler {
  constructor(private readonly nodes: readonly NodeRef[] | undefined) {}

  node(ref: string, path: string): string {
    return resolveNode(ref, this.nodes, path);
  }

  /** The sensor a name stands for (the hub's BLE device), when it names one rather than a node. */
  device(ref: string | undefined): NodeRef | undefined {
    const named = ref === undefined ? [] : (this.nodes ?? []).filter((n) => n.name === ref);
    return named.some((n) => n.component === undefined) ? undefined : named.find((n) => n.component !== undefined);
  }

  series(s: SeriesRef, path: string): SeriesTarget {
    const node = this.node(s.node, `${path}/node`);
    const device = this.device(s.node);
    // A BLE device's series are the hub's chain's, under its component: `component: "ble"` (or its own `ble-<mac>`) says so.
    if (device && s.component !== 'ble' && s.component !== device.component)
      throw new RuleError(
        'invalid',
        `${path}/component`,
        `'${s.node}' is a BLE device of the hub: its component is 'ble' (or '${device.component}'), not '${s.component}'`,
      );
    const component = device?.component ?? s.component;
    const label = s.name === undefined ? `${s.node}/${s.component} (state)` : `${s.node}/${s.component}/${s.name}`;
    return { node, key: seriesKey(node, component, s.name), label };
  }

  trigger(t: TriggerDoc, i: number): CompiledTrigger {
    const path = `/triggers/${i}`;
    const id = t.id ?? String(i);
    switch (t.kind) {
      case 'event': {
        let matches: TopicMatcher;
        try {
          matches = compileTopicPattern(t.type);
        } catch (e) {
          throw new RuleError('invalid', `${path}/type`, (e as Error).message);
        }
        const node = t.node === undefined ? undefined : this.node(t.node, `${path}/node`);
        const component = this.device(t.node)?.component ?? t.component;
        return { kind: 'event', id, path, type: t.type, matches, node, component, data: t.match };
      }
      case 'numeric':
        return {
          kind: 'numeric',
          id,
          path,
          series: this.series(t.series, `${path}/series`),
          above: t.above,
          below: t.below,
          hysteresis: t.hysteresis ?? 0,
          forMs: ms(t.for, `${path}/for`),
        };
      case 'state':
        return {
          kind: 'state',
          id,
          path,
          series: this.series(t.series, `${path}/series`),
          from: list(t.from),
          to: list(t.to),
          forMs: ms(t.for, `${path}/for`),
        };
      case 'time':
        return { kind: 'schedule', id, path, text: `at ${t.at}${t.days ? ' on ' + t.days.join(',') : ''}`, schedule: dailySchedule(t.at, t.days) };
      case 'cron':
        try {
          return { kind: 'schedule', id, path, text: `cron '${t.cron}'`, schedule: parseCron(t.cron) };
        } catch (e) {
          throw new RuleError('invalid', `${path}/cron`, (e as Error).message);
        }
      case 'absence': {
        const forMs = ms(t.for, `${path}/for`);
        if (forMs <= 0) throw new RuleError('invalid', `${path}/for`, 'must be longer than 0');
        const label = t.component === undefined ? t.node : `${t.node}/${t.component}`;
        const component = this.device(t.node)?.component ?? t.component;
        return { kind: 'absence', id, path, node: this.node(t.node, `${path}/node`), component, label, forMs };
      }
    }
  }

  condition(c: ConditionDoc, path: string, triggerIds: ReadonlySet<string>): CompiledCondition {
    switch (c.kind) {
      case 'and':
      case 'or':
        return { kind: c.kind, path, items: c.conditions.map((x, i) => this.condition(x, `${path}/conditions/${i}`, triggerIds)) };
      case 'not':
        return { kind: 'not', path, item: this.condition(c.condition, `${path}/condition`, triggerIds) };
      case 'numeric':
        return { kind: 'numeric', path, series: this.series(c.series, `${path}/series`), above: c.above, below: c.below };
      case 'state':
        return { kind: 'state', path, series: this.series(c.series, `${path}/series`), is: list(c.is) as Scalar[] };
      case 'time':
        return {
          kind: 'time',
          path,
          after: c.after === undefined ? undefined : minuteOfDay(c.after),
          before: c.before === undefined ? undefined : minuteOfDay(c.before),
          days: days(c.days),
        };
      case 'trigger':
        c.ids.forEach((id, i) => {
          if (!triggerIds.has(id)) throw new RuleError('invalid', `${path}/ids/${i}`, `'${id}' is no trigger of this rule (${[...triggerIds].join(', ')})`);
        });
        return { kind: 'trigger', path, ids: c.ids };
    }
  }

  step(a: RuleDocument['actions'][number], i: number, triggerIds: ReadonlySet<string>): CompiledStep {
    const path = `/actions/${i}`;
    if (a.kind === 'delay') return { kind: 'delay', path, ms: ms(a.for, `${path}/for`) };
    const cond = a.if === undefined ? undefined : this.condition(a.if, `${path}/if`, triggerIds);
    const step: CompiledStep = { kind: 'action', path, if: cond, action: a, durations: {} };
    if (a.kind === 'output') {
      step.node = this.node(a.node, `${path}/node`);
      step.output = a.output ?? this.nodes?.find((n) => n.id === step.node)?.outputs?.find((o) => o.pin === a.pin)?.name;
      step.durations.expires = ms(a.expires, `${path}/expires`, 60_000);
    } else if (a.kind === 'webhook') {
      step.durations.timeout = ms(a.timeout, `${path}/timeout`, 10_000);
      step.durations.backoff = ms(a.backoff, `${path}/backoff`, 1_000);
    } else if (a.kind === 'emit' && /^system\.rule(\.|$)/.test(a.type)) {
      throw new RuleError('invalid', `${path}/type`, `'${a.type}': system.rule.* events record rule changes; a rule cannot emit them`);
    }
    return step;
  }
}

/**
 * Checks a rule document (schema, then what a schema cannot say: patterns,
 * cron fields, the zone, trigger ids, node references) and compiles it.
 * Throws RuleError naming the path of the first problem.
 */
export function compileRule(doc: unknown, options: CompileOptions = {}): CompiledRule {
  const bad = checkDocumentOnHost('rule', doc);
  if (bad) throw new RuleError('schema', bad.path, bad.message.slice(`rule: ${bad.path || '/'} `.length));
  const d = doc as RuleDocument;
  let zone: Zone;
  try {
    zone = zoneNamed(d.timeZone ?? options.timeZone ?? 'UTC');
  } catch (e) {
    throw new RuleError('invalid', d.timeZone === undefined ? '' : '/timeZone', (e as Error).message);
  }
  const c = new Compiler(options.nodes);
  const triggers = d.triggers.map((t, i) => c.trigger(t, i));
  const ids = new Set<string>();
  triggers.forEach((t, i) => {
    if (ids.has(t.id)) throw new RuleError('invalid', `/triggers/${i}${d.triggers[i].id === undefined ? '' : '/id'}`, `trigger id '${t.id}' is used twice`);
    ids.add(t.id);
  });
  return {
    id: d.id,
    version: ruleVersion(d),
    enabled: d.enabled !== false,
    doc: d,
    zone,
    mode: d.mode ?? 'single',
    max: d.max ?? 10,
    cooldownMs: ms(d.cooldown, '/cooldown'),
    triggers,
    conditions: (d.conditions ?? []).map((x, i) => c.condition(x, `/conditions/${i}`, ids)),
    steps: d.actions.map((a, i) => c.step(a, i, ids)),
  };
}
