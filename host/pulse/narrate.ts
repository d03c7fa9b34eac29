import { bytesText, ClockText, capitalize, countText, durationText, listText, numberWord, percentText } from './narrate-format.js';
import { type Judgement, type PulseMetrics, STATUS_RANK, type Verdict } from './pulse-types.js';

/** A sensor's lifecycle change (a sensor.state event) as the paragraph tells it. */
export interface SensorChange {
  /** The node's name. */
  node: string;
  /** The sensor as people read it ("BME280"). */
  sensor: string;
  /** Lifecycle states: starting, running (or ok), degraded, failed, unplugged, reconnecting. */
  from: string;
  to: string;
  /** The hub's clock. */
  at: number;
}

export interface NarrateOptions {
  /** The IANA zone times are told in; UTC by default. */
  timeZone?: string;
  /** Sensor changes; those of the 24 h before the beat are told. */
  recent?: readonly SensorChange[];
}

const SILENT_CHECK = 'node.silent';
/** A node silent for more than this many of its usual intervals is not reporting, whatever its verdict says yet. */
const SILENT_RATIO = 3;
const DAY_MS = 86_400_000;
/** Sentences of each kind told at most, so the paragraph stays readable (and within a beat's 20,000 characters) on a thousand nodes. */
const MOST_SENTENCES = 12;

/** The first MOST_SENTENCES sentences, then how many more there are of `what`. */
function atMost(sentences: string[], what: string): string[] {
  if (sentences.length <= MOST_SENTENCES) return sentences;
  return [...sentences.slice(0, MOST_SENTENCES), `And ${numberWord(sentences.length - MOST_SENTENCES)} more ${what}.`];
}

/**
 * The paragraph that answers "how am I doing?": how many nodes report, what
 * is wrong (critical first, each verdict's own text), the sensor changes of
 * the last day, the store and the disk, and what cannot be judged yet.
 * Pure: the beat's `at` is "now".
 */
export function narrate(m: PulseMetrics, j: Judgement, o: NarrateOptions = {}): string {
  const clock = new ClockText(o.timeZone ?? 'UTC', m.at);
  const silent = silentNodes(m, j);
  const issues = atMost(issueSentences(m, j, silent), 'issues (fazt pulse lists them all)');
  const unknown = unknownSentence(m, j);
  const parts: string[] = [];
  if (issues.length === 0) parts.push(unknown ? 'Everything I can judge looks healthy.' : 'Everything looks healthy.');
  parts.push(
    nodeCountSentence(
      Object.values(m.nodes).map((n) => n.name),
      silent.size,
    ),
    ...issues,
  );
  parts.push(...atMost(sensorSentences(o.recent ?? [], m.at, clock), 'sensor troubles in the last day'), storeSentence(m.hub), unknown);
  return parts.filter((s) => s !== '').join(' ');
}

function silentNodes(m: PulseMetrics, j: Judgement): Set<string> {
  const silent = new Set<string>();
  for (const v of j.verdicts)
    if (v.check === SILENT_CHECK && (v.status === 'degraded' || v.status === 'critical') && v.subject in m.nodes) silent.add(v.subject);
  for (const [id, n] of Object.entries(m.nodes)) if ((n.figures.silentRatio ?? 0) > SILENT_RATIO) silent.add(id);
  return silent;
}

/** Up to this many nodes, all of them reporting are named. */
const NAMED_NODES = 8;

function nodeCountSentence(names: string[], silent: number): string {
  const total = names.length;
  const reporting = total - silent;
  if (total === 0) return 'No nodes are enrolled yet.';
  if (total === 1) return reporting === 1 ? `The only node, ${names[0]}, is reporting.` : 'The only node is not reporting.';
  if (reporting === total) {
    const all = total === 2 ? 'Both nodes are reporting' : `All ${numberWord(total)} nodes are reporting`;
    if (total > NAMED_NODES) return `${all}.`;
    const sorted = [...names].sort();
    return `${all}: ${sorted.slice(0, -1).join(', ')} and ${sorted[sorted.length - 1]}.`;
  }
  if (reporting === 0) return total === 2 ? 'Neither node is reporting.' : `None of the ${numberWord(total)} nodes is reporting.`;
  return `${capitalize(numberWord(reporting))} of ${numberWord(total)} nodes ${reporting === 1 ? 'is' : 'are'} reporting.`;
}

function sentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Each degraded or critical verdict's text, critical first, each said once; a silent node is named once. */
function issueSentences(m: PulseMetrics, j: Judgement, silent: ReadonlySet<string>): string[] {
  const bad = j.verdicts.filter((v) => STATUS_RANK[v.status] > STATUS_RANK.healthy).sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status]);
  const said = new Set<string>();
  const silenceTold = new Set<string>();
  const out: string[] = [];
  const say = (s: string) => {
    if (said.has(s)) return;
    said.add(s);
    out.push(s);
  };
  for (const v of bad) {
    if (v.check === SILENT_CHECK) {
      if (silenceTold.has(v.subject)) continue;
      silenceTold.add(v.subject);
    }
    say(sentence(v.text ?? fallbackText(v)));
  }
  for (const id of silent) {
    if (silenceTold.has(id)) continue;
    const { name, figures } = m.nodes[id];
    const since = figures.lastSeenMs;
    const every = figures.expectedMs;
    if (since === undefined) say(`The ${name} node is not reporting.`);
    else say(`The ${name} node has been silent for ${durationText(since)}${every === undefined ? '' : `; it usually reports every ${durationText(every)}`}.`);
  }
  return out;
}

