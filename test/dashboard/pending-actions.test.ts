import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Browser, Page } from 'playwright-core';
import { answer, MIN, mcpHub, T0 } from '../mcp/mcp-rig.js';
import { launchBrowser, screenshotDir, signIn, watchPage } from './browser.js';

/**
 * The overview's "Pending actions" in Debian's chromium (headless): what an
 * agent proposed over MCP to a real hub on loopback, confirmed and declined
 * by a person's click. Needs the built dashboard (npm run build).
 */
describe('pending actions on the dashboard', { timeout: 120_000 }, () => {
  let h: Awaited<ReturnType<typeof mcpHub>>;
  let client: Client;
  let browser: Browser;
  let page: Page;
  let watch: { problems: string[] };
  before(async () => {
    [h, browser] = await Promise.all([mcpHub(), launchBrowser()]);
    h.setClock(T0 + 5 * MIN);
    client = await h.connect();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(20_000);
    watch = watchPage(page);
    await signIn(page, h.url, h.hub.ownerToken);
  });
  after(async () => {
    await client?.close();
    await browser?.close();
    await h?.stop();
  });

  const propose = async (reason: string) =>
    answer<{ pending: string }>(await client.callTool({ name: 'request_effect', arguments: { node: 'lab', output: 'relay', op: 'on', reason } })).pending;

  it('lists a proposal; Confirm queues its command; Decline runs nothing', async () => {
    const first = await propose('the lab is too warm');
    const second = await propose('just in case');
    await page.goto(`${h.url}/`);
    const row = page.locator(`li.pending[data-pending="${first}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.what').textContent(), 'relay on · lab');
    assert.equal(await row.locator('.why').textContent(), '“the lab is too warm”');
    assert.match((await row.locator('.meta').textContent()) ?? '', /^asked by owner · expires in 10 min · p[a-z2-7]{8}$/);
    await page.screenshot({ path: join(screenshotDir(), 'pending-actions.png'), fullPage: true });
    assert.deepStrictEqual(h.hub.cartridge.commands.list({ node: h.lab.id }), [], 'nothing runs before a click');

    await row.locator('button.confirm').click();
    await row.waitFor({ state: 'detached' });
    const commands = h.hub.cartridge.commands.list({ node: h.lab.id });
    assert.equal(commands.length, 1);
    const confirmed = h.hubEvents('effect.agent.confirmed').at(-1)?.data as { pending: string; by: { via: string } };
    assert.deepStrictEqual([confirmed.pending, confirmed.by.via], [first, 'session']);

    const other = page.locator(`li.pending[data-pending="${second}"]`);
    await other.locator('button.decline').click();
    await page.locator('section.pending-actions').waitFor({ state: 'detached' });
    assert.equal(h.hub.cartridge.commands.list({ node: h.lab.id }).length, 1, 'the declined one queued nothing');
    assert.deepStrictEqual(watch.problems, []);
  });
});
