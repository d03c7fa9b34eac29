import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import { FaztError } from '../../hal/contracts/errors.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { answerTime, checkTimeAnswer, NONCE_BYTES, type TimeAnswer } from '../../firmware/time/time-answer.js';
import type { ClockState, ClockStateStore } from '../store/clock-state.js';
import { consensus, type ClockSample } from './consensus.js';
import { ntpStatus, type NtpStatus } from './ntp-status.js';

/** auto: peers only while NTP is not synchronised; peers: always (told to); system: never. */
export type TimeMode = 'auto' | 'peers' | 'system';
export type TimeSource = 'ntp' | 'peers' | 'system';

/** A peer to ask: its API and the key from its verified beacon record. */
export interface TimePeer {
  id: string;
  url: string;
  publicKey: Uint8Array;
}

export interface PeerReading {
  peer: string;
  url: string;
  at: number;
  status: 'kept' | 'outlier' | 'failed';
  offsetMs?: number;
  rttMs?: number;
  error?: string;
}

export interface TimeStatus {
  mode: TimeMode;
  /** What every subsystem of this hub reads now, and which clock it comes from. */
  now: number;
  source: TimeSource;
  /** The system clock. */
  local: number;
  /** The peers' consensus as last measured, carried forward by the drift; null before any. */
  consensus: number | null;
  offsetMs: number | null;
  driftPpm: number;
  /** 0..1: by the number of sources, halving every halfLifeMs without a successful round. */
  confidence: number;
  sources: number;
  spreadMs: number | null;
  /** The agreement the design targets for this many sources (±30 s with 3+, ±60 s with 1–2). */
  targetMs: number | null;
  lastSync: number | null;
  ntp: NtpStatus;
}

export interface TimekeeperOptions {
  identity: NodeIdentity;
  crypto: CryptoProvider;
  peers: () => TimePeer[];
  mode?: TimeMode;
  /** The system clock (Date.now; a simulation adds a skew here). */
  system?: () => number;
  store?: ClockStateStore;
  pollMs?: number;
  timeoutMs?: number;
  halfLifeMs?: number;
  ntp?: () => NtpStatus;
  fetchImpl?: typeof fetch;
  log?: (record: Record<string, unknown>) => void;
  /** This machine's boot (default: Linux's boot_id): a persisted offset from another boot is not trusted, only its drift. */
  bootId?: string;
}

/** Below this the estimate is too old to trust and the system clock is used. */
const MIN_CONFIDENCE = 0.1;
const MAX_DRIFT_PPM = 500;
/** Drift needs rounds spanning at least this long. */
const DRIFT_SPAN_MS = 10 * 60_000;

/** This machine's boot (Linux /proc/sys/kernel/random/boot_id), or undefined where there is none. */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The persisted estimate when its offset still applies: measured in this boot (or where boots cannot be told apart). */
function sameBoot(e: ClockState | undefined, boot: string | undefined): ClockState | undefined {
  return e && e.bootId !== undefined && boot !== undefined && e.bootId !== boot ? undefined : e;
}

/** The persisted estimate's offset at system time `local`, carried forward by its drift. */
export function offsetAt(e: ClockState | undefined, local: number): number {
  return e ? e.offsetMs + (e.driftPpm * (local - e.syncedAt)) / 1e6 : 0;
}

/** 0..1: 1 with 3+ sources (0.6 with fewer), halving every halfLifeMs since the round. */
export function confidenceAt(e: ClockState | undefined, local: number, halfLifeMs: number): number {
  // A clock now behind the round that set the offset has stepped back: nothing it was measured against holds.
  if (!e || e.sources === 0 || local < e.syncedAt) return 0;
  const base = e.sources >= 3 ? 1 : 0.6;
  return base * Math.pow(0.5, Math.max(0, local - e.syncedAt) / halfLifeMs);
}

export const HALF_LIFE_MS = 30 * 60_000;

/**
 * The hub's clock for a process that shares its cartridge but not its memory
 * (`fazt invite` while the hub runs): the system clock plus the Timekeeper's
 * persisted offset while that estimate is still trusted, as now() would give.
 */
