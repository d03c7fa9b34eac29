/**
 * bench/moddable-lin: the node app's XS heap in a real Moddable build for the
 * SDK's Linux host platform (mcconfig -i -p lin), the figures behind the
 * creation sizes in manifest.json (README: Memory on the device). It needs the
 * Moddable SDK (MODDABLE, its tools on PATH or in build/bin/lin/release), gcc
 * and GLib's headers; without them it says what is missing and exits 0.
 *
 * A hub on loopback enrols the node; the build folder takes the project's
 * manifest without its esp32-only platforms, the ESP32's creation sizes and
 * stand-ins for embedded:io/i2c (the project's BME280 model), digital and pwm
 * (the lin platform has none), and a probe setup module that traces the heap
 * after a GC every 5 s; bench/moddable-lin/mchost.c runs mc.so headless.
 * Prints slots and chunks in use at boot and in the steady state, the stack
 * peak, and the ESP32 equivalents (a slot is 32 bytes here, 16 there).
 *
 * Usage: node --import tsx bench/moddable-lin.ts [--seconds 90]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { build } from 'esbuild';
import { toHex } from '../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../firmware/identity/node-id.js';
import { enrollRequest } from '../firmware/node/enroll-request.js';
import { getBoard } from '../host/boards/board-registry.js';
import { nodeCrypto } from '../host/crypto/node-crypto.js';
import { Hub } from '../host/hub/hub.js';
import { firmwareManifest } from '../host/moddable/firmware-manifest.js';

/** embedded:io/i2c: the bus answers from the project's BME280 model at 0x76; other addresses fail like Moddable's esp32 I2C. */
const I2C_STAND_IN = `
import { Bme280Model } from './sim/models/bme280-model.ts';
let model;
export default class I2C {
  constructor(o) {
    if (o.address !== 0x76) throw new Error('no device');
    model ??= new Bme280Model(0x76, { now: () => Date.now() });
    this.dev = model;
  }
  read(count) {
    const b = this.dev.read(count);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  }
  write(buffer) {
    this.dev.write(buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  }
  close() {}
}
`;

const root = new URL('..', import.meta.url).pathname;
const here = join(root, 'bench', 'moddable-lin');
const secArg = process.argv.indexOf('--seconds');
const seconds = secArg > 0 ? Number(process.argv[secArg + 1]) : 90;
if (!Number.isInteger(seconds) || seconds < 20) throw new RangeError(`--seconds must be an integer of at least 20, got ${process.argv[secArg + 1]}`);

