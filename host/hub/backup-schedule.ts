import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Timers } from '../../hal/contracts/time.js';
import type { Cartridge } from '../store/cartridge.js';
import type { HubLog } from './hub-log.js';
import type { OpRecord } from './op-log.js';

/** A backup's name: its time in UTC, so names sort as times do. */
const NAME = /^fazt-(\d{8}T\d{6}(?:\d{3})?Z)\.db$/;
/** A copy of this schedule's that a kill or power cut stopped before it got its name (host/store/backup.ts), and its journal. */
const PARTIAL = /^fazt-(\d{8}T\d{6}(?:\d{3})?Z)\.db\.partial(?:-journal|-wal|-shm)?$/;

export function backupName(at: number): string {
  return `fazt-${new Date(at).toISOString().replace(/[-:]/g, '').replace('.', '')}.db`;
}

/** Refuses a schedule that cannot work (the hub checks before it starts anything). */
export function checkBackupOptions(o: { everyMs: number; keep: number }): void {
  if (!(Number.isFinite(o.everyMs) && o.everyMs >= 1000)) throw new RangeError(`backups.everyMs must be at least 1000, got ${o.everyMs}`);
  if (!(Number.isSafeInteger(o.keep) && o.keep >= 1)) throw new RangeError(`backups.keep must be a whole number ≥ 1, got ${o.keep}`);
}

export interface BackupScheduleOptions {
  cartridge: Cartridge;
  hubLog: HubLog;
  /** Where the backups go (made 0700 when missing). */
  dir: string;
  everyMs: number;
  /** How many to keep: the newest; older ones this schedule named are removed. */
  keep: number;
  /** The hub's clock: names the files. */
  clock: () => number;
  /** Real timers on the hub, a virtual clock's in tests. */
  timers: Timers;
  log: (record: OpRecord) => void;
}

export interface ScheduledBackup {
  file: string;
  bytes: number;
  removed: string[];
}

/**
 * Online backups every `everyMs` (host/store/backup.ts, safe while the hub
 * writes), named by time, the newest `keep` kept. Each is an event on the
 * hub's signed chain, `system.backup` (what, where, size, every chain's
 * head), and a line in the hub's log; a failed one is logged and the next
 * is tried at its time. Files in the folder that are not named like its
 * backups (or their partial copies, removed at start) are never touched.
 */
export class BackupSchedule {
  private timer: number | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: BackupScheduleOptions) {
    checkBackupOptions(o);
  }

  start(): void {
    mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
    // No backup of this schedule runs before start: a partial copy here was cut short and is no backup.
    for (const f of readdirSync(this.o.dir).filter((f) => PARTIAL.test(f))) rmSync(join(this.o.dir, f), { force: true });
    this.plan();
  }

  /** Stops the timer and waits for a backup under way. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Resolves once no backup is being written (tests on a virtual clock wait on it, never on wall time). */
  async idle(): Promise<void> {
    await this.running;
  }

  /** One backup now, rotated and recorded (what the timer runs). */
  async backupNow(): Promise<ScheduledBackup> {
    const file = join(this.o.dir, backupName(this.o.clock()));
    const r = await this.o.cartridge.backup(file);
    const bytes = statSync(file).size;
    const ours = readdirSync(this.o.dir)
      .filter((f) => NAME.test(f))
      .sort();
    const removed = ours.slice(0, Math.max(0, ours.length - this.o.keep));
    for (const f of removed) rmSync(join(this.o.dir, f), { force: true });
    this.o.hubLog.append('system.backup', 'backup', { file, bytes, nodes: r.nodes, events: r.events, heads: r.heads, removed });
    this.o.log({ code: 'backup', file, bytes, nodes: r.nodes, events: r.events, removed: removed.length });
    return { file, bytes, removed };
  }

  private plan(): void {
    this.timer = this.o.timers.setTimeout(() => {
      this.plan(); // the next one is due a period after this one was, however long this one takes
      if (this.running !== undefined) return this.o.log({ level: 'warn', code: 'backup-skipped', message: 'the previous backup is still being written' });
      this.running = this.backupNow()
        .catch((e: unknown) => this.o.log({ level: 'error', code: 'backup-failed', dir: this.o.dir, message: (e as Error)?.message ?? String(e) }))
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.everyMs);
  }
}
