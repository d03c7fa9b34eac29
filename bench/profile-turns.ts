/**
 * What ran in an event loop's long turns, read from a V8 CPU profile (the
 * `.cpuprofile` of `node --cpu-prof` or of node:inspector's Profiler). A
 * sample is the stack the thread was in when it was taken; `timeDeltas` are
 * the times between samples, on the monotonic clock (µs) that
 * process.hrtime also reads. A long turn is given as a span of that clock
 * (bench/soak-probe.ts records each turn that held its check timer up 50 ms
 * or more), or, without one, found as a stretch of consecutive samples none
 * of which is `(idle)` (the thread waiting in libuv for I/O or a timer):
 * one turn or several with no wait between them, as long a wait for a
 * request either way. A turn's samples are summed into the frames with the
 * most time of their own (self) and the project's frames most of it ran
 * under (inclusive), each named by function and source file, and into one
 * name for the turn: the innermost of the project's frames holding at least
 * half of it. Used by bench/soak and bench/long-turns.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The parts of a .cpuprofile read here (Chrome DevTools protocol's Profiler.Profile). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface FrameTime {
  frame: string;
  ms: number;
}
export interface LongTurn {
  /** ms from the profile's start. */
  at: number;
  ms: number;
  /** The sampled time in it that was not idle (ms). */
  busy: number;
  /** Most time first. */
  self: FrameTime[];
  /** The project's own frames (not Node's, not a package's) most of the turn ran under, most time first. */
  inclusive: FrameTime[];
  /** The innermost of the project's frames that holds at least half the turn's busy time, else its top self frame. */
  cause: string;
  /** The thread's time on a CPU in the turn, where the span's recorder measured it. */
  cpuMs?: number;
}

/** Frames that say only that JS was running, not what: never a turn's cause. */
const GENERIC = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

/** A profile read for turns: each sample's time, its stack's names, whether it is idle. */
export class ProfileTurns {
  private readonly byId: Map<number, CpuProfile['nodes'][number]>;
  private readonly parent = new Map<number, number>();
  private readonly names = new Map<number, string>();
  /** Sample i was taken at times[i] (µs) and stands for the time until the next one. */
  private readonly times: number[] = [];

  /** `sourceMaps`: a bundle's map by its URL (bundleMap), so its frames are named by source file; `top`: frames listed per turn. */
  constructor(
    private readonly profile: CpuProfile,
    private readonly sourceMaps?: Map<string, SourceMap>,
    private readonly top = 3,
  ) {
    if (profile.samples.length !== profile.timeDeltas.length)
      throw new RangeError(`the profile has ${profile.samples.length} samples but ${profile.timeDeltas.length} time deltas`);
    this.byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const n of profile.nodes) for (const c of n.children ?? []) this.parent.set(c, n.id);
    let t = profile.startTime;
    for (const d of profile.timeDeltas) this.times.push((t += d));
  }

  /** The profile's span on the monotonic clock (µs). */
  get span(): { from: number; to: number } {
    return { from: this.profile.startTime, to: this.times.at(-1) ?? this.profile.startTime };
  }

  /** Stretches of at least `minMs` without an idle sample, longest first. */
  stretches(minMs: number): LongTurn[] {
    if (!(minMs > 0)) throw new RangeError(`minMs must be a positive number of ms, got ${minMs}`);
    const turns: LongTurn[] = [];
    const n = this.times.length;
    for (let i = 0; i < n; i++) {
      if (this.idle(i)) continue;
      let j = i;
      while (j + 1 < n && !this.idle(j + 1)) j++;
      const ms = (this.until(j) - this.times[i]) / 1000;
      if (ms >= minMs) turns.push(this.turn(i, j, this.times[i], ms));
      i = j;
    }
    return turns.sort((a, b) => b.ms - a.ms);
  }

  /** The turns given as spans of the monotonic clock (µs), those the profile covers, longest first; `cpuMs` is carried along. */
  within(spans: { from: number; to: number; cpuMs?: number }[]): LongTurn[] {
    const turns: LongTurn[] = [];
    for (const s of spans) {
      if (s.from < this.profile.startTime || s.to > this.span.to) continue;
      const i = this.times.findIndex((t) => t >= s.from);
      let j = i;
      while (j + 1 < this.times.length && this.times[j + 1] <= s.to) j++;
      if (i >= 0) turns.push({ ...this.turn(i, j, s.from, (s.to - s.from) / 1000), cpuMs: s.cpuMs });
    }
    return turns.sort((a, b) => b.ms - a.ms);
  }

  private until(i: number): number {
    return this.times[i + 1] ?? this.times[i];
  }

  private idle(i: number): boolean {
    return this.byId.get(this.profile.samples[i])?.callFrame.functionName === '(idle)';
  }

  private nameOf(id: number): string {
    let name = this.names.get(id);
    if (name === undefined) {
      const f = this.byId.get(id)?.callFrame;
      name = f === undefined ? `(node ${id})` : frameName(f, this.sourceMaps);
      this.names.set(id, name);
    }
    return name;
  }

  /** The project's code: not Node's, not a package's, not bench/soak's probe measuring from inside the hub. */
  private own(id: number): boolean {
    const url = this.byId.get(id)?.callFrame.url ?? '';
    return url !== '' && !url.startsWith('node:') && !url.includes('/node_modules/') && !/\/bench\/soak-(probe|phases)\.ts$/.test(url);
  }

  private turn(from: number, to: number, startUs: number, ms: number): LongTurn {
    const self = new Map<string, number>();
    const inclusive = new Map<string, number>();
    /** Each own frame's depth among the own frames, to find the innermost of those holding half the turn. */
    const depth = new Map<string, number>();
    let busy = 0;
    for (let k = from; k <= to; k++) {
      if (this.idle(k)) continue;
      const weight = (this.until(k) - this.times[k]) / 1000;
      busy += weight;
      const leaf = this.profile.samples[k];
      const leafName = this.nameOf(leaf);
      self.set(leafName, (self.get(leafName) ?? 0) + weight);
      const stack: string[] = [];
      for (let id: number | undefined = leaf; id !== undefined; id = this.parent.get(id)) if (this.own(id)) stack.push(this.nameOf(id));
      const seen = new Set<string>();
      for (const [d, name] of stack.reverse().entries()) {
        if (seen.has(name)) continue; // recursion counts a frame once
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
        depth.set(name, Math.max(depth.get(name) ?? 0, d));
      }
    }
    const ranked = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, this.top)
        .map(([frame, t]) => ({ frame, ms: t }));
    const halves = [...inclusive].filter(([, t]) => t >= busy / 2).sort((a, b) => (depth.get(b[0]) ?? 0) - (depth.get(a[0]) ?? 0));
    const topSelf = ranked(self);
    return {
      at: (startUs - this.profile.startTime) / 1000,
      ms,
      busy,
      self: topSelf,
      inclusive: ranked(inclusive),
      cause: halves[0]?.[0] ?? topSelf[0]?.frame ?? '(no samples)',
    };
  }
}

