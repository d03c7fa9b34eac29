import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createBatch } from '../../firmware/batch/batch.js';
import { crypto, startHub, TestNode } from '../hub/helpers.js';
import { launchBrowser, screenshotDir, signIn, watchPage } from './browser.js';

/** Strings from nodes are data: a hostile node name and hostile sensor strings (reading names, units) render as text, and no script of theirs runs. */
const NAME = '<img src=x onerror=alert(1)>';
const UNIT = '<svg onload=alert(2)>';
const READING = '"><script>alert(3)</script>';

describe('hostile strings from nodes render as text', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof startHub>>;
  let browser: Browser;
  let page: Page;
  let watch: { problems: string[] };
  const node = new TestNode(41);
  before(async () => {
    [h, browser] = await Promise.all([startHub(), launchBrowser()]);
    h.hub.cartridge.addNode(node.identity.publicKey, { name: NAME, board: '<b>board</b>' });
    const t = Date.now() - 60_000;
    // Its configuration as it declares it at boot: hostile strings there too.
    node.record(
      'system.boot',
      'node',
      { firmware: UNIT, board: NAME, sensors: 1, config: { sensors: [{ name: READING, driver: NAME, pin: 4, intervalMs: 1000 }] } },
      t - 1000,
    );
    for (let i = 0; i < 5; i++)
      node.record('sensor.reading', 'bme280', { name: READING, unit: UNIT, value: 20 + i, quality: 'good', time: t + i * 1000 }, t + i * 1000);
    h.hub.cartridge.ingestBatch(createBatch(node.entries, node.identity, crypto));
    page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    watch = watchPage(page);
    await signIn(page, h.url, h.hub.ownerToken);
  });
  after(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('on the overview, the node page and the events log', async () => {
    const shots = screenshotDir();
    await page.goto(`${h.url}/`);
    const card = page.locator('article.node');
    await card.locator('li[data-reading]').waitFor();
    assert.equal(await card.locator('.node-name').textContent(), NAME);
    assert.equal(await card.locator('li[data-reading] .label').textContent(), `bme280 ${READING}`);
    assert.equal(await card.locator('li[data-reading] .value').textContent(), `24.0 ${UNIT}`);
    await page.screenshot({ path: join(shots, 'hostile-overview.png') });
    await card.locator('.node-name').click();
    await page.locator('h1.node-name').waitFor();
    // The heading shows the node's id until the nodes list has loaded, then its name.
    await page.locator('h1.node-name', { hasNotText: node.id }).waitFor();
    assert.equal(await page.locator('h1.node-name').textContent(), NAME);
    await page.locator('table.events td.data').first().waitFor();
    assert.deepStrictEqual(await page.locator('section.node-config tr[data-sensor] > *').allTextContents(), [READING, NAME, 'GPIO 4', '1 s', '']);
    assert.equal(await page.locator('section.node-config tr[data-key="firmware"] td').textContent(), UNIT);
    await page.goto(`${h.url}/#/events`);
    await page.locator('table.events td.data').first().waitFor();
    assert.match((await page.locator('table.events').textContent()) ?? '', /<svg onload=alert\(2\)>/);
    await page.screenshot({ path: join(shots, 'hostile-events.png') });
    // Nothing the node sent became markup: no element of theirs exists, no dialog fired.
    assert.equal(await page.locator('img[src="x"], svg[onload], script:not([src])').count(), 0);
    assert.deepEqual(watch.problems, []);
  });
});