const MODDABLE = process.env.MODDABLE;
const tools = MODDABLE ? join(MODDABLE, 'build', 'bin', 'lin', 'release') : '';
const missing = [
  !MODDABLE && 'MODDABLE (the Moddable SDK checkout)',
  MODDABLE && !existsSync(join(tools, 'mcconfig')) && `the SDK's tools in ${tools} (make in $MODDABLE/build/makefiles/lin)`,
  spawnSync('pkg-config', ['--exists', 'glib-2.0']).status !== 0 && "GLib's headers (apt-get install libglib2.0-dev)",
].filter(Boolean);
if (missing.length) {
  console.log(`bench/moddable-lin: skipped, missing: ${missing.join('; ')}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'fazt-moddable-lin-'));
const hub = new Hub({ dataDir: join(dir, 'hub'), host: '127.0.0.1', port: 0, log: () => {} });
try {
  const addr = await hub.start();
  const secret = new Uint8Array(32).fill(5);
  const invite = hub.cartridge.createInvite({ ttlMs: 600_000 });
  const enrolled = await fetch(`${addr.url}/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(enrollRequest(invite.token, identityFromSecretKey(secret, nodeCrypto), nodeCrypto)),
  });
  if (!enrolled.ok) throw new Error(`enrolment: ${enrolled.status} ${await enrolled.text()}`);
  let stored = 0;
  hub.onStored((entries) => {
    stored += entries.length;
  });
  const board = getBoard('esp32-c3-devkitm-1');
  const node = {
    board: board.id,
    secretKey: toHex(secret),
    hub: { url: addr.url, publicKey: toHex(hub.publicKey) },
    sensors: [{ name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 }],
    uplink: { batchSize: 32, maxDelayMs: 600_000 },
    buffer: { budgetBytes: 32_768 },
  };
  const folder = join(dir, 'build');
  mkdirSync(join(folder, 'out'), { recursive: true });
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(linManifest(firmwareManifest({ projectManifest: '', board, node }))));
  await build({
    stdin: { contents: I2C_STAND_IN, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile: join(folder, 'i2c.js'),
    logLevel: 'error',
  });
  const env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), tools, process.env.PATH].join(delimiter) };
  const mcconfig = spawnSync('mcconfig', ['-i', '-m', '-p', 'lin', '-t', 'build', '-o', join(folder, 'out'), 'manifest.json'], {
    cwd: folder,
    env,
    encoding: 'utf8',
  });
  if (mcconfig.status !== 0) throw new Error(`mcconfig failed:\n${(mcconfig.stdout + mcconfig.stderr).slice(-2000)}`);
  const glib = execFileSync('pkg-config', ['--cflags', '--libs', 'glib-2.0'], { encoding: 'utf8' }).trim().split(/\s+/);
  const host = join(dir, 'mchost');
  execFileSync('gcc', ['-O2', '-o', host, join(here, 'mchost.c'), `-I${join(MODDABLE as string, 'build', 'simulators', 'modules')}`, ...glib, '-ldl']);
  // Not spawnSync: the hub that acknowledges the node runs in this process.
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(host, [join(folder, 'out', 'bin', 'lin', 'mc', 'instrument', 'build', 'mc.so'), String(seconds)], {
      timeout: (seconds + 30) * 1000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  report(run.stdout, stored);
  if (run.status !== 0)
    console.log(
      `  the app stopped (exit ${run.status}):\n${run.stderr}${run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('instruments'))
        .slice(-6)
        .join('\n')}`,
    );
} finally {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The project's manifest for -p lin: its modules and preloads (its platforms are esp32-only), the ESP32's creation, the stand-ins and the probe. */
function linManifest(device: ReturnType<typeof firmwareManifest>) {
  const project = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  const abs = (p: string) => (p.startsWith('./') ? join(root, p.slice(2)) : p);
  const esp32 = project.platforms.esp32.creation;
  return {
    include: [...project.include, '$(MODDABLE)/modules/base/debug/manifest.json', '$(MODDABLE)/modules/base/instrumentation/manifest.json'],
    creation: { ...project.creation, chunk: esp32.chunk, heap: esp32.heap, stack: esp32.stack },
    config: device.config,
    defines: device.defines,
    modules: {
      ...Object.fromEntries(Object.entries(project.modules as Record<string, string>).map(([k, v]) => [k, abs(v)])),
      'embedded:io/i2c': './i2c',
      'embedded:io/digital': join(here, 'digital'),
      'embedded:io/pwm': join(here, 'pwm'),
      'setup/probe': join(here, 'probe'),
    },
    preload: [...project.preload, 'embedded:io/i2c', 'embedded:io/digital', 'embedded:io/pwm', 'setup/probe'],
  };
}

function report(out: string, stored: number): void {
  const probes = [...out.matchAll(/^probe (\S+) ms=\d+ slotBytes=(\d+) chunkBytes=(\d+) stackBytes=(\d+) modules=(\d+)$/gm)].map((m) => ({
    label: m[1],
    slots: Number(m[2]) / 32,
    chunks: Number(m[3]),
    modules: Number(m[5]),
  }));
  const peakStack = Math.max(0, ...[...out.matchAll(/^instruments: (.*)$/gm)].map((m) => Number(m[1].split(',')[13])));
  const boot = probes.find((p) => p.label === 'main');
  const steady = probes.filter((p) => p.label.startsWith('tick') && p.label !== 'tick1');
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`bench/moddable-lin: the node app on Moddable's lin platform (ESP32 creation sizes), one BME280 at 1 Hz, ${stored} entries stored by the hub`);
  if (!boot) return console.log('  no probe after main: the app did not start');
  console.log(`  boot: ${f(boot.slots)} slots, ${kb(boot.chunks)} of chunks (${boot.modules} modules); on an ESP32 ${kb(boot.slots * 16)} of slots`);
  if (steady.length) {
    const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
    const [s0, s1] = range(steady.map((p) => p.slots));
    const [c0, c1] = range(steady.map((p) => p.chunks));
    console.log(
      `  steady (${steady.length} samples): ${f(s0)}–${f(s1)} slots, ${kb(c0)}–${kb(c1)} of chunks; on an ESP32 ${kb(s0 * 16)}–${kb(s1 * 16)} of slots`,
    );
  }
  console.log(`  stack peak: ${f(peakStack / 32)} slots`);
}
