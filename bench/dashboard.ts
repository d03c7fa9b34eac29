/**
 * The dashboard's figures:
 *  - first load: bytes transferred (compressed, as chromium received them; goal < 150 KB) and
 *    the time to the first live value, in headless chromium against `fazt start` on loopback;
 *  - GET /v1/series for 1,000 points over 1 M stored readings (--quick: 100 k), one every 10 s,
 *    over the whole range and over the last day: p50/p99 (goal p99 < 50 ms), with SQLite's query
 *    plan of each part it reads (the rollups along their key, the tail along entries_by_reading).
 *    Baseline, in the same run: the same buckets from the readings alone (series.readings, the
 *    query before the rollups), in process, beside the rollups' answer in process.
 * --series-only skips the browser. Never gates CI on a time.
 */
import { createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { CARTRIDGE_FILE } from '../host/hub/hub.js';
import { Cartridge } from '../host/store/cartridge.js';
import { ROLLUPS_SQL } from '../host/store/migration-rollups.js';
import type { SeriesQuery } from '../host/store/reading-series.js';
import { snapToTier } from '../host/store/rollup-tiers.js';
import { launchBrowser, startDemo } from '../test/dashboard/browser.js';
import { ownerAuth, startHub, tempDir } from '../test/hub/helpers.js';

const quick = process.argv.includes('--quick');
const READINGS = quick ? 100_000 : 1_000_000;
const T0 = Date.UTC(2026, 0, 1);
const EVERY = 10_000;
const DAY = 86_400_000;
const POINTS = 1000;

async function firstLoad(): Promise<void> {
  const [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  try {
    const page = await browser.newPage();
    let bytes = 0;
    page.on('requestfinished', (r) => {
      if (r.url().includes('/v1/stream')) return; // the live stream never finishes
      void r.sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize));
    });
    const t0 = performance.now();
    await page.goto(`${demo.url}/`);
    await page.locator('article.node li[data-reading] .value').first().waitFor({ timeout: 30_000 });
    const firstValue = performance.now() - t0;
    await page.waitForLoadState('networkidle').catch(() => undefined);
    console.log(`dashboard first load: ${(bytes / 1024).toFixed(1)} KB transferred (goal < 150 KB), first live value after ${firstValue.toFixed(0)} ms`);
  } finally {
    await browser.close();
    await demo.stop();
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const figures = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms, p99 ${percentile(xs, 99).toFixed(1)} ms`;

/** Wall time of each call, and the CPU time this process spent in it (what a shared, busy machine does not inflate). */
function timedSync(fn: () => unknown, n: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

const withCpu = (x: { wall: number[]; cpu: number[] }) => `${figures(x.wall)} (CPU p50 ${percentile(x.cpu, 50).toFixed(1)} ms)`;

async function timed(url: string, n: number): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const r = await fetch(url, { headers: ownerAuth(url) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall, cpu };
}

/**
 * A cartridge with READINGS temperature readings of one node, stored as a hub stores batches
 * (verified, with their rollups), 1,024 a batch and 8 batches a commit, before any hub runs on it.
 * Returns the last reading's time.
 */
function fill(file: string, id: ReturnType<typeof identityFromSecretKey>): number {
  const c = Cartridge.open(file);
  try {
    c.addNode(id.publicKey, { name: 'bench' });
    let t = T0;
    const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => t, clockSource: () => 'hub' });
    const t1 = performance.now();
    for (let done = 0; done < READINGS; ) {
      const group = [];
      for (let b = 0; b < 8 && done < READINGS; b++) {
        const es = [];
        for (let i = 0; i < 1024 && done < READINGS; i++, done++) {
          t += EVERY;
          es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21 + Math.sin(done / 1000), quality: 'good', time: t }));
        }
        group.push(createBatch(es, id, nodeCrypto));
      }
      for (const r of c.ingestMany(group)) if (r instanceof Error) throw r;
    }
    console.log(
      `stored ${READINGS} readings (${((t - T0) / DAY).toFixed(0)} days, one every ${EVERY / 1000} s) in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    // What migration step 10 costs a cartridge that already holds them: its SQL, run again.
    const t2 = performance.now();
    c.db.transaction(() => c.db.exec(`DROP TABLE reading_rollups; ${ROLLUPS_SQL}`))();
    const rows = c.db.prepare('SELECT count(*) FROM reading_rollups').pluck().get() as number;
    console.log(`migration step 10 backfill of ${READINGS} readings: ${((performance.now() - t2) / 1000).toFixed(1)} s, ${rows} rollup rows`);
    return t;
  } finally {
    c.close();
  }
}

async function series(): Promise<void> {
  const dir = tempDir('fazt-bench-series-');
  try {
    const id = identityFromSecretKey(new Uint8Array(32).fill(9), nodeCrypto);
    const last = fill(`${dir.dir}/${CARTRIDGE_FILE}`, id);
    const h = await startHub({ dataDir: dir.dir });
    try {
      const to = last + 1;
      for (const [what, from] of [
        ['the whole range', T0],
        ['the last day', to - DAY],
      ] as const) {
        const url = `${h.url}/v1/series?node=bench&name=temperature&from=${from}&to=${to}&points=${POINTS}`;
        const first = (await (await fetch(url, { headers: ownerAuth(url) })).json()) as { tier: number | null; bucketMs: number; buckets: unknown[] };
        await timed(url, 3); // warm
        const http = await timed(url, quick ? 30 : 100);
        // The round trip around the query: a route answering a few bytes on the same hub, same client.
        const nodes = await timed(`${h.url}/v1/health`, quick ? 30 : 100);
        const { since, bucketMs } = snapToTier(from, to, POINTS);
        const q: SeriesQuery = { node: id.id, name: 'temperature', since, until: to, bucketMs };
        const store = h.hub.cartridge.series;
        const rollups = timedSync(() => store.between(q), quick ? 30 : 100);
        const raw = timedSync(() => store.readings(q), what === 'the last day' ? 100 : quick ? 10 : 20);
        console.log(
          `/v1/series ${POINTS} points over ${what} of ${READINGS} readings (${first.buckets.length} buckets of ${bucketMs / 60_000} min, tier ${first.tier === null ? 'none' : `${first.tier / 60_000} min`}):\n` +
            `  over HTTP ${withCpu(http)} (goal p99 < 50 ms); GET /v1/health on the same hub ${withCpu(nodes)}\n` +
            `  in process: rollups ${withCpu(rollups)}; baseline, the readings alone ${withCpu(raw)}; ratio ${(percentile(raw.wall, 50) / percentile(rollups.wall, 50)).toFixed(0)}× at p50`,
        );
        // A start 1 ms off the minute fits no tier: the baseline's plan, the readings alone.
        const baseline = store.plans({ ...q, since: q.since + 1 })[0];
        for (const { part, plan } of [...store.plans(q), baseline]) {
          const key = part.source === 'raw' ? /USING INDEX entries_by_reading/ : /reading_rollups USING PRIMARY KEY/;
          const label = part === baseline.part ? 'the baseline' : part.source === 'raw' ? 'the readings' : `the ${part.source / 60_000} min rollups`;
          console.log(`  plan for ${label} of ${part.from}..${part.to}: ${plan[0]}${key.test(plan[0]) ? '' : '  WARNING: not along its key or index'}`);
        }
      }
    } finally {
      await h.stop();
    }
  } finally {
    dir.cleanup();
  }
}

if (!process.argv.includes('--series-only')) await firstLoad();
await series();
