import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The XS engine @agoric/xsnap builds, for the native module tests: its
 * headers for compiling a module's glue, and its objects linked with the
 * glue and xs-harness.c into a small host that runs JavaScript against the
 * module's host functions.
 */
export const root = new URL('../..', import.meta.url).pathname;
export const xsnap = join(root, 'node_modules/@agoric/xsnap');
const run = promisify(execFile);

/** The include flags of XS's headers with xsnap's platform header, as a Moddable build sets INCLUDE_XSPLATFORM (esp32_xs.h on an ESP32). */
export const xsHeaderFlags = [
  '-DINCLUDE_XSPLATFORM',
  '-DXSPLATFORM="xsnapPlatform.h"',
  `-I${join(xsnap, 'moddable/xs/includes')}`,
  `-I${join(xsnap, 'moddable/xs/platforms')}`,
  `-I${join(xsnap, 'xsnap-native/xsnap/sources')}`,
];

/** How @agoric/xsnap builds xsnap-worker (its makefile): the defines, and the engine's objects with where each one's source is. */
function xsnapBuild(): { defines: string[]; objects: { name: string; source: string; built: string }[]; includes: string[] } {
  const mk = readFileSync(join(xsnap, 'xsnap-native/xsnap/makefiles/lin/xsnap-worker.mk'), 'utf8');
  const start = mk.indexOf('C_OPTIONS = \\');
  const block = mk.slice(start, mk.indexOf('\n\n', start));
  const defines = [...block.matchAll(/^\s*(-[DU]\S+)/gm)].map((m) => m[1].replace(/\\"/g, '"').replace('$(XSNAP_VERSION)', 'fazt-test'));
  const dirs = [
    'moddable/xs/sources',
    'xsnap-native/xsnap/sources',
    'moddable/modules/data/text/decoder',
    'moddable/modules/data/text/encoder',
    'moddable/modules/data/base64',
  ].map((d) => join(xsnap, d));
  const names = [...new Set([...mk.matchAll(/\$\(TMP_DIR\)\/([\w-]+)\.o/g)].map((m) => m[1]))].filter((n) => n !== 'xsnap-worker');
  const objects = names.map((name) => ({
    name,
    source: dirs.map((d) => join(d, `${name}.c`)).find((f) => existsSync(f)) ?? '',
    built: join(xsnap, 'xsnap-native/xsnap/build/tmp/lin/release/xsnap-worker', `${name}.o`),
  }));
  const includes = ['moddable/xs/includes', 'moddable/xs/platforms', 'moddable/xs/sources', 'xsnap-native/xsnap/sources'].map((d) => `-I${join(xsnap, d)}`);
  return { defines, objects, includes };
}

export interface HarnessSources {
  /** C files compiled with -Wall -Wextra -Werror (the module's glue, its function table, test doubles). */
  sources: string[];
  /** Include folders for them. */
  includes: string[];
  /** Extra defines. */
  defines?: string[];
  /** Objects or libraries linked as they are (a C core compiled elsewhere, -lsodium). */
  link?: string[];
}

/** Compiles and links xs-harness.c with the engine and `o` into `dir`/harness; its path. */
export async function buildHarness(dir: string, o: HarnessSources): Promise<string> {
  const { defines, objects, includes } = xsnapBuild();
  assert.ok(defines.includes('-DmxMetering=1') && objects.length > 40, 'read xsnap-worker.mk');
  const compile = (source: string, out: string, extra: string[] = []) =>
    run('cc', ['-O1', ...defines, ...includes, ...o.includes.map((d) => `-I${d}`), ...(o.defines ?? []), ...extra, '-c', source, '-o', out]);
  // The engine's objects as xsnap's install built them (those of the xsnap-worker the simulator runs); any missing is compiled here.
  const engine = objects.map((ob) => (existsSync(ob.built) ? ob.built : join(dir, `${ob.name}.o`)));
  const missing = objects.filter((ob) => !existsSync(ob.built));
  for (let i = 0; i < missing.length; i += 2) await Promise.all(missing.slice(i, i + 2).map((ob) => compile(ob.source, join(dir, `${ob.name}.o`), ['-w'])));
  const own = [join(root, 'test/native/xs-harness.c'), ...o.sources];
  const built = own.map((_, i) => join(dir, `own-${i}.o`));
  // The harness's main keeps to -Wall (XS's creation record and its setjmp-based xsTry draw -Wextra's notes); the rest gets -Wextra too.
  for (let i = 0; i < own.length; i++) await compile(own[i], built[i], ['-Wall', ...(i ? ['-Wextra'] : []), '-Werror', `-I${join(root, 'test/native')}`]);
  const harness = join(dir, 'harness');
  await run('cc', ['-rdynamic', ...built, ...(o.link ?? []), ...engine, '-ldl', '-lm', '-lpthread', '-o', harness]);
  return harness;
}

/** Helpers every script gets: hex ⇄ bytes, `out(value)` prints it as JSON, `threw(f)` → [name, message] or null. */
const PRELUDE = `const hex = (b) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h) => { const a = new Uint8Array(h.length / 2); for (let i = 0; i < a.length; i++) a[i] = parseInt(h.substr(2 * i, 2), 16); return a; };
const out = (v) => print(JSON.stringify(v));
const threw = (f) => { try { f(); return null; } catch (e) { return [e.name, e.message.replace(/^@\\w+: /, '')]; } };
`;

let scripts = 0;

/** Runs `body` in the harness (after PRELUDE) with `env`; its stdout lines, the process having exited 0. */
export function runHarness(harness: string, body: string, env: Record<string, string> = {}): string[] {
  const script = `${harness}-script-${scripts++}.js`;
  writeFileSync(script, PRELUDE + body);
  const r = spawnSync(harness, [script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trimEnd().split('\n');
}
