import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBatch } from '../../firmware/batch/batch.js';
import type { Value } from '../../firmware/codec/value.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, tempDir, TestNode } from '../hub/helpers.js';

const tmp = tempDir('fazt-sql-');
after(() => tmp.cleanup());

const DAY = Date.UTC(2026, 0, 1);
const MIN = 60_000;

/** The ```sql blocks of the README's "The cartridge's SQL surface", as written there. */
function readmeQueries(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf("### The cartridge's SQL surface");
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  return [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** What `sqlite3` prints with -json, if the shell is installed (the views need no function of ours). */
function shell(file: string, sql: string): unknown[] | undefined {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const out = execFileSync('sqlite3', ['-readonly', '-json', file, sql], { encoding: 'utf8' });
  return out.trim() === '' ? [] : (JSON.parse(out) as unknown[]);
}

describe("the cartridge's SQL surface (README)", () => {
  const file = join(tmp.dir, 'c.db');
  const garage = new TestNode(61, () => 'hub');
  const attic = new TestNode(62);
  const temps: { time: number; value: number }[] = [];

  before(() => {
    const c = Cartridge.open(file, { clock: () => DAY + 2 * 86_400_000 });
    c.addNode(garage.identity.publicKey, { name: 'garage' });
    c.addNode(attic.identity.publicKey, { name: 'attic' });
    // Every 7 minutes from 22:00 the day before to 02:00 the day after: temperature, humidity, and a boolean reading now and then.
    for (let t = DAY - 2 * 60 * MIN, i = 0; t < DAY + 26 * 60 * MIN; t += 7 * MIN, i++) {
      const value = Math.round((18 + 6 * Math.sin(i / 9) + (i % 4) * 0.25) * 100) / 100;
      garage.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value, quality: 'good', time: t }, t);
      if (t >= DAY && t < DAY + 24 * 60 * MIN) temps.push({ time: t, value });
      garage.record('sensor.reading', 'bme280', { name: 'humidity', unit: '%RH', value: 40 + (i % 9), quality: 'good', time: t }, t);
      if (i % 50 === 0) garage.record('sensor.reading', 'pir', { name: 'motion', value: true, quality: 'good', time: t } as Value, t);
      attic.record('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 30, quality: 'good', time: t }, t);
    }
    attic.record('system.boot', 'node', { outputs: [] }, DAY + 30 * 60 * MIN);
    for (const n of [garage, attic]) for (let i = 0; i < n.entries.length; i += 32) c.ingestBatch(createBatch(n.entries.slice(i, i + 32), n.identity, crypto));
    c.close();
  });

  it('the hourly mean of one reading: 24 hours of the day asked for, each as computed from the readings', () => {
    const [hourly] = readmeQueries();
    const expected: Record<string, { mean: number; low: number; high: number; n: number }> = {};
    const byHour = new Map<string, number[]>();
    for (const r of temps) {
      const hour = `${new Date(r.time).toISOString().slice(0, 13).replace('T', ' ')}:00`;
      byHour.set(hour, [...(byHour.get(hour) ?? []), r.value]);
    }
    for (const [hour, vs] of byHour)
      expected[hour] = { mean: vs.reduce((a, b) => a + b, 0) / vs.length, low: Math.min(...vs), high: Math.max(...vs), n: vs.length };
    // A plain connection: no function of fazt's registered.
    const db = new Database(file, { readonly: true });
    const rows = db.prepare(hourly).all() as { hour: string; mean: number; low: number; high: number; n: number }[];
    assert.equal(rows.length, 24);
    // The query rounds the mean to 2 decimals (SQLite's round, half away from zero, of its own sum): within 0.005 of the mean.
    assert.deepStrictEqual(
      Object.fromEntries(rows.map(({ hour, mean: _, ...r }) => [hour, r])),
      Object.fromEntries(Object.entries(expected).map(([h, { mean: _, ...r }]) => [h, r])),
    );
    for (const r of rows) assert.ok(Math.abs(r.mean - expected[r.hour].mean) <= 0.005 + 1e-9, `${r.hour}: ${r.mean} is ${expected[r.hour].mean} to 2 decimals`);
    // Along the (node, name, time) index, not through the whole table.
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${hourly}`).all() as { detail: string }[]).map((p) => p.detail).join('\n');
    assert.match(plan, /entries_by_reading/);
    db.close();
    // The shell's SQLite may be older and round a half differently: the same hours and figures, the mean within 0.01.
    const printed = shell(file, hourly) as typeof rows | undefined;
    if (printed) {
      assert.deepStrictEqual(
        printed.map(({ mean: _, ...r }) => r),
        rows.map(({ mean: _, ...r }) => r),
      );
      printed.forEach((r, i) => assert.ok(Math.abs(r.mean - rows[i].mean) <= 0.01 + 1e-9));
    }
  });

  it('the events of each type in every chain, and the newest one', () => {
    const [, perType] = readmeQueries();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare(perType).all();
    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const count = (n: TestNode, type: string) => n.entries.filter((e) => e.type === type).length;
    const newest = (n: TestNode, type: string) => stamp(Math.max(...n.entries.filter((e) => e.type === type).map((e) => e.time)));
    assert.deepStrictEqual(rows, [
      { chain: 'attic', type: 'sensor.reading', events: count(attic, 'sensor.reading'), newest: newest(attic, 'sensor.reading') },
      { chain: 'attic', type: 'system.boot', events: 1, newest: newest(attic, 'system.boot') },
      { chain: 'garage', type: 'sensor.reading', events: count(garage, 'sensor.reading'), newest: newest(garage, 'sensor.reading') },
    ]);
    db.close();
    const printed = shell(file, perType);
    if (printed) assert.deepStrictEqual(printed, rows);
  });

  it('events_v derives prev and readings_v leaves out a reading kept as signed (a boolean value)', () => {
    const db = new Database(file, { readonly: true });
    const prevs = db.prepare('SELECT prev FROM events_v WHERE node = ? ORDER BY seq').pluck().all(garage.id) as Buffer[];
    assert.deepStrictEqual(
      prevs.map((p) => Buffer.from(p).toString('hex')),
      garage.entries.map((e) => Buffer.from(e.prev).toString('hex')),
    );
    const names = db.prepare('SELECT DISTINCT name FROM readings_v WHERE node = ? ORDER BY name').pluck().all(garage.id);
    assert.deepStrictEqual(names, ['humidity', 'temperature']);
    db.close();
  });
});
