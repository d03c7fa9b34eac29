import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * The browser tests' fixtures: Debian's chromium driven by playwright-core
 * (never a downloaded browser), and `fazt start` (the hub with its simulated
 * XS nodes) in a child process on a free port. Screenshots go to a temp dir.
 */
export const CHROMIUM = process.env.FAZT_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const bin = new URL('../../bin/fazt.js', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Demo {
  url: string;
  dir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `fazt start` in a fresh data folder on port 0; resolves once its nodes run (bounded: 60 s). */
export async function startDemo(extra: string[] = []): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'fazt-dashboard-'));
  const child = spawn(process.execPath, [bin, 'start', '--data', join(dir, 'data'), '--listen', '127.0.0.1:0', '--quiet', ...extra], {
    cwd: new URL('../..', import.meta.url).pathname,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (!/live readings below/.test(out) && Date.now() < deadline && child.exitCode === null) await sleep(100);
  const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
  if (!url || !/live readings below/.test(out)) {
    await stop();
    throw new Error(`fazt start did not come up:\n${out}`);
  }
  return { url, dir, output: () => out, stop };
}

/** A directory for this run's screenshots (artifacts, never committed). */
export function screenshotDir(): string {
  return process.env.FAZT_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'fazt-dashboard-shots-'));
}

/** Fails the test when the page raises a dialog (an injected alert()) or an uncaught error. */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { problems };
}

/** Signs in as the dashboard asks a newcomer to: the form on the first 401, the owner token pasted in, the session cookie kept by the browser. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  const form = page.locator('form.signin');
  await form.waitFor();
  await form.locator('input[name="token"]').fill(token);
  await form.locator('button[type="submit"]').click();
  await form.waitFor({ state: 'detached' });
}
