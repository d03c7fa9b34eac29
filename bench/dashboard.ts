/**
 * The dashboard's figures:
 *  - first load: bytes transferred (compressed, as chromium received them; goal < 150 KB) and
 *    the time to the first live value, in headless chromium against `fazt start` on loopback;
 *  - GET /v1/series for 1,000 points over 1 M stored readings (--quick: 100 k): p50/p99
 *    (goal p99 < 50 ms), with SQLite's query plan, which must use entries_by_reading.
 * Never gates CI on a time. Baseline: GET /v1/nodes on the same hub, side by side.
 */
import { createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { launchBrowser, startDemo } from '../test/dashboard/browser.js';
import { startHub } from '../test/hub/helpers.js';

const quick = process.argv.includes('--quick');
const READINGS = quick ? 100_000 : 1_000_000;
const T0 = Date.UTC(2026, 0, 1);
const EVERY = 10_000;

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

async function timed(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    out.push(performance.now() - t);
  }
  return out;
}

async function series(): Promise<void> {
  const h = await startHub();
  try {
    const id = identityFromSecretKey(new Uint8Array(32).fill(9), nodeCrypto);
    h.hub.cartridge.addNode(id.publicKey, { name: 'bench' });
    let t = T0;
    const log = new EventLog({ nodeId: id.id, crypto: nodeCrypto, clock: () => t, clockSource: () => 'hub' });
    const t1 = performance.now();
    for (let done = 0; done < READINGS; ) {
      const es = [];
      for (let i = 0; i < 256 && done < READINGS; i++, done++) {
        t += EVERY;
        es.push(log.append('sensor.reading', 'bme280', { name: 'temperature', unit: 'Cel', value: 21 + Math.sin(done / 1000), quality: 'good', time: t }));
      }
      h.hub.cartridge.ingestBatch(createBatch(es, id, nodeCrypto));
    }
    console.log(`stored ${READINGS} readings in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    const plan = h.hub.cartridge.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT (e.time - 0) / 1 AS k, min(e.value), avg(e.value), max(e.value), count(*) FROM entries e
        WHERE e.node = (SELECT ref FROM node_refs WHERE node = ?) AND e.name = (SELECT ref FROM names WHERE name = ?) AND e.time >= ? AND e.time < ? GROUP BY k ORDER BY k`,
      )
      .all(id.id, 'temperature', T0, t + 1) as { detail: string }[];
    console.log(`query plan:\n  ${plan.map((p) => p.detail).join('\n  ')}`);
    if (!plan.some((p) => /entries_by_reading/.test(p.detail))) console.log('WARNING: the plan does not use entries_by_reading');
    const url = `${h.url}/v1/series?node=bench&name=temperature&from=${T0}&to=${t + 1}&points=1000`;
    await timed(url, 3); // warm
    const s = await timed(url, quick ? 30 : 100);
    const base = await timed(`${h.url}/v1/nodes`, quick ? 30 : 100);
    console.log(
      `/v1/series 1000 points over ${READINGS} readings: p50 ${percentile(s, 50).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms (goal p99 < 50 ms); ` +
        `baseline /v1/nodes p50 ${percentile(base, 50).toFixed(2)} ms (ratio ${(percentile(s, 50) / percentile(base, 50)).toFixed(1)}×)`,
    );
  } finally {
    await h.stop();
  }
}

await firstLoad();
await series();