export function persistedClock(store: ClockStateStore, system: () => number = Date.now, boot: string | undefined = bootId()): () => number {
  const e = sameBoot(store.load(), boot);
  return () => {
    const local = system();
    return Math.floor(confidenceAt(e, local, HALF_LIFE_MS) >= MIN_CONFIDENCE ? local + offsetAt(e, local) : local);
  };
}

/**
 * The Timekeeper: this hub's one clock. When NTP keeps the system clock (or
 * mode is 'system') it is the system clock. Otherwise it polls verified peers
 * about every pollMs: each answers a fresh nonce with its time, signed by its
 * beacon key; offsets are corrected by half the round trip, samples beyond
 * 2σ of the median dropped, the rest averaged. now() is the system clock plus
 * that offset, carried forward by the estimated drift while confidence lasts;
 * the estimate is persisted so a restart keeps the drift.
 */
export class Timekeeper {
  readonly mode: TimeMode;
  private readonly system: () => number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly halfLifeMs: number;
  private estimate: ClockState | undefined;
  /** The drift learnt before (a previous boot's), until this boot's rounds say otherwise. */
  private knownDrift = 0;
  private readonly boot: string | undefined;
  private readonly history: { at: number; offset: number }[] = [];
  private readings: PeerReading[] = [];
  private ntp: NtpStatus;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<TimeStatus> | undefined;
  private generation = 0;