function fallbackText(v: Verdict): string {
  return `${v.title}: ${v.name} is ${v.status}`;
}

function unknownSentence(m: PulseMetrics, j: Judgement): string {
  const groups = new Map<string, Set<string>>();
  for (const v of j.verdicts) {
    if (v.status !== 'unknown') continue;
    const names = groups.get(v.title) ?? new Set<string>();
    if (v.subject in m.nodes) names.add(v.name);
    groups.set(v.title, names);
  }
  if (groups.size === 0) return '';
  const items = [...groups].map(([title, named]) => {
    const nodes = [...named];
    if (nodes.length === 0) return title;
    if (nodes.length > 3) return `${title} for ${numberWord(nodes.length)} nodes`;
    return `${title} for ${listText(nodes)}`;
  });
  return `I cannot judge yet: ${items.join(', ')} (no data).`;
}

function storeSentence(hub: Record<string, number>): string {
  const { events, storeBytes, diskFreeRatio } = hub;
  const disk = diskFreeRatio === undefined ? '' : `the disk has ${percentText(diskFreeRatio)} free`;
  let store = '';
  if (events !== undefined)
    store = `The store holds ${countText(events)} event${events === 1 ? '' : 's'}${storeBytes === undefined ? '' : ` (${bytesText(storeBytes)})`}`;
  else if (storeBytes !== undefined) store = `The store holds ${bytesText(storeBytes)}`;
  if (store === '') return disk === '' ? '' : `${capitalize(disk)}.`;
  return disk === '' ? `${store}.` : `${store}; ${disk}.`;
}

/** How a state reads: going into it, coming back out, and still in it. */
function words(state: string): { went: string; back: string; being: string; since: string } {
  if (state === 'unplugged') return { went: 'was unplugged', back: 'came back', being: 'being unplugged', since: 'has been unplugged since' };
  if (state === 'failed') return { went: 'failed', back: 'recovered', being: 'failing', since: 'has been failing since' };
  if (state === 'degraded') return { went: 'became degraded', back: 'recovered', being: 'being degraded', since: 'has been degraded since' };
  return { went: `was ${state}`, back: 'recovered', being: `being ${state}`, since: `has been ${state} since` };
}

// `starting` is neither: a sensor coming up at boot.
const isGood = (s: string) => s === 'running' || s === 'ok';
const isDown = (s: string) => !isGood(s) && s !== 'starting';

/** Which state an episode is told by: the worst it reached (a sensor goes degraded at its first fault, unplugged a few faults later). */
const SEVERITY: Record<string, number> = { degraded: 1, unplugged: 2, failed: 3 };
const worse = (a: string, b: string) => ((SEVERITY[b] ?? 0) > (SEVERITY[a] ?? 0) ? b : a);

interface Episode {
  sensor: string;
  subject: string;
  state: string;
  start?: number;
  end?: number;
}

/** One sentence per sensor and kind of trouble: down and back, still down, or down several times. */
function sensorSentences(recent: readonly SensorChange[], now: number, clock: ClockText): string[] {
  const changes = recent.filter((c) => c.at > now - DAY_MS && c.at <= now).sort((a, b) => a.at - b.at);
  const open = new Map<string, Episode>();
  const episodes: Episode[] = [];
  for (const c of changes) {
    const subject = `The ${c.node} ${c.sensor}`;
    const sensor = `${c.node}\0${c.sensor}`;
    const current = open.get(sensor);
    if (isGood(c.to)) {
      if (current) (current.end = c.at), open.delete(sensor);
      else if (isDown(c.from)) episodes.push({ sensor, subject, state: c.from, end: c.at });
    } else if (isDown(c.to)) {
      // reconnecting is a retry of the state it came from, not a trouble of its own
      const state = c.to === 'reconnecting' && isDown(c.from) ? c.from : c.to;
      if (current) current.state = worse(current.state, state);
      else {
        const e = { sensor, subject, state, start: c.at };
        open.set(sensor, e);
        episodes.push(e);
      }
    }
  }
  const byKey = new Map<string, Episode[]>();
  for (const e of episodes) {
    const key = `${e.sensor}\0${e.state}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  return [...byKey.values()].map((list) => {
    const last = list[list.length - 1];
    const w = words(last.state);
    const at = (t: number | undefined) => clock.at(t ?? now);
    let told: string;
    if (list.length > 1) {
      const times = list.length === 2 ? 'twice' : `${numberWord(list.length)} times`;
      told =
        last.end === undefined
          ? `${w.went} ${times} and ${w.since} ${at(last.start)}`
          : `${w.went} ${times}, the last at ${at(last.start)}; it ${w.back} at ${at(last.end)}`;
    } else if (last.end === undefined) told = `${w.since} ${at(last.start)}`;
    else if (last.start === undefined) told = `${w.back} at ${at(last.end)} after ${w.being}`;
    else told = `${w.went} at ${at(last.start)} and ${w.back} at ${at(last.end)}`;
    return `${last.subject} ${told}.`;
  });
}
