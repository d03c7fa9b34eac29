/**
 * Loaded into the hub of bench/soak with `node --import` (bench only; the
 * hub's code is untouched): measures what the senders cannot see apart from
 * their own delays. (a) The hub's service time of each POST /v1/uplink, from
 * the parsed request head (http.server.request.start) to the last byte of
 * its reply handed to the kernel (http.server.response.finish): body read,
 * decoding, the group commit it waits for, the signed ack. (b) The hub's
 * event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) and
 * its garbage-collection pauses. (c) Its longest synchronous tasks seen
 * from the outside: the gaps between event-loop turns (a check timer every
 * 5 ms that measures how late it runs). (d) The start's storm: the first
 * request on each connection apart (its wait from the accept to its parsed
 * head, its service time) and the hub's time second by second
 * (bench/soak-phases.ts). (e) Each minute: memory (RSS, V8's heap and its
 * spaces, external) and that minute's service times; in the windows of
 * FAZT_SOAK_CPU_PROFILES, a CPU profile and each SQL statement's time.
 * (f) FAZT_SOAK_HEAP_SNAPSHOTS="180,720": a V8 heap snapshot at those seconds
 * and, each minute, the heap still live after a full collection (what is
 * kept, not what awaits the collector). (g) Each minute: the hub's
 * fdatasyncs (the group commit's WAL syncs, in libuv's threadpool) timed
 * from call to callback, and the bytes the process wrote to storage (its
 * /proc io, the checkpoint thread's too). Written as JSON to FAZT_SOAK_PROBE
 * when the process exits.
 */
import { subscribe } from 'node:diagnostics_channel';
import { openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { constants, createHistogram, monitorEventLoopDelay, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { phaseSeconds, uplinkStarted } from './soak-phases.js';

// tsx (loaded to run this file) turns source maps on, and Node would then keep dist/fazt.js's 3-MB map decoded in the
// hub's heap: off again before the hub loads, so its memory is as without the probe.
process.setSourceMapsEnabled(false);
const out = process.env.FAZT_SOAK_PROBE;
if (!out) throw new Error('bench/soak-probe: FAZT_SOAK_PROBE (the file to write the figures to) is not set');

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
/** Service times in microseconds; `steady`: those after FAZT_SOAK_WARMUP_MS from the first uplink (a start's storm left out). */
const service = createHistogram();
const steady = createHistogram();
const warmupMs = Number(process.env.FAZT_SOAK_WARMUP_MS ?? 0);
let firstUplink: number | undefined;
const started = new WeakMap<IncomingMessage, number>();
/** The first uplink on each connection: accept → head parsed, and its service time (µs). */
const acceptWait = createHistogram();
const freshService = createHistogram();
const accepted = new WeakMap<Socket, number>();
const fresh = new WeakSet<IncomingMessage>();
/** Each address's first uplink in epoch ms (to be joined with the senders' clock, the same machine's): accepted, head parsed, replied. */
const firstByAddress = new Map<string, { accepted: number; head: number; replied?: number }>();
const epoch = (t: number) => performance.timeOrigin + t;
subscribe('net.server.socket', (m) => accepted.set((m as { socket: Socket }).socket, performance.now()));
subscribe('http.server.request.start', (m) => {
  const { request } = m as { request: IncomingMessage };
  if (request.method !== 'POST' || request.url !== '/v1/uplink') return;
  const now = performance.now();
  firstUplink ??= now;
  started.set(request, now);
  if (uplinkStarted(request.socket)) {
    fresh.add(request);
    const a = accepted.get(request.socket);
    if (a !== undefined) acceptWait.record(Math.max(1, Math.round((now - a) * 1000)));
    const address = request.socket.remoteAddress;
    if (a !== undefined && address && !firstByAddress.has(address)) firstByAddress.set(address, { accepted: epoch(a), head: epoch(now) });
  }
});
subscribe('http.server.response.finish', (m) => {
  const { request } = m as { request: IncomingMessage; response: ServerResponse };
  const t = started.get(request);
  if (t === undefined) return;
  const us = Math.max(1, Math.round((performance.now() - t) * 1000));
  service.record(us);
  if (fresh.has(request)) {
    freshService.record(us);
    const f = firstByAddress.get(request.socket.remoteAddress ?? '');
    if (f && f.replied === undefined) f.replied = epoch(performance.now());
  }
  if (t - (firstUplink ?? t) >= warmupMs) steady.record(us);
});

const gc = createHistogram();
const gcKinds = new Map<number, { count: number; ms: number }>();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.record(Math.max(1, Math.round(e.duration * 1000)));
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
    const k = gcKinds.get(kind) ?? { count: 0, ms: 0 };
    k.count++;
    k.ms += e.duration;
    gcKinds.set(kind, k);
  }
}).observe({ entryTypes: ['gc'] });

/**
 * Turns that blocked the loop 50 ms or more: when (ms since the probe started) and for how long; and each one's span
 * on the monotonic clock a CPU profile's times use (µs), so bench/soak names what ran in it from the profile.
 */