  constructor(private readonly o: TimekeeperOptions) {
    this.mode = o.mode ?? 'auto';
    this.system = o.system ?? Date.now;
    this.pollMs = o.pollMs ?? 60_000;
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.halfLifeMs = o.halfLifeMs ?? HALF_LIFE_MS;
    if (!(this.pollMs >= 100)) throw new RangeError(`pollMs must be at least 100, got ${this.pollMs}`);
    if (!(this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${this.timeoutMs}`);
    if (!(this.halfLifeMs > 0)) throw new RangeError(`halfLifeMs must be > 0, got ${this.halfLifeMs}`);
    this.boot = o.bootId ?? bootId();
    const saved = o.store?.load();
    this.knownDrift = saved?.driftPpm ?? 0;
    this.estimate = sameBoot(saved, this.boot);
    this.ntp = this.mode === 'auto' ? (o.ntp ?? ntpStatus)() : { synced: false, how: `not consulted (mode ${this.mode})` };
  }

  /** Whole milliseconds since the epoch (stored times are integers), on the clock this hub uses for everything. */
  now(): number {
    return this.nowAt(this.system());
  }

  /** The clock's time when the system clock read `local` (one reading serves a whole status). */
  private nowAt(local: number): number {
    return Math.floor(this.source(local) === 'peers' ? local + this.offsetAt(local) : local);
  }

  source(local = this.system()): TimeSource {
    if (this.mode === 'system') return 'system';
    if (this.mode === 'auto' && this.ntp.synced) return 'ntp';
    return this.confidence(local) >= MIN_CONFIDENCE ? 'peers' : 'system';
  }

  /** Signs an answer for a peer's poll, from this clock. */
  answer(nonce: string): TimeAnswer {
    return answerTime(nonce, this.now(), this.source(), this.o.identity, this.o.crypto);
  }

  start(): void {
    if (this.timer) return;
    // A round still running from before a stop() must not carry on the new loop as well.
    const generation = ++this.generation;
    const loop = () => {
      this.timer = setTimeout(
        () => {
          if (this.mode === 'auto') this.ntp = (this.o.ntp ?? ntpStatus)();
          const due = this.mode === 'peers' || (this.mode === 'auto' && !this.ntp.synced);
          (due ? this.sync() : Promise.resolve())
            .catch((e: unknown) => this.o.log?.({ level: 'error', code: 'time-round', message: (e as Error).message }))
            .finally(() => {
              if (this.timer && generation === this.generation) loop();
            });
        },
        this.history.length === 0 && !this.round ? Math.min(1000, this.pollMs) : this.pollMs,
      );
      this.timer.unref();
    };
    loop();
  }

  /** Stops polling; resolves when a round in flight has ended (so nothing writes to a store about to close). */
  async stop(): Promise<void> {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round?.catch(() => undefined);
  }

  /** One polling round now (`fazt time sync`); concurrent calls share it. */
  sync(): Promise<TimeStatus> {
    this.round ??= this.poll().finally(() => (this.round = undefined));
    return this.round;
  }

  readingsOfLastRound(): PeerReading[] {
    return this.readings;
  }

  status(): TimeStatus {
    const local = this.system();
    const e = this.estimate;
    const sources = e ? e.sources : 0;
    return {
      mode: this.mode,
      now: this.nowAt(local),
      source: this.source(local),
      local,
      consensus: e ? local + this.offsetAt(local) : null,
      offsetMs: e ? this.offsetAt(local) : null,
      driftPpm: e ? e.driftPpm : this.knownDrift,
      confidence: this.confidence(local),
      sources,
      spreadMs: e ? e.spreadMs : null,
      targetMs: sources >= 3 ? 30_000 : sources >= 1 ? 60_000 : null,
      lastSync: e ? e.syncedAt : null,
      ntp: this.ntp,
    };
  }

  private offsetAt(local: number): number {
    return offsetAt(this.estimate, local);
  }

  private confidence(local: number): number {
    return confidenceAt(this.estimate, local, this.halfLifeMs);
  }

  private async poll(): Promise<TimeStatus> {
    const peers = this.o.peers();
    const results = await Promise.all(peers.map((p) => this.ask(p)));
    const samples = results.filter((r): r is ClockSample & { reading: PeerReading } => 'offsetMs' in r);
    const c = consensus(samples);
    const at = this.system();
    this.readings = results.map((r) => ('reading' in r ? { ...r.reading, status: c.kept.includes(r as ClockSample) ? 'kept' : 'outlier' } : r));
    if (c.kept.length > 0) {
      this.history.push({ at, offset: c.offsetMs });
      if (this.history.length > 32) this.history.shift();
      const state: ClockState = { offsetMs: c.offsetMs, driftPpm: this.drift(), sources: c.kept.length, spreadMs: c.spreadMs, syncedAt: at };
      if (this.boot !== undefined) state.bootId = this.boot;
      this.estimate = state;
      this.o.store?.save(state);
    }
    if (peers.length > 0)
      this.o.log?.({
        level: 'info',
        code: 'time-round',
        peers: peers.length,
        kept: c.kept.length,
        outliers: c.dropped.map((s) => s.peer),
        offsetMs: Number.isNaN(c.offsetMs) ? null : Math.round(c.offsetMs),
      });
    return this.status();
  }

  /** Least-squares slope of offset over time, once the rounds span long enough; else the last known drift. */
  private drift(): number {
    const h = this.history;
    const previous = this.estimate?.driftPpm ?? this.knownDrift;
    if (h.length < 3 || h[h.length - 1].at - h[0].at < DRIFT_SPAN_MS) return previous;
    const mt = h.reduce((a, p) => a + p.at, 0) / h.length;
    const mo = h.reduce((a, p) => a + p.offset, 0) / h.length;
    let num = 0;
    let den = 0;
    for (const p of h) {
      num += (p.at - mt) * (p.offset - mo);
      den += (p.at - mt) ** 2;
    }
    const ppm = den > 0 ? (num / den) * 1e6 : previous;
    return Math.max(-MAX_DRIFT_PPM, Math.min(MAX_DRIFT_PPM, ppm));
  }

  private async ask(p: TimePeer): Promise<(ClockSample & { reading: PeerReading }) | PeerReading> {
    const nonce = randomBytes(NONCE_BYTES).toString('hex');
    const t0 = this.system();
    const start = performance.now();
    try {
      const res = await (this.o.fetchImpl ?? fetch)(`${p.url}/v1/time?nonce=${nonce}`, { signal: AbortSignal.timeout(this.timeoutMs) });
      const body: unknown = await res.json();
      const rttMs = performance.now() - start;
      if (res.status !== 200) throw new FaztError('time-refused', `HTTP ${res.status}`);
      const a = checkTimeAnswer(body, nonce, p.publicKey, this.o.crypto);
      if (a.id !== p.id) throw new FaztError('time-bad-signature', `answer names ${a.id}, expected ${p.id}`);
      const offsetMs = a.time - (t0 + rttMs / 2);
      return { peer: p.id, offsetMs, rttMs, reading: { peer: p.id, url: p.url, at: t0, status: 'kept', offsetMs, rttMs } };
    } catch (e) {
      const err = e as Error;
      const message = err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : err.message;
      return { peer: p.id, url: p.url, at: t0, status: 'failed', error: message };
    }
  }
}
