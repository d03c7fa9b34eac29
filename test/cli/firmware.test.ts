import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { BoardError, FaztError } from '../../hal/contracts/errors.js';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { firmwareCommand } from '../../host/cli/commands/firmware.js';
import { firmwareBuild, firmwareFlash, type FirmwareRequest } from '../../host/moddable/firmware-build.js';
import type { FirmwareManifest } from '../../host/moddable/firmware-manifest.js';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const tmp = mkdtempSync(join(tmpdir(), 'fazt-firmware-'));

const nodeConfig = (board: string) => ({
  board,
  secretKey: { $bytes: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE' },
  hub: { url: 'http://192.168.1.10:7070', publicKey: { $bytes: 'AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI' } },
  sensors: [{ name: 'air', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 5000 }],
  uplink: { batchSize: 16, maxDelayMs: 10000 },
  buffer: { budgetBytes: 32768 },
});

let n = 0;
function configFile(doc: unknown): string {
  const f = join(tmp, `node-${n++}.json`);
  writeFileSync(f, JSON.stringify(doc));
  return f;
}

/** A PATH with only what the test puts there (plus sh for the fake tools). */
function toolsDir(tools: Record<string, string>): string {
  const dir = join(tmp, `bin-${n++}`);
  mkdirSync(dir);
  for (const [name, script] of Object.entries(tools)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function fakeSdk(): { MODDABLE: string; IDF_PATH: string } {
  const MODDABLE = join(tmp, `moddable-${n++}`);
  mkdirSync(join(MODDABLE, 'examples'), { recursive: true });
  writeFileSync(join(MODDABLE, 'examples', 'manifest_base.json'), '{}');
  const IDF_PATH = join(tmp, `idf-${n++}`);
  mkdirSync(join(IDF_PATH, 'tools'), { recursive: true });
  writeFileSync(join(IDF_PATH, 'tools', 'idf.py'), '');
  return { MODDABLE, IDF_PATH };
}

function req(over: Partial<FirmwareRequest>): FirmwareRequest & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { env: { PATH: toolsDir({}) }, out: (t) => stdout.push(t), err: (t) => stderr.push(t), stdout, stderr, ...over };
}

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as FirmwareManifest;

describe('fazt firmware build: the build folder', () => {
  const cases: [string, string, number, number][] = [
    ['esp32-devkitc', 'esp32', 21, 22],
    ['esp32-c3-devkitm-1', 'esp32/esp32c3', 4, 5],
    ['esp32-s3-devkitc-1', 'esp32/esp32s3', 4, 5],
  ];
  for (const [board, platform, sda, scl] of cases) {
    it(`${board}: manifest including the project's, board and node as config, I2C ${sda}/${scl} as defines; exit 3 without tools`, async () => {
      const dir = join(tmp, `out-${board}`);
      const node = nodeConfig(board);
      const r = req({ config: configFile(node), outDir: dir, wifi: { ssid: 'home', password: 'pw' } });
      assert.equal(await firmwareBuild(r), 3);
      const m = readManifest(dir);
      assert.deepStrictEqual(m.include, [join(root, 'manifest.json')]);
      assert.deepStrictEqual(m.config.fazt.board, JSON.parse(readFileSync(join(root, 'boards', `${board}.json`), 'utf8')));
      assert.deepStrictEqual(m.config.fazt.node, node);
      assert.deepStrictEqual(m.config.i2c, { sda, scl });
      assert.deepStrictEqual(m.defines, { i2c: { sda_pin: sda, scl_pin: scl } });
      assert.equal(m.config.ssid, 'home');
      assert.equal(m.config.password, 'pw');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'manifest.json')).mode & 0o777, 0o600);
      const err = r.stderr.join('');
      assert.ok(err.includes(`cd ${dir} && mcconfig -d -m -p ${platform} -t build -o ${dir}/out manifest.json`), err);
      assert.match(r.stdout.join(''), new RegExp(`wrote ${dir}/manifest.json \\(${board}, mcconfig platform ${platform.replace('/', '\\/')}\\)`));
    });
  }

  it('a node without hub.url (found by Beacon) carries its invite token through to the device config; a bad token is refused', async () => {
    const dir = join(tmp, 'out-beacon');
    const node = nodeConfig('esp32-c3-devkitm-1');
    const hub = { publicKey: node.hub.publicKey, token: 'fziabcdefghijklmnopqrstuvwxyz234567' };
    const r = req({ config: configFile({ ...node, hub }), outDir: dir });
    assert.equal(await firmwareBuild(r), 3);
    assert.deepStrictEqual(readManifest(dir).config.fazt.node, { ...node, hub });
    await assert.rejects(
      firmwareBuild(req({ config: configFile({ ...node, hub: { ...hub, token: 'has space' } }), outDir: join(tmp, 'out-badtoken') })),
      (e: unknown) => e instanceof FaztError && /hub\/token/.test(e.message),
    );
  });

  it('prints exactly what is missing and how to set it up (Moddable SDK, ESP-IDF v6.0, exports, mcconfig)', async () => {
    const dir = join(tmp, 'out-missing');
    const r = req({ config: configFile(nodeConfig('esp32-devkitc')), outDir: dir });
    assert.equal(await firmwareBuild(r), 3);
    const err = r.stderr.join('');
    for (const line of [
      '  - MODDABLE is not set (the Moddable SDK checkout)',
      '  - mcconfig is not on PATH',
      '  - IDF_PATH is not set (ESP-IDF v6.0, needed for esp32)',
      '  - idf.py is not on PATH (source $IDF_PATH/export.sh in this shell)',
      'git clone https://github.com/Moddable-OpenSource/moddable ~/Projects/moddable',
      'export MODDABLE=~/Projects/moddable',
      'export PATH=$PATH:$MODDABLE/build/bin/lin/release',
      'cd $MODDABLE/build/makefiles/lin && make',
      'git clone -b v6.0 --recursive https://github.com/espressif/esp-idf.git esp-idf-v6.0',
      'export IDF_PATH=$HOME/esp32/esp-idf-v6.0',
      'cd $IDF_PATH && sh ./install.sh',
      'source $IDF_PATH/export.sh',
      `export PATH=${root}/node_modules/.bin:$PATH`,
    ])
      assert.ok(err.includes(line), `missing line: ${line}\n${err}`);
    assert.match(r.stderr.join(''), /no --ssid given/);
  });

  it('with the SDK there but not ESP-IDF, names only ESP-IDF', async () => {
    const { MODDABLE } = fakeSdk();
    const r = req({
      config: configFile(nodeConfig('esp32-devkitc')),
      outDir: join(tmp, 'out-noidf'),
      env: { MODDABLE, PATH: toolsDir({ mcconfig: 'exit 0' }) },
    });
    assert.equal(await firmwareBuild(r), 3);
    const err = r.stderr.join('');
    assert.doesNotMatch(err, /MODDABLE is not set|mcconfig is not on PATH|Projects\/moddable/);
    assert.match(err, /IDF_PATH is not set/);
    assert.match(err, /git clone -b v6\.0/);
  });

  it('refuses a Raspberry Pi board, writing nothing', async () => {
    const dir = join(tmp, 'out-pi');
    await assert.rejects(
      firmwareBuild(req({ config: configFile(nodeConfig('rpi-5')), outDir: dir })),
      (e: unknown) => e instanceof BoardError && /rpi-5 runs on Node\.js \(runtime node\)/.test(e.message),
    );
    await assert.rejects(
      firmwareBuild(req({ board: 'rpi-4b', config: configFile(nodeConfig('esp32-devkitc')), outDir: dir })),
      /is for board esp32-devkitc, not rpi-4b/,
    );
    await assert.rejects(firmwareBuild(req({ config: configFile(nodeConfig('esp32-nope')), outDir: dir })), /no board 'esp32-nope'/);
    assert.ok(!existsSync(dir));
  });

  it('refuses an invalid node configuration with one line naming the file and the JSON Pointer path', async () => {
    const bad = nodeConfig('esp32-devkitc') as Record<string, unknown>;
    bad.hub = { url: 'http://hub' };
    const file = configFile(bad);
    const dir = join(tmp, 'out-bad');
    await assert.rejects(firmwareBuild(req({ config: file, outDir: dir })), (e: unknown) => {
      assert.ok(e instanceof FaztError);
      assert.equal(e.code, 'schema');
      assert.equal(e.message.split('\n').length, 1);
      assert.ok(e.message.startsWith(`${file}: nodeConfig: /hub/publicKey is required`), e.message);
      return true;
    });
    const notJson = join(tmp, 'not.json');
    writeFileSync(notJson, '{"board": ');
    await assert.rejects(firmwareBuild(req({ config: notJson, outDir: dir })), /cannot read node configuration .*not\.json/);
    assert.ok(!existsSync(dir));
  });
});

