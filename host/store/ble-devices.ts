import type { Statement } from 'better-sqlite3';
import { parseMac } from '../ble/ble-mac.js';
import type { Db } from './open-cartridge.js';

/** A BTHome device configured on the hub (migration step 17). */
export interface BleDevice {
  mac: string;
  name?: string;
  /** The AES-CCM key; absent for a device that sends plaintext. Never leaves the hub. */
  key?: Uint8Array;
  addedAt: number;
  /** The last encrypted counter accepted from it; absent before the first. */
  lastCounter?: number;
  /** The owner accepted a counter restart: the next counter is taken once, whatever it is. */
  resetPending: boolean;
}

interface Row {
  mac: string;
  name: string | null;
  key: Buffer | null;
  added_at: number;
  last_counter: number | null;
  reset_pending: number;
}

const toDevice = (r: Row): BleDevice => ({
  mac: r.mac,
  ...(r.name !== null ? { name: r.name } : {}),
  ...(r.key !== null ? { key: new Uint8Array(r.key) } : {}),
  addedAt: r.added_at,
  ...(r.last_counter !== null ? { lastCounter: r.last_counter } : {}),
  resetPending: r.reset_pending === 1,
});

const COLUMNS = 'mac, name, key, added_at, last_counter, reset_pending';

/**
 * The hub's BTHome devices and the replay state of each. The counter check
 * and its update are one statement, so two advertisements can never both
 * take the same counter, and it is durable when it returns: a restarted hub
 * refuses what it refused before. Removing keeps the row (and its counter);
 * adding it again with the same key keeps the counter, with a new key starts
 * afresh.
 */
export class BleDevices {
  private readonly upsert: Statement<[string, string | null, Uint8Array | null, number]>;
  private readonly selectAll: Statement<[], Row>;
  private readonly selectOne: Statement<[string], Row>;
  private readonly markRemoved: Statement<[number, string]>;
  private readonly markReset: Statement<[string]>;
  private readonly takeCounter: Statement<[number, string, number]>;

  constructor(db: Db) {
    this.upsert = db.prepare(`INSERT INTO ble_devices (mac, name, key, added_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (mac) DO UPDATE SET name = excluded.name, added_at = excluded.added_at, removed_at = NULL, reset_pending = 0,
        last_counter = CASE WHEN key IS excluded.key THEN last_counter ELSE NULL END, key = excluded.key`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM ble_devices WHERE removed_at IS NULL ORDER BY mac`);
    this.selectOne = db.prepare(`SELECT ${COLUMNS} FROM ble_devices WHERE mac = ? AND removed_at IS NULL`);
    this.markRemoved = db.prepare('UPDATE ble_devices SET removed_at = ? WHERE mac = ? AND removed_at IS NULL');
    this.markReset = db.prepare('UPDATE ble_devices SET reset_pending = 1 WHERE mac = ? AND removed_at IS NULL');
    this.takeCounter = db.prepare(`UPDATE ble_devices SET last_counter = ?, reset_pending = 0
      WHERE mac = ? AND removed_at IS NULL AND (last_counter IS NULL OR last_counter < ? OR reset_pending = 1)`);
  }

  /** Adds (or adds again, or changes) a device; returns it. */
  add(d: { mac: string; name?: string; key?: Uint8Array }, now: number): BleDevice {
    const mac = parseMac(d.mac);
    if (d.key !== undefined && !(d.key instanceof Uint8Array && d.key.length === 16)) throw new RangeError('key must be 16 bytes');
    if (d.name !== undefined && (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > 64))
      throw new RangeError('name must be 1 to 64 characters');
    this.upsert.run(mac, d.name ?? null, d.key ?? null, now);
    return this.get(mac) as BleDevice;
  }

  list(): BleDevice[] {
    return this.selectAll.all().map(toDevice);
  }

  get(mac: string): BleDevice | undefined {
    const r = this.selectOne.get(mac);
    return r && toDevice(r);
  }

  /** False when no such device is configured. */
  remove(mac: string, now: number): boolean {
    return this.markRemoved.run(now, mac).changes === 1;
  }

  /** Accept the device's next counter once, whatever it is; false when no such device is configured. */
  acceptReset(mac: string): boolean {
    return this.markReset.run(mac).changes === 1;
  }

  /**
   * Takes `counter` as the device's newest when it is greater than the last
   * one taken, or a reset was accepted; false (nothing changes) otherwise.
   */
  takeCounterIfNewer(mac: string, counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0 || counter > 0xffffffff)
      throw new RangeError(`counter must be a 32-bit unsigned integer, got ${counter}`);
    return this.takeCounter.run(counter, mac, counter).changes === 1;
  }
}
