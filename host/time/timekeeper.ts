import type { CryptoProvider } from '../../firmware/crypto/crypto-provider.js';
import type { NodeIdentity } from '../../firmware/identity/node-id.js';
import { answerTime, type TimeAnswer } from '../../firmware/time/time-answer.js';
import type { ClockState, ClockStateStore } from '../store/clock-state.js';
import { bootId } from './boot-id.js';
import { confidenceAt, HALF_LIFE_MS, MIN_CONFIDENCE, offsetAt, sameBoot } from './clock-estimate.js';
import { consensus } from './consensus.js';
import { DriftEstimator } from './drift.js';
import { ntpStatus, type NtpStatus } from './ntp-status.js';
import { askPeerTime, type TimePeer } from './peer-time.js';

/** auto: peers only while NTP is not synchronised; peers: always (told to); system: never. */
export type TimeMode = 'auto' | 'peers' | 'system';
export type TimeSource = 'ntp' | 'peers' | 'system';

/** One peer in the last round: kept in the consensus, dropped as an outlier, or no (valid) answer. */
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
  /** The monotonic clock that times each round trip (default performance.now). */
  monotonic?: () => number;
  log?: (record: Record<string, unknown>) => void;
  /** This machine's boot (default: Linux's boot_id): a persisted offset from another boot is not trusted, only its drift. */
  bootId?: string;
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
  private readonly drift = new DriftEstimator();
  private readings: PeerReading[] = [];
  private ntp: NtpStatus;
  /** When NTP was last asked (system clock): asking runs timedatectl, which blocks this process. */
  private ntpAskedAt: number;
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
    this.ntpAskedAt = this.system();
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
          // Asked again once a poll interval has passed, not in the first round soon after start (the constructor just asked).
          if (this.mode === 'auto' && this.system() - this.ntpAskedAt >= this.pollMs) {
            this.ntp = (this.o.ntp ?? ntpStatus)();
            this.ntpAskedAt = this.system();
          }
          const due = this.mode === 'peers' || (this.mode === 'auto' && !this.ntp.synced);
          (due ? this.sync() : Promise.resolve())
            .catch((e: unknown) => this.o.log?.({ level: 'error', code: 'time-round', message: (e as Error).message }))
            .finally(() => {
              if (this.timer && generation === this.generation) loop();
            });
        },
        this.drift.empty && !this.round ? Math.min(1000, this.pollMs) : this.pollMs,
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
    const ask = { crypto: this.o.crypto, system: this.system, timeoutMs: this.timeoutMs, fetchImpl: this.o.fetchImpl, monotonic: this.o.monotonic };
    const answers = await Promise.all(peers.map((p) => askPeerTime(p, ask)));
    const c = consensus(answers.flatMap((a) => ('sample' in a ? [a.sample] : [])));
    const at = this.system();
    this.readings = answers.map((a, i): PeerReading => {
      const { id: peer, url } = peers[i];
      if (!('sample' in a)) return { peer, url, at: a.at, status: 'failed', error: a.error };
      return { peer, url, at: a.at, status: c.kept.includes(a.sample) ? 'kept' : 'outlier', offsetMs: a.sample.offsetMs, rttMs: a.sample.rttMs };
    });
    if (c.kept.length > 0) {
      this.drift.add(at, c.offsetMs);
      const driftPpm = this.drift.ppm(this.estimate?.driftPpm ?? this.knownDrift);
      const state: ClockState = { offsetMs: c.offsetMs, driftPpm, sources: c.kept.length, spreadMs: c.spreadMs, syncedAt: at };
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
}