describe('fazt firmware: running mcconfig', () => {
  const recorder = (log: string, code = 0) =>
    `{ echo "cwd=$PWD"; echo "args=$*"; echo "port=$UPLOAD_PORT"; echo "tsc=$(command -v tsc)"; } >> ${log}\nexit ${code}`;
  function tools(log: string, code = 0) {
    const sdk = fakeSdk();
    return { ...sdk, PATH: toolsDir({ mcconfig: recorder(log, code), 'idf.py': 'exit 0' }) };
  }

  it('build runs mcconfig -d -m -p <platform> -t build in the folder, with the project tsc first on PATH', async () => {
    const log = join(tmp, 'mcconfig-build.log');
    const dir = join(tmp, 'out-run');
    const r = req({ config: configFile(nodeConfig('esp32-c3-devkitm-1')), outDir: dir, env: tools(log) });
    assert.equal(await firmwareBuild(r), 0, r.stderr.join(''));
    assert.deepStrictEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      `cwd=${dir}`,
      `args=-d -m -p esp32/esp32c3 -t build -o ${dir}/out manifest.json`,
      'port=',
      `tsc=${root}/node_modules/.bin/tsc`,
    ]);
    assert.match(r.stdout.join(''), /running: cd .* && mcconfig -d -m/);
  });

  it('--release drops -d; a failing mcconfig exits 1', async () => {
    const log = join(tmp, 'mcconfig-fail.log');
    const r = req({ config: configFile(nodeConfig('esp32-devkitc')), outDir: join(tmp, 'out-fail'), release: true, env: tools(log, 2) });
    assert.equal(await firmwareBuild(r), 1);
    assert.match(readFileSync(log, 'utf8'), /args=-m -p esp32 -t build/);
    assert.match(r.stderr.join(''), /mcconfig failed \(exit 2\)/);
  });

  it('flash runs mcconfig with UPLOAD_PORT on the folder build wrote, and checks it is for that board', async () => {
    const dir = join(tmp, 'out-flash');
    assert.equal(await firmwareBuild(req({ config: configFile(nodeConfig('esp32-s3-devkitc-1')), outDir: dir })), 3);
    const port = join(tmp, 'ttyUSB0');
    writeFileSync(port, '');
    const log = join(tmp, 'mcconfig-flash.log');
    const r = req({ board: 'esp32-s3-devkitc-1', outDir: dir, env: tools(log) });
    assert.equal(await firmwareFlash({ ...r, port }), 0, r.stderr.join(''));
    assert.deepStrictEqual(readFileSync(log, 'utf8').trim().split('\n').slice(0, 3), [
      `cwd=${dir}`,
      `args=-d -m -p esp32/esp32s3 -o ${dir}/out manifest.json`,
      `port=${port}`,
    ]);
    await assert.rejects(
      firmwareFlash({ ...req({ board: 'esp32-devkitc', outDir: dir, env: tools(log) }), port }),
      /was built for board esp32-s3-devkitc-1, not esp32-devkitc/,
    );
    await assert.rejects(
      firmwareFlash({ ...req({ board: 'esp32-devkitc', outDir: join(tmp, 'nothing-here'), env: tools(log) }), port }),
      /no build folder at .*run `fazt firmware build/,
    );
    await assert.rejects(
      firmwareFlash({ ...req({ board: 'esp32-s3-devkitc-1', outDir: dir, env: tools(log) }), port: '/dev/ttyNOPE9' }),
      /no serial port \/dev\/ttyNOPE9/,
    );
  });

  it('flash without tools prints the UPLOAD_PORT command and exits 3', async () => {
    const dir = join(tmp, 'out-flash-missing');
    const r = req({ config: configFile(nodeConfig('esp32-devkitc')), outDir: dir });
    assert.equal(await firmwareFlash({ ...r, port: '/dev/ttyUSB0' }), 3);
    assert.ok(r.stderr.join('').includes(`cd ${dir} && UPLOAD_PORT=/dev/ttyUSB0 mcconfig -d -m -p esp32 -o ${dir}/out manifest.json`));
  });
});

describe('fazt firmware: the command line', () => {
  const io = { stdin: async () => Buffer.alloc(0), out: () => {}, err: () => {} };
  it('usage mistakes are UsageErrors (exit 2)', async () => {
    await assert.rejects(
      dispatch(firmwareCommand, ['flash', '--board', 'esp32-devkitc'], ['fazt', 'firmware'], io),
      (e: unknown) => e instanceof UsageError && /--port/.test(e.message),
    );
    await assert.rejects(dispatch(firmwareCommand, ['build', '--bogus'], ['fazt', 'firmware'], io), UsageError);
    await assert.rejects(dispatch(firmwareCommand, ['build', '--config', 'x.json', '--password', 'pw'], ['fazt', 'firmware'], io), /--password needs --ssid/);
    await assert.rejects(dispatch(firmwareCommand, ['build'], ['fazt', 'firmware'], io), /build needs --config/);
  });
  it('answers --help', async () => {
    let text = '';
    assert.equal(await dispatch(firmwareCommand, ['build', '--help'], ['fazt', 'firmware'], { ...io, out: (t) => (text += t) }), 0);
    assert.match(text, /^Usage: fazt firmware build/);
  });
});

/** Where XS finds a module: the specifier without .js, relative ones against the importer's module name (xs/platforms/mc/xsHosts.c fxFindModule). */
function xsSpecifier(importer: string, original: string): string {
  const bare = original.replace(/\.m?js$/, '');
  return bare.startsWith('.') ? posix.normalize(posix.join(posix.dirname(importer), bare)) : bare;
}

/** The module name a file gets: its path without extension (node_modules/ dropped). */
const moduleName = (file: string) => file.replace(/^node_modules\//, '').replace(/\.(ts|js)$/, '');

/** Resolves a module name through manifest.json's "modules" like mcconfig does (a key "dir/*" maps each file of a folder). */
function mapped(modules: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(modules)) {
    let source: string | undefined;
    if (key.endsWith('/*')) {
      const rest = name.slice(key.length - 1);
      if (name.startsWith(key.slice(0, -1)) && rest && !rest.includes('/')) source = value.replace(/\*$/, rest);
    } else if (key === name) source = value;
    if (source === undefined || source.startsWith('$(')) continue;
    for (const ext of ['.ts', '.js']) if (existsSync(join(root, source + ext))) return posix.normalize(source + ext);
  }
  return undefined;
}

/** Modules the Moddable manifests we include provide. */
const FROM_MODDABLE: Record<string, string> = {
  'embedded:io/analog': 'modules/io/manifest.json',
  'embedded:io/digital': 'modules/io/manifest.json',
  'embedded:io/i2c': 'modules/io/manifest.json',
  'embedded:io/pwm': 'modules/io/manifest.json',
  'embedded:io/serial': 'modules/io/manifest.json',
  'embedded:io/socket/tcp': 'modules/io/manifest.json (esp32)',
  'embedded:io/socket/udp': 'modules/io/manifest.json (esp32)',
  'embedded:network/dns/resolver/udp': 'examples/io/udp/dns/manifest_dns.json',
  'embedded:network/http/client': 'manifest.json → examples/io/tcp/httpclient/httpclient',
  net: 'examples/manifest_net.json',
  wifi: 'examples/manifest_net.json (modules/network/wifi)',
  preference: 'modules/files/preference/manifest.json (esp32: NVS)',
  timer: 'build/devices/esp32/manifest.json (via manifest_base)',
  instrumentation: 'examples/manifest_base.json (modules/base/instrumentation)',
  time: 'examples/manifest_base.json (modules/base/time)',
  'mc/config': 'generated by mcconfig',
  crypt: 'modules/crypt/digest/manifest.json',
  ota: 'build/devices/esp32/modules/ota/manifest.json',
};

/** The project's own native modules: a manifest fragment that manifest.json includes maps each. */
const NATIVE: Record<string, string> = {
  'fazt/ed25519': 'firmware/crypto/native/manifest.json',
  'fazt/esp32': 'firmware/device/native/manifest.json',
};

/** A fragment's module map: its own, or its esp32 platform's (a module built for esp32 only). */
function fragmentModules(fragment: string): Record<string, string | string[]> {
  const f = JSON.parse(readFileSync(join(root, fragment), 'utf8')) as {
    modules?: Record<string, string | string[]>;
    platforms?: Record<string, { modules?: Record<string, string | string[]> }>;
  };
  return { ...f.modules, ...f.platforms?.esp32?.modules };
}

describe('manifest.json (the project manifest for mcconfig)', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
    include: string[];
    creation: { main: string };
    modules: Record<string, string>;
    preload: string[];
    platforms: Record<string, unknown>;
  };

  it('maps every module the device entry imports, under the name XS resolves each import to', async () => {
    const entry = 'firmware/device/device-main.ts';
    const r = await build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: [...Object.keys(FROM_MODDABLE), ...Object.keys(NATIVE)],
      logLevel: 'silent',
      format: 'esm',
    });
    const inputs = r.metafile.inputs;
    assert.ok(Object.keys(inputs).length > 50);
    assert.equal(manifest.creation.main, moduleName(entry));
    assert.equal(mapped(manifest.modules, manifest.creation.main), entry);
    for (const [file, { imports }] of Object.entries(inputs)) {
      assert.equal(mapped(manifest.modules, moduleName(file)), file, `${file} is not mapped as ${moduleName(file)}`);
      for (const imp of imports) {
        if (imp.external && imp.path in NATIVE) {
          const fragment = NATIVE[imp.path];
          assert.ok(manifest.include.includes(`./${fragment}`), `manifest.json does not include ${fragment}`);
          const source = fragmentModules(fragment)[imp.path];
          assert.ok(
            typeof source === 'string' && existsSync(join(root, dirname(fragment), `${source}.js`)),
            `${fragment} does not map ${imp.path} to a module`,
          );
          continue;
        }
        if (imp.external) {
          assert.ok(imp.path in FROM_MODDABLE, `${file} imports ${imp.path}, which no included manifest provides`);
          continue;
        }
        const name = xsSpecifier(moduleName(file), imp.original ?? imp.path);
        assert.equal(mapped(manifest.modules, name), imp.path, `${file}: '${imp.original}' resolves to ${name} in XS, which does not map to ${imp.path}`);
      }
    }
  });

  it("includes Moddable's base, network, io, DNS, digest, preference and ESP32 OTA manifests and the native modules, and targets the three ESP32 platforms", () => {
    assert.deepStrictEqual(manifest.include, [
      '$(MODDABLE)/examples/manifest_base.json',
      '$(MODDABLE)/examples/manifest_net.json',
      '$(MODDABLE)/modules/io/manifest.json',
      '$(MODDABLE)/examples/io/udp/dns/manifest_dns.json',
      '$(MODDABLE)/modules/crypt/digest/manifest.json',
      './firmware/crypto/native/manifest.json',
      '$(MODDABLE)/modules/files/preference/manifest.json',
      '$(MODDABLE)/build/devices/esp32/modules/ota/manifest.json',
      './firmware/device/native/manifest.json',
    ]);
    for (const p of ['esp32', 'esp32/esp32c3', 'esp32/esp32s3']) assert.ok(p in manifest.platforms, p);
    for (const b of ['esp32-devkitc', 'esp32-c3-devkitm-1', 'esp32-s3-devkitc-1']) {
      const platform = (JSON.parse(readFileSync(join(root, 'boards', `${b}.json`), 'utf8')) as { moddable: { platform: string } }).moddable.platform;
      assert.ok(platform in manifest.platforms, `${b}: ${platform}`);
    }
  });

  it('maps no test-only, Node-only or simulator code, and every mapped file exists', () => {
    for (const [key, source] of Object.entries(manifest.modules)) {
      assert.doesNotMatch(source, /\/(sim|linux|test)\/|host\//, key);
      if (source.startsWith('$(')) continue;
      const dir = source.endsWith('/*') ? join(root, source.slice(0, -2)) : dirname(join(root, source));
      assert.ok(existsSync(dir), `${key}: ${source}`);
      if (!source.endsWith('/*')) assert.ok(existsSync(join(root, source + '.ts')) || existsSync(join(root, source + '.js')), `${key}: ${source}`);
    }
  });

  it('preloads mapped modules by name, and everything they import is preloaded too (xsl runs their imports at link time)', async () => {
    const own = manifest.preload.filter((p) => p !== 'embedded:network/http/client');
    for (const p of own) {
      assert.ok(!p.includes('*'), `${p}: mcconfig expands preload wildcards over .js modules only, so .ts modules are named one by one`);
      assert.ok(mapped(manifest.modules, p), p);
    }
    const r = await build({
      entryPoints: own.map((p) => join(root, mapped(manifest.modules, p) as string)),
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      outdir: join(tmp, 'preload'),
      platform: 'neutral',
      logLevel: 'silent',
      format: 'esm',
    });
    for (const file of Object.keys(r.metafile.inputs))
      assert.ok(own.includes(moduleName(file)), `${file} is imported by a preloaded module but not listed in preload`);
    assert.ok(
      !own.some((p) => /schema|noble|moddable\/|node\//.test(p)),
      'validators set properties on their functions and noble keeps scratch buffers: not preloadable',
    );
  });
});