const blocked: { at: number; ms: number }[] = [];
/** `cpuMs`: the main thread's time on a CPU in the span (the rest it waited for one, or in a system call). */
const blockedSpans: { from: number; to: number; cpuMs: number }[] = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
/** The main thread's time on a CPU so far (ns, /proc's schedstat; its id is the process's). */
// Kept open and read at offset 0 (a fresh reading each time): 2 µs a read against 17 for readFileSync, 200 reads a second
// of the probe's own that bench/soak would count as the hub's CPU.
const schedstat = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
const schedstatBuffer = Buffer.alloc(128);
const onCpuNs = () => Number(schedstatBuffer.toString('latin1', 0, readSync(schedstat, schedstatBuffer, 0, schedstatBuffer.length, 0)).split(' ')[0]);
const t0 = performance.now();
let last = performance.now();
let lastUs = monotonicUs();
let lastCpu = onCpuNs();
const CHECK_MS = 5;
setInterval(() => {
  const now = performance.now();
  const nowUs = monotonicUs();
  const cpu = onCpuNs();
  const late = now - last - CHECK_MS;
  if (late >= 50) {
    blocked.push({ at: Math.round(last - t0), ms: Math.round(late) });
    if (blockedSpans.length < 10_000) blockedSpans.push({ from: lastUs, to: nowUs, cpuMs: (cpu - lastCpu) / 1e6 });
  }
  last = now;
  lastUs = nowUs;
  lastCpu = cpu;
}, CHECK_MS).unref();

/**
 * Every minute: memory (process, V8 heap, external/array buffers: SQLite's page cache lives in RSS outside them) and
 * that minute's service-time p50/p99, so what grows is seen by when, not only over the whole run.
 */
const minutes: Record<string, number>[] = [];
let minute = createHistogram();
subscribe('http.server.response.finish', (m) => {
  const t = started.get((m as { request: IncomingMessage }).request);
  if (t === undefined) return;
  const now = performance.now();
  minute.record(Math.max(1, Math.round((now - t) * 1000)));
  const s = lastSync;
  if (s && s.from >= t) {
    beforeSync.record(Math.max(1, Math.round((s.from - t) * 1000)));
    inSync.record(Math.max(1, Math.round((s.to - s.from) * 1000)));
    afterSync.record(Math.max(1, Math.round((now - s.to) * 1000)));
  }
});
/**
 * The hub's fdatasync calls timed (fs.fdatasync wrapped before the hub's bundle loads; syncBuiltinESMExports makes its
 * `import { fdatasync } from 'node:fs'` see the wrapper): a sync the group commit's acks wait for, so a minute whose
 * service time grew is told apart as waiting for the disk or not.
 */
