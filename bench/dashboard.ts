/**
 * The dashboard's figures:
 *  - first load: bytes transferred (compressed, as chromium received them; goal < 150 KB) and
 *    the time to the first live value, in headless chromium against `fazt start` on loopback;
 *  - GET /v1/series for 1,000 points over 1 M stored readings (--quick: 100 k): p50/p99
 *    (goal p99 < 50 ms), with SQLite's query plan, which must use entries_by_reading.
 *  - the simulator you can touch: a slider's move (POST /v1/sim/environment) to the stored reading
 *    that shows it (seen on the event stream), p50/max over 20 moves, with the node poked (its
 *    sensor samples and sends at once) against the path without the poke (`"sample": false`: the
 *    next scheduled sample, the uplink's batching window), interleaved in the same run.
 * `--slider` measures only the simulator. Never gates CI on a time. Baseline: GET /v1/nodes on the same hub, side by side.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBatch } from '../firmware/batch/batch.js';
import { EventLog } from '../firmware/event/event-log.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { launchBrowser, signIn, startDemo } from '../test/dashboard/browser.js';
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
    // Signed in first (the dashboard shows nothing before): the load measured is the signed-in one.
    await signIn(page, demo.url, readFileSync(join(demo.dir, 'data', 'owner.token'), 'utf8').trim());
    bytes = 0;
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

async function timed(url: string, n: number, token: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
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
    await timed(url, 3, h.hub.ownerToken); // warm
    const s = await timed(url, quick ? 30 : 100, h.hub.ownerToken);
    const base = await timed(`${h.url}/v1/nodes`, quick ? 30 : 100, h.hub.ownerToken);
    console.log(
      `/v1/series 1000 points over ${READINGS} readings: p50 ${percentile(s, 50).toFixed(1)} ms, p99 ${percentile(s, 99).toFixed(1)} ms (goal p99 < 50 ms); ` +
        `baseline /v1/nodes p50 ${percentile(base, 50).toFixed(2)} ms (ratio ${(percentile(s, 50) / percentile(base, 50)).toFixed(1)}×)`,
    );
  } finally {
    await h.stop();
  }
}

/** Resolves with each stored reading of the living room's temperature, as the event stream sends them. */
async function temperatures(url: string, token: string, signal: AbortSignal, seen: (value: number) => void): Promise<void> {
  const r = await fetch(`${url}/v1/stream?node=living-room&type=sensor.reading`, { headers: { authorization: `Bearer ${token}` }, signal });
  if (!r.ok || !r.body) throw new Error(`/v1/stream: ${r.status}`);
  const decoder = new TextDecoder();
  let text = '';
  void (async () => {
    try {
      for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        for (let i = text.indexOf('\n'); i >= 0; text = text.slice(i + 1), i = text.indexOf('\n')) {
          const line = text.slice(0, i);
          if (!line.startsWith('data:')) continue;
          const e = JSON.parse(line.slice(5)) as { data?: { name?: string; value?: number } };
          if (e.data?.name === 'temperature' && typeof e.data.value === 'number') seen(e.data.value);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}

async function sliderToReading(): Promise<void> {
  const demo = await startDemo();
  const abort = new AbortController();
  try {
    const token = readFileSync(join(demo.dir, 'data', 'owner.token'), 'utf8').trim();
    let waiting: { value: number; done: () => void } | undefined;
    await temperatures(demo.url, token, abort.signal, (v) => {
      if (waiting && Math.abs(v - waiting.value) < 0.1) waiting.done();
    });
    const times: Record<'poked' | 'unpoked', number[]> = { poked: [], unpoked: [] };
    // The control API's answer: with the poke it comes after the sample was taken, sent and stored (the legs up to the store).
    const answered: Record<'poked' | 'unpoked', number[]> = { poked: [], unpoked: [] };
    for (let i = 0; i < 40; i++) {
      const poke = i % 2 === 0;
      const value = 10 + i * 0.5; // every move a new value, so only its own reading matches
      const t0 = performance.now();
      const stored = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${value} °C reading within 10 s`)), 10_000);
        waiting = { value, done: () => (clearTimeout(timer), resolve(performance.now())) };
      });
      const r = await fetch(`${demo.url}/v1/sim/environment`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ node: 'living-room', temperature: value, sample: poke }),
      });
      if (r.status !== 200) throw new Error(`/v1/sim/environment: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      answered[poke ? 'poked' : 'unpoked'].push(performance.now() - t0);
      times[poke ? 'poked' : 'unpoked'].push((await stored) - t0);
      waiting = undefined;
    }
    const p50 = (xs: number[]) => percentile(xs, 50);
    const max = (xs: number[]) => Math.max(...xs);
    console.log(
      `simulator slider → stored reading (20 moves each): poked p50 ${p50(times.poked).toFixed(0)} ms, max ${max(times.poked).toFixed(0)} ms (goal ≤ 1000 ms); ` +
        `without the poke p50 ${p50(times.unpoked).toFixed(0)} ms, max ${max(times.unpoked).toFixed(0)} ms (ratio ${(p50(times.poked) / p50(times.unpoked)).toFixed(2)}×)`,
    );
    console.log(
      `  the control API answered after p50 ${p50(answered.poked).toFixed(0)} ms with the poke (sampled in XS, signed, sent, stored), ` +
        `${p50(answered.unpoked).toFixed(0)} ms without (the world changed, nothing else)`,
    );
  } finally {
    abort.abort();
    await demo.stop();
  }
}

await sliderToReading();
if (!process.argv.includes('--slider')) {
  await firstLoad();
  await series();
}
