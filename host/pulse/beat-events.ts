import type { Value, ValueMap } from '../../firmware/codec/value.js';
import type { HubEventInput } from '../hub/hub-log.js';
import type { Judgement, PulseMetrics, Transition, Verdict } from './pulse-types.js';

/** The component every Pulse event is made by. */
const PULSE_COMPONENT = 'pulse';

/** Plain data as the hub's chain stores it: no undefined fields. */
function defined(o: object): ValueMap {
  const out: ValueMap = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v as Value;
  return out;
}

function issue(v: Verdict): ValueMap {
  return defined({
    check: v.check,
    subject: v.subject,
    name: v.name,
    status: v.status,
    value: v.value,
    since: v.since,
    title: v.title,
    text: v.text,
    fix: v.fix,
  });
}

/** The type of a part of a beat: the figures of a group of nodes (schemas/event-data.schema.json). */
export const FIGURES_TYPE = 'system.pulse.figures';

/** Nodes a figures event carries at most: a part stays a few tens of KB, one short commit. */
export const PART_NODES = 100;

const unknownOf = (v: Verdict): ValueMap => ({ check: v.check, subject: v.subject, name: v.name, title: v.title });

/** What a figures part lists of its nodes' verdicts, by node id: the checks that knew nothing (`unknown`) and those not healthy (`issues`). */
export interface NodeVerdicts {
  unknown: Map<string, ValueMap[]>;
  issues: Map<string, ValueMap[]>;
}

const add = (m: Map<string, ValueMap[]>, k: string, v: ValueMap) => {
  const theirs = m.get(k);
  if (theirs) theirs.push(v);
  else m.set(k, [v]);
};

/** The nodes' unknown and not-healthy verdicts, by node id, in the judgement's order (the hub's stay in the beat). */
export function verdictsByNode(j: Judgement): NodeVerdicts {
  const out: NodeVerdicts = { unknown: new Map(), issues: new Map() };
  for (const v of j.verdicts) {
    if (v.subject === 'hub') continue;
    if (v.status === 'unknown') add(out.unknown, v.subject, unknownOf(v));
    else if (v.status !== 'healthy') add(out.issues, v.subject, issue(v));
  }
  return out;
}

/**
 * A beat's figures as system.pulse.figures events of at most PART_NODES
 * nodes each: what each node's figures, facts and sensors were, which
 * checks knew nothing about it (`unknown`) and which are not healthy
 * (`issues`, both from verdictsByNode), one part at a time as it is asked
 * for. Stored before the beat, which cites them.
 */
export function* figuresEvents(m: PulseMetrics, j: Judgement, verdicts: NodeVerdicts): Generator<HubEventInput, void, void> {
  const ids = Object.keys(m.nodes);
  for (let i = 0; i < ids.length; i += PART_NODES) {
    const nodes: ValueMap = {};
    const unknown: ValueMap[] = [];
    const issues: ValueMap[] = [];
    for (const id of ids.slice(i, i + PART_NODES)) {
      const n = m.nodes[id];
      nodes[id] = { name: n.name, figures: n.figures, facts: n.facts, sensors: n.sensors as unknown as ValueMap } as ValueMap;
      unknown.push(...(verdicts.unknown.get(id) ?? []));
      issues.push(...(verdicts.issues.get(id) ?? []));
    }
    yield { type: FIGURES_TYPE, component: PULSE_COMPONENT, data: { at: j.at, nodes, unknown, issues }, time: j.at };
  }
}

/** The type of a part of a beat: a group of its status changes (schemas/event-data.schema.json). */
export const CHANGES_TYPE = 'system.pulse.changes';

/** Changes a changes event carries, and a commit of pulse.<status> events says, at most: a few ms of work each. */
export const PART_CHANGES = 100;

/**
 * A beat's status changes as system.pulse.changes events of at most
 * PART_CHANGES changes each (`changes`, each as changeData made it), one
 * part at a time as it is asked for. Stored before the beat, which cites
 * them: what it is to say, read back whole should it be stopped saying it.
 */
export function* changesEvents(at: number, changes: readonly ValueMap[]): Generator<HubEventInput, void, void> {
  for (let i = 0; i < changes.length; i += PART_CHANGES)
    yield { type: CHANGES_TYPE, component: PULSE_COMPONENT, data: { at, changes: changes.slice(i, i + PART_CHANGES) }, time: at };
}

/**
 * A beat as a pulse.beat event: what it concluded (the status, the counts,
 * the hub's checks that are not healthy or know nothing), the hub's
 * figures, the figures events (`parts`) that carry the nodes' and the
 * changes events (`changeParts`) that carry its status changes, so a
 * restarted hub can judge again from the stored beats alone.
 */
export function beatEvent(
  m: PulseMetrics,
  j: Judgement,
  text: string,
  previous: string | undefined,
  parts: readonly string[],
  changeParts: readonly string[],
): HubEventInput {
  const count = { healthy: 0, degraded: 0, critical: 0, unknown: 0 };
  for (const v of j.verdicts) count[v.status]++;
  const data = defined({
    at: j.at,
    status: j.status,
    counts: count,
    issues: j.verdicts.filter((v) => (v.status === 'degraded' || v.status === 'critical') && v.subject === 'hub').map(issue),
    unknown: j.verdicts.filter((v) => v.status === 'unknown' && v.subject === 'hub').map(unknownOf),
    text,
    hub: m.hub,
    facts: m.hubFacts,
    parts: [...parts],
    changeParts: changeParts.length ? [...changeParts] : undefined,
    previous,
  });
  return { type: 'pulse.beat', component: PULSE_COMPONENT, data, time: j.at };
}

/** A status change as a system.pulse.changes part keeps it: the pulse.<to> event's data, `causes` the subject's evidence (changeEvent puts the beat first). */
export function changeData(t: Transition, evidence: readonly string[]): ValueMap {
  return defined({
    check: t.check,
    subject: t.subject,
    name: t.name,
    from: t.from,
    to: t.to,
    value: t.value,
    title: t.title,
    text: t.text,
    fix: t.fix,
    at: t.at,
    causes: [...evidence],
  });
}

/** A status change (changeData) as a pulse.<to> event (pulse.critical, pulse.degraded, pulse.healthy, pulse.unknown), citing the beat that says it, then the subject's evidence. */
export function changeEvent(change: ValueMap, beat: string): HubEventInput {
  const evidence = Array.isArray(change.causes) ? change.causes : [];
  return { type: `pulse.${String(change.to)}`, component: PULSE_COMPONENT, data: { ...change, causes: [beat, ...evidence] }, time: change.at as number };
}

/** The metrics a stored pulse.beat carried, to judge them again on a restart. */
export function metricsOfBeat(d: ValueMap): PulseMetrics | undefined {
  if (typeof d.at !== 'number' || typeof d.hub !== 'object' || typeof d.nodes !== 'object') return undefined;
  return {
    at: d.at,
    hub: d.hub as Record<string, number>,
    hubFacts: (d.facts ?? {}) as Record<string, string>,
    nodes: d.nodes as unknown as PulseMetrics['nodes'],
  };
}