let minuteSyncs = createHistogram();
/** The last sync done: a reply that follows it waited for it (the group commit acks right after its sync). */
let lastSync: { from: number; to: number } | undefined;
/** Each minute, an uplink's service time in three: head parsed → the covering sync began, the sync, its end → reply written (µs). */
let beforeSync = createHistogram();
let inSync = createHistogram();
let afterSync = createHistogram();
const fsModule = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const fdatasyncOriginal = fsModule.fdatasync;
fsModule.fdatasync = ((fd: number, done: (e: NodeJS.ErrnoException | null) => void) => {
  const t = performance.now();
  fdatasyncOriginal(fd, (e) => {
    const end = performance.now();
    minuteSyncs.record(Math.max(1, Math.round((end - t) * 1000)));
    lastSync = { from: t, to: end };
    done(e);
  });
}) as typeof fsModule.fdatasync;
syncBuiltinESMExports();
/** Bytes this process caused to be written to storage so far (/proc/self/io's write_bytes, every thread). */
const writtenBytes = () => Number(/^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
let lastWritten = writtenBytes();
/** FAZT_SOAK_HEAP_SNAPSHOTS (s since the probe started): heap snapshots then, and a full collection before each minute's figures. */
const heapSnapshots = (process.env.FAZT_SOAK_HEAP_SNAPSHOTS ?? '')
  .split(',')
  .filter((s) => s !== '')
  .map(Number);
/** A full collection on demand (V8's gc(), exposed for this probe only when heap snapshots are asked for). */
const collect = (() => {
  if (heapSnapshots.length === 0) return undefined;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
for (const at of heapSnapshots) setTimeout(() => writeHeapSnapshot(`${out}.${at}.heapsnapshot`), at * 1000).unref();
setInterval(() => {
  collect?.();
  const mem = process.memoryUsage();
  const heap = getHeapStatistics();
  const written = writtenBytes();
  minutes.push({
    at: Math.round((performance.now() - t0) / 1000),
    uplinks: minute.count,
    p50: minute.count > 0 ? minute.percentile(50) / 1000 : Number.NaN,
    p99: minute.count > 0 ? minute.percentile(99) / 1000 : Number.NaN,
    syncs: minuteSyncs.count,
    syncP50: minuteSyncs.count > 0 ? minuteSyncs.percentile(50) / 1000 : Number.NaN,
    syncP99: minuteSyncs.count > 0 ? minuteSyncs.percentile(99) / 1000 : Number.NaN,
    writtenMB: (written - lastWritten) / 1e6,
    // Only replies whose covering sync began after their head (others' sync began before it, or none ran): p50s.
    beforeSyncP50: beforeSync.count > 0 ? beforeSync.percentile(50) / 1000 : Number.NaN,
    inSyncP50: inSync.count > 0 ? inSync.percentile(50) / 1000 : Number.NaN,
    afterSyncP50: afterSync.count > 0 ? afterSync.percentile(50) / 1000 : Number.NaN,
    splitCount: beforeSync.count,
    rss: mem.rss / 1e6,
    heapUsed: mem.heapUsed / 1e6,
    heapTotal: mem.heapTotal / 1e6,
    external: mem.external / 1e6,
    arrayBuffers: mem.arrayBuffers / 1e6,
    malloced: heap.malloced_memory / 1e6,
    contexts: heap.number_of_native_contexts,
    // Which of V8's spaces holds what is used and what is only reserved (old, large objects, code, new).
    ...Object.fromEntries(
      getHeapSpaceStatistics().flatMap((sp) => [
        [`${sp.space_name}Used`, sp.space_used_size / 1e6],
        [`${sp.space_name}Size`, sp.space_size / 1e6],
      ]),
    ),
  });
  minute = createHistogram();
  minuteSyncs = createHistogram();
  beforeSync = createHistogram();
  inSync = createHistogram();
  afterSync = createHistogram();
  lastWritten = written;
}, 60_000).unref();

/**
 * FAZT_SOAK_CPU_PROFILES="120-180,660-720" (s since the probe started): a CPU profile of each window, written beside
 * FAZT_SOAK_PROBE as <file>.<start>-<end>.cpuprofile, so an early and a late minute can be compared function by function.
 */
const profileWindows = (process.env.FAZT_SOAK_CPU_PROFILES ?? '')
  .split(',')
  .filter((w) => w !== '')
  .map((w) => w.split('-').map(Number) as [number, number]);
/**
 * In the same windows, the time each SQL statement took (better-sqlite3's Statement methods timed, a transaction's
 * COMMIT among them: its fsync), so a statement whose cost grows with the cartridge is named.
 */
const sqlTimes: Record<string, Record<string, { calls: number; ms: number }>> = {};
let sqlWindow: Map<string, { calls: number; ms: number }> | undefined;
if (profileWindows.length > 0) {
  // The hub's own better-sqlite3 (resolved from the CLI it runs), so its statements are the ones timed.
  type Timed = Record<'run' | 'get' | 'all', (this: { source: string }, ...args: unknown[]) => unknown>;
  const Database = createRequire(process.argv[1])('better-sqlite3') as new (file: string) => { prepare(sql: string): Timed };
  const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as Timed;
  /** Each statement's SQL as a key, made once (a 32-row INSERT's text is long: no regex per call). */
  const keys = new WeakMap<object, string>();
  for (const method of ['run', 'get', 'all'] as const) {
    const original = proto[method];
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!sqlWindow) return original.apply(this, args);
      const t = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        let key = keys.get(this);
        if (key === undefined) keys.set(this, (key = this.source.replace(/\s+/g, ' ').slice(0, 160)));
        const x = sqlWindow.get(key) ?? { calls: 0, ms: 0 };
        x.calls++;
        x.ms += performance.now() - t;
        sqlWindow.set(key, x);
      }
    };
  }
  const session = new Session();
  session.connect();
  for (const [from, to] of profileWindows) {
    setTimeout(async () => {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      sqlWindow = new Map();
      setTimeout(
        async () => {
          const { profile } = await session.post('Profiler.stop');
          writeFileSync(`${out}.${from}-${to}.cpuprofile`, JSON.stringify(profile));
          if (sqlWindow) sqlTimes[`${from}-${to}`] = Object.fromEntries([...sqlWindow].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40));
          sqlWindow = undefined;
        },
        (to - from) * 1000,
      ).unref();
    }, from * 1000).unref();
  }
}

const us = (h: { percentile(p: number): number; max: number; count?: number }) => ({
  p50: h.percentile(50) / 1000,
  p99: h.percentile(99) / 1000,
  max: h.max / 1000,
});
const gcName: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
process.on('exit', () => {
  writeFileSync(
    out,
    JSON.stringify({
      serviceMs: { count: service.count, ...us(service) },
      freshServiceMs: { count: freshService.count, ...us(freshService) },
      acceptWaitMs: { count: acceptWait.count, ...us(acceptWait) },
      seconds: phaseSeconds(),
      firstByAddress: Object.fromEntries(firstByAddress),
      steadyServiceMs: { count: steady.count, ...(steady.count > 0 ? us(steady) : { p50: Number.NaN, p99: Number.NaN, max: Number.NaN }) },
      loopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
      gcMs: { count: gc.count, ...us(gc), byKind: Object.fromEntries([...gcKinds].map(([k, v]) => [gcName[k] ?? String(k), v])) },
      blocked: blocked.sort((a, b) => b.ms - a.ms).slice(0, 20),
      blockedCount: blocked.length,
      blockedSpans,
      minutes,
      sqlTimes,
    }),
  );
});
