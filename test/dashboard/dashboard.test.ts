import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { type Demo, launchBrowser, screenshotDir, signIn, startDemo, watchPage } from './browser.js';

/**
 * The dashboard in Debian's chromium (headless), against `fazt start`: the
 * hub with its three simulated nodes running their firmware in XS. No pixels
 * are compared; screenshots are kept as artifacts in a temp dir.
 */
const shots = screenshotDir();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let ownerToken = '';
/** The test's own calls to the API, as the owner's scripts make them. */
const owner = () => ({ authorization: `Bearer ${ownerToken}` });
/** Canvas pixels that are not transparent: a drawn plot has many. */
const INKED = `(() => { const c = document.querySelector('.plot[data-reading="temperature"] canvas'); if (!c) return 0; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++; return n; })()`;

describe('the dashboard in a real browser', { timeout: 180_000 }, () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  let watch: { problems: string[] };
  before(async () => {
    [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(20_000);
    watch = watchPage(page);
  });
  after(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('signs in with the owner token: nothing but the form before, the session cookie HttpOnly and SameSite=Strict after', async () => {
    await page.goto(`${demo.url}/`);
    await page.locator('form.signin').waitFor();
    assert.equal(await page.locator('article.node').count(), 0, 'no data before signing in');
    ownerToken = readFileSync(join(demo.dir, 'data', 'owner.token'), 'utf8').trim();
    await signIn(page, demo.url, ownerToken);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'fazt_session');
    assert.ok(cookie?.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));
  });

  it('the overview shows every node, and live values move by SSE without a reload', async () => {
    await page.goto(`${demo.url}/`);
    await page.locator('article.node').nth(2).waitFor();
    assert.deepEqual((await page.locator('article.node .node-name').allTextContents()).sort(), ['desk', 'hallway', 'living-room']);
    const reading = page.locator('article.node li[data-reading="bme280/temperature"]');
    await reading.waitFor();
    assert.match((await reading.locator('.value').textContent()) ?? '', /^-?\d+\.\d °C$/);
    const first = await reading.getAttribute('data-time');
    // The same reading, a newer sample: rendered from the event stream (the page is not reloaded).
    await page.locator(`article.node li[data-reading="bme280/temperature"]:not([data-time="${first}"])`).waitFor();
    assert.equal(await page.locator('.live.up').count(), 1, 'the live stream is connected');
    // The hub's own BLE thermometer (the demo's encrypted `pantry`): a card under the hub, present, with its values.
    const pantry = page.locator('article.ble', { hasText: 'pantry' });
    await pantry.locator('.presence', { hasText: 'present' }).waitFor();
    assert.match((await pantry.locator('li[data-reading$="/temperature"] .value').textContent()) ?? '', /^-?\d+\.\d °C$/);
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
  });

  it("a node's page draws its history on a canvas, and a range change fetches /v1/series again", async () => {
    await page.locator('article.node .node-name', { hasText: 'living-room' }).click();
    await page.locator('.plot[data-reading="temperature"] canvas').waitFor();
    // The page's CSP forbids eval (so no waitForFunction): the pixels are counted by a plain evaluate, polled (bounded).
    let inked = 0;
    for (const until = Date.now() + 10_000; inked <= 500 && Date.now() < until; await sleep(100)) inked = (await page.evaluate(INKED)) as number;
    assert.ok(inked > 500, `the plot has drawn pixels (${inked})`);
    const refetch = page.waitForRequest((r) => r.url().includes('/v1/series') && r.url().includes('name=temperature'));
    await page.locator('button[data-range="day"]').click();
    const url = new URL((await refetch).url());
    assert.equal(Number(url.searchParams.get('to')) - Number(url.searchParams.get('from')), 86_400_000);
    // Its configuration: what the node declared at boot, as text.
    const sensor = page.locator('section.node-config tr[data-sensor="bme280"]');
    await sensor.waitFor();
    assert.deepStrictEqual(await sensor.locator('th, td').allTextContents(), ['bme280', 'bme280', 'I2C 0x76', '2 s', 'options {"pressureOversampling":4}']);
    assert.equal(await page.locator('section.node-config tr[data-key="firmware"] td').textContent(), '0.1.0');
    assert.match((await page.locator('section.node-config tr[data-key="uplink"] td').textContent()) ?? '', /^batches of 8 after at most 2 s/);
    await page.screenshot({ path: join(shots, 'node.png'), fullPage: true });
  });

  it('a rule toggles from the rules page, and the hub says so', async () => {
    await page.goto(`${demo.url}/#/rules`);
    const rule = page.locator('li.rule[data-rule="living-room-warm"]');
    await rule.locator('button.toggle', { hasText: 'Disable' }).click();
    await rule.locator('button.toggle', { hasText: 'Enable' }).waitFor();
    const rules = (await (await fetch(`${demo.url}/v1/rules`, { headers: owner() })).json()) as { rules: { id: string; enabled: boolean }[] };
    assert.equal(rules.rules.find((r) => r.id === 'living-room-warm')?.enabled, false);
    await rule.locator('button.toggle').click();
    await rule.locator('button.toggle', { hasText: 'Disable' }).waitFor();
    await page.screenshot({ path: join(shots, 'rules.png'), fullPage: true });
  });

  it('an invite shows as a QR code, 24 words and an audio element playing the chirp', async () => {
    await page.goto(`${demo.url}/#/enrol`);
    await page.locator('button.create-invite').click();
    await page.locator('.invite img.qr').waitFor();
    assert.match((await page.locator('.invite img.qr').getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    assert.equal(await page.locator('.invite .words li').count(), 24);
    const src = (await page.locator('.invite audio').getAttribute('src')) ?? '';
    const wav = await page.evaluate(`fetch(${JSON.stringify(src)}).then(async (r) => [r.headers.get('content-type'), (await r.arrayBuffer()).byteLength])`);
    assert.equal((wav as [string, number])[0], 'audio/wav');
    assert.ok((wav as [string, number])[1] > 48_000, 'the WAV holds the chirp');
    await page.screenshot({ path: join(shots, 'enrol.png'), fullPage: true });
  });

  it("the simulator page's slider moves a reading the firmware in XS sends; a button presses; the serial monitor shows the node's log", async () => {
    await page.goto(`${demo.url}/#/simulator`);
    const board = page.locator('article.sim-board[data-node="living-room"]');
    await board.locator('input[name="temperature"]').waitFor();
    assert.match((await board.locator('.meta').first().textContent()) ?? '', /firmware in XS/);
    const moved = Date.now();
    const answered = page.waitForResponse((r) => r.url().endsWith('/v1/sim/environment') && (r.request().postData() ?? '').includes('"temperature":35'));
    await board.locator('input[name="temperature"]').fill('35');
    // The poke: the control API answers after the node sampled the new world and the hub stored it, so the
    // reading it names is stored already, sampled after the change (by the node's clock) and within a second of it.
    const { sample } = (await (await answered).json()) as { sample: { sampled: string[]; at: number; from: number; to: number; unsent: number } };
    assert.deepStrictEqual(sample.sampled, ['bme280']);
    type Stored = { events: { seq: number; time: number; data: { name: string; value: number } }[] };
    const since = (await (
      await fetch(`${demo.url}/v1/events?node=living-room&type=sensor.reading&order=desc&limit=40`, { headers: owner() })
    ).json()) as Stored;
    const poked = since.events.filter((e) => e.seq >= sample.from && e.seq <= sample.to && e.data.name === 'temperature');
    assert.equal(poked.length, 1, `the sample the poke asked for was stored before the answer (${JSON.stringify(sample)})`);
    assert.ok(Math.abs(poked[0].data.value - 35) < 0.1, `${poked[0].data.value}`);
    assert.ok(poked[0].time >= sample.at && poked[0].time - sample.at < 1000, `sampled ${poked[0].time - sample.at} ms after the change`);
    type Events = { events: { time: number; data: { name: string; value: number } }[] };
    let hot: Events['events'][number] | undefined;
    for (const until = Date.now() + 15_000; !hot && Date.now() < until; await sleep(200)) {
      const r = (await (await fetch(`${demo.url}/v1/events?node=living-room&type=sensor.reading&order=desc&limit=20`, { headers: owner() })).json()) as Events;
      hot = r.events.find((e) => e.data.name === 'temperature' && Math.abs(e.data.value - 35) < 0.1);
    }
    assert.ok(hot, 'a 35 °C reading from the living room reached the hub');
    console.log(`slider → stored reading: ${Date.now() - moved} ms`);
    const desk = page.locator('article.sim-board[data-node="desk"]');
    await desk.locator('button[data-action="button:press"]').click();
    await desk.locator('.meta', { hasText: 'button: press' }).waitFor();
    await board.locator('pre.serial', { hasText: 'sensor.reading' }).waitFor();
    await page.screenshot({ path: join(shots, 'simulator.png'), fullPage: true });
  });

  it('raised no dialog and no page error', () => {
    assert.deepEqual(watch.problems, []);
  });
});