/** `function file:line`, the file relative to the project (through the bundle's source map where there is one). */
function frameName(f: CpuProfile['nodes'][number]['callFrame'], maps: Map<string, SourceMap> | undefined): string {
  const fn = f.functionName === '' ? '(anonymous)' : f.functionName;
  if (f.url === '' || GENERIC.has(fn)) return fn;
  const entry = maps?.get(f.url)?.findEntry(f.lineNumber, f.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource !== undefined) return `${fn} ${shortPath(entry.originalSource)}:${entry.originalLine + 1}`;
  return `${fn} ${shortPath(f.url)}:${f.lineNumber + 1}`;
}
const shortPath = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*?\/(host|firmware|hal|bench|node_modules|dist)\//, '$1/');

/** The source map beside a bundle (`dist/fazt.js` → `dist/fazt.js.map`), keyed by the bundle's URL as a profile names it. */
export function bundleMap(bundleUrl: string): Map<string, SourceMap> {
  const map = JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0];
  return new Map([[bundleUrl, new SourceMap(map)]]);
}

/** A long turn on one line: when, how long, what it was, and its top self and inclusive frames. */
export function turnLine(turn: LongTurn): string {
  const list = (xs: FrameTime[]) => xs.map((x) => `${x.frame} ${x.ms.toFixed(0)}`).join(', ');
  const cpu = turn.cpuMs === undefined ? '' : `, ${turn.cpuMs.toFixed(0)} ms on a CPU`;
  return `${(turn.at / 1000).toFixed(1)} s, ${turn.ms.toFixed(0)} ms (${turn.busy.toFixed(0)} ms sampled busy${cpu}): ${turn.cause}; self: ${list(turn.self)}; under: ${list(turn.inclusive)}`;
}

/** Long turns grouped by what they were: count, total and longest ms each, most total first. */
export function turnCauses(turns: LongTurn[]): { cause: string; count: number; ms: number; longest: number }[] {
  const by = new Map<string, { cause: string; count: number; ms: number; longest: number }>();
  for (const t of turns) {
    const c = by.get(t.cause) ?? { cause: t.cause, count: 0, ms: 0, longest: 0 };
    c.count++;
    c.ms += t.ms;
    c.longest = Math.max(c.longest, t.ms);
    by.set(t.cause, c);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms);
}
