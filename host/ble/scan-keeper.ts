import type { Advertisement, BleScanner } from '../../hal/contracts/io.js';
import type { TimerId } from '../../hal/contracts/time.js';
import { systemTimers } from '../time/system-timers.js';
import type { BleHubOptions } from './ble-hub-options.js';

export interface ScanKeeperOptions {
  make: BleHubOptions['scanner'];
  onAdvertisement: (adv: Advertisement) => void;
  retryMs: { min: number; max: number };
  log: (record: Record<string, unknown>) => void;
}

/**
 * Keeps the hub's BLE scan going through BlueZ's failures (the adapter
 * gone, bluetoothd restarted, the system bus dropped): a scanner's fault
 * ends that scanner, and a new one is made after a pause doubling from
 * retryMs.min to retryMs.max, on real time, until one is scanning again.
 * An outage is logged once when it starts (ble-scan-lost, with the first
 * fault) and once when it ends (ble-scan-resumed), however many tries it
 * took; the hub itself keeps running throughout. The first scanner is made
 * in start(), and one that cannot be made at all (node-ble missing) throws:
 * a hub asked to scan does not start without the means to.
 */
export class ScanKeeper {
  private scanner: BleScanner | undefined;
  /** Which scanner's events count: a closed one's late fault or news is ignored. */
  private generation = 0;
  private running = false;
  private retry: TimerId | undefined;
  private delay: number;
  private outage: { since: number; tries: number } | undefined;
  private readonly wall = systemTimers();

  constructor(private readonly o: ScanKeeperOptions) {
    this.delay = o.retryMs.min;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    try {
      this.open();
    } catch (e) {
      this.stop();
      throw e;
    }
  }

  stop(): void {
    this.running = false;
    this.generation++;
    if (this.retry !== undefined) this.wall.clearTimeout(this.retry);
    this.retry = undefined;
    this.scanner?.close();
    this.scanner = undefined;
  }

  private open(): void {
    const generation = ++this.generation;
    const scanner = this.o.make(this.o.onAdvertisement, {
      onFault: (e) => this.faulted(generation, e),
      onScanning: () => this.scanning(generation),
    });
    this.scanner = scanner;
    scanner.start();
  }

  private faulted(generation: number, e: Error): void {
    if (!this.running || generation !== this.generation) return;
    this.generation++;
    this.scanner?.close();
    this.scanner = undefined;
    if (!this.outage) {
      this.outage = { since: Date.now(), tries: 0 };
      this.o.log({ level: 'warn', code: 'ble-scan-lost', message: `BLE scanning stopped (${e.message}); trying again with backoff` });
    }
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.o.retryMs.max);
    this.retry = this.wall.setTimeout(() => {
      this.retry = undefined;
      if (!this.running) return;
      if (this.outage) this.outage.tries++;
      try {
        this.open();
      } catch (err) {
        // A scanner that cannot even be made now (no session): the same outage, tried again later.
        this.faulted(this.generation, err as Error);
      }
    }, delay);
  }

  private scanning(generation: number): void {
    if (!this.running || generation !== this.generation) return;
    this.delay = this.o.retryMs.min;
    const outage = this.outage;
    if (!outage) return;
    this.outage = undefined;
    const seconds = Math.round((Date.now() - outage.since) / 1000);
    this.o.log({ code: 'ble-scan-resumed', message: `BLE scanning again after ${seconds} s (${outage.tries} ${outage.tries === 1 ? 'try' : 'tries'})` });
  }
}
