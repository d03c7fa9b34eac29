import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildHarness, root, runHarness, xsHeaderFlags } from './xs-engine.js';

/**
 * fazt/esp32 (firmware/device/native/): its XS glue compiled against the XS
 * headers inside @agoric/xsnap and, for ESP-IDF, against esp-idf-decls.h,
 * which mirrors the few ESP-IDF prototypes it calls: there is no ESP-IDF
 * here, so this is not a compile against ESP-IDF. Then linked into that XS
 * engine with test doubles of those calls (esp-idf-doubles.c, which print
 * each call), so JavaScript inside XS drives the module's host functions
 * and the test reads which ESP-IDF calls they made. Nothing here runs on
 * an ESP32.
 */
const native = join(root, 'firmware/device/native');
const glue = join(native, 'fazt-esp32-xs.c');
const testNative = join(root, 'test/native');
const IDF_HEADERS = ['esp_ota_ops.h', 'esp_sleep.h', 'esp_system.h', 'soc/soc_caps.h'];

const skip = spawnSync('cc', ['--version']).error ? 'no C compiler (cc) on this machine: apt-get install build-essential' : false;

/** A folder with one file per ESP-IDF header the glue includes, each including esp-idf-decls.h. */
function idfShims(dir: string): string {
  const shims = join(dir, 'esp-idf');
  mkdirSync(join(shims, 'soc'), { recursive: true });
  for (const h of IDF_HEADERS) writeFileSync(join(shims, h), '#include "esp-idf-decls.h"\n');
  return shims;
}

describe('fazt/esp32: the XS glue', { skip }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fazt-esp32-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('includes exactly the ESP-IDF headers the test mirrors', () => {
    const included = [...readFileSync(glue, 'utf8').matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]).filter((h) => h !== 'xsmc.h');
    assert.deepStrictEqual(included, IDF_HEADERS);
  });

  for (const [chip, defines] of [
    ['a chip with EXT0 wakeup (ESP32, S3)', []],
    ['a chip without (C3: GPIO wakeup)', ['-DFAZT_TEST_NO_EXT0']],
  ] as const)
    it(`compiles without a warning against the XS headers and the mirrored ESP-IDF declarations, for ${chip}`, () => {
      const r = spawnSync(
        'cc',
        ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', ...defines, ...xsHeaderFlags, `-I${idfShims(dir)}`, `-I${testNative}`, glue],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
    });

  it('defines every host function the JavaScript module binds, and no other', () => {
    const bound = [...readFileSync(join(native, 'fazt-esp32.js'), 'utf8').matchAll(/@\s*"(\w+)"/g)].map((m) => m[1]).sort();
    const defined = [...readFileSync(glue, 'utf8').matchAll(/^void (xs_\w+)\(xsMachine \*the\)/gm)].map((m) => m[1]).sort();
    assert.equal(bound.length, 7);
    assert.deepStrictEqual(defined, bound);
    const declared = [...readFileSync(join(native, 'fazt-esp32.d.ts'), 'utf8').matchAll(/export function (\w+)\(/g)].map((m) => m[1]).sort();
    const exported = /export \{ ([^}]+) \}/
      .exec(readFileSync(join(native, 'fazt-esp32.js'), 'utf8'))?.[1]
      .split(', ')
      .sort();
    assert.deepStrictEqual(declared, exported);
  });
});

describe('fazt/esp32: the Moddable manifest fragment and the build’s ESP-IDF configuration', () => {
  type Fragment = {
    modules?: unknown;
    platforms: Record<string, { modules?: Record<string, string | string[]>; preload?: string[]; build?: Record<string, string> }>;
  };
  const fragment = JSON.parse(readFileSync(join(native, 'manifest.json'), 'utf8')) as Fragment;
  const crypto = JSON.parse(readFileSync(join(root, 'firmware/crypto/native/manifest.json'), 'utf8')) as Fragment;

  it('builds the module on esp32 only (nothing elsewhere), preloaded', () => {
    assert.deepStrictEqual(Object.keys(fragment.platforms), ['esp32']);
    assert.equal(fragment.modules, undefined);
    const esp32 = fragment.platforms.esp32;
    assert.deepStrictEqual(esp32.modules, { 'fazt/esp32': './fazt-esp32', '*': ['./fazt-esp32-xs'] });
    assert.deepStrictEqual(esp32.preload, ['fazt/esp32']);
  });

  it('shares one sdkconfig folder with the native crypto fragment, which enables rollback and keeps libsodium’s own SHA', () => {
    assert.equal(fragment.platforms.esp32.build?.SDKCONFIGPATH, '../../sdkconfig');
    assert.equal(crypto.platforms.esp32.build?.SDKCONFIGPATH, '../../sdkconfig', 'both name the same folder, from their own');
    const defaults = readFileSync(join(root, 'firmware/sdkconfig/sdkconfig.defaults'), 'utf8');
    assert.match(defaults, /^CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y$/m);
    assert.match(defaults, /^CONFIG_LIBSODIUM_USE_MBEDTLS_SHA=n$/m);
  });

  it('sets an OTA partition table: nvs, otadata, two app slots on 64 KB boundaries, all within 4 MB', () => {
    assert.equal(fragment.platforms.esp32.build?.PARTITIONS_FILE, '../../sdkconfig/partitions.csv');
    const rows = readFileSync(join(root, 'firmware/sdkconfig/partitions.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(',').map((f) => f.trim()));
    const byName = new Map(rows.map(([name, type, subtype, offset, size]) => [name, { type, subtype, offset: Number(offset), size: Number(size) }]));
    assert.deepStrictEqual(byName.get('otadata'), { type: 'data', subtype: 'ota', offset: 0x19000, size: 0x2000 });
    for (const slot of ['ota_0', 'ota_1']) {
      const p = byName.get(slot);
      assert.ok(p && p.type === 'app' && p.subtype === slot && p.offset % 0x10000 === 0 && p.size >= 0x180000, slot);
    }
    assert.ok((byName.get('nvs')?.size ?? 0) >= 0x10000, 'room for a battery node’s 16 KiB buffer in NVS');
    let end = 0x9000;
    for (const [name, p] of byName) {
      assert.ok(p.offset >= end, `${name} overlaps the partition before it`);
      end = p.offset + p.size;
    }
    assert.ok(end <= 4 * 1024 * 1024, 'fits the 4 MB flash of the ESP32-DevKitC and the C3');
  });
});

describe('fazt/esp32 inside XS: the engine @agoric/xsnap builds, with test doubles of ESP-IDF', { skip }, () => {
  let dir: string;
  const harness: Record<'ext0' | 'gpio', string> = { ext0: '', gpio: '' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fazt-esp32-engine-'));
    const shims = idfShims(dir);
    for (const chip of ['ext0', 'gpio'] as const) {
      const out = join(dir, chip);
      mkdirSync(out);
      harness[chip] = await buildHarness(out, {
        sources: [glue, join(testNative, 'xs-esp32-functions.c'), join(testNative, 'esp-idf-doubles.c')],
        includes: [shims, testNative],
        defines: chip === 'gpio' ? ['-DFAZT_TEST_NO_EXT0'] : [],
      });
    }
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const inXs = (body: string, env: Record<string, string> = {}, chip: 'ext0' | 'gpio' = 'ext0') => runHarness(harness[chip], body, env);

  it('pendingVerify: the running partition’s state is ESP_OTA_IMG_PENDING_VERIFY; valid or no state (factory, no otadata) is not', () => {
    for (const [state, expected] of [
      ['pending', true],
      ['valid', false],
      ['none', false],
    ] as const)
      assert.deepStrictEqual(inXs('out(pendingVerify());', { FAZT_OTA_STATE: state }), [
        'idf: esp_ota_get_running_partition',
        'idf: esp_ota_get_state_partition ota_1',
        String(expected),
      ]);
  });

  it('markValid calls esp_ota_mark_app_valid_cancel_rollback once; its failure throws naming the call', () => {
    assert.deepStrictEqual(inXs('out(markValid());'), ['idf: esp_ota_mark_app_valid_cancel_rollback', 'undefined']);
    assert.deepStrictEqual(inXs('out(threw(() => markValid()));', { FAZT_FAIL: 'esp_ota_mark_app_valid_cancel_rollback' }), [
      'idf: esp_ota_mark_app_valid_cancel_rollback',
      '["Error","esp_ota_mark_app_valid_cancel_rollback failed: ESP_FAIL"]',
    ]);
  });

  it('rolledBackFrom: the last invalid partition’s app version, its label without a description, undefined when none', () => {
    const last = ['idf: esp_ota_get_last_invalid_partition', 'idf: esp_ota_get_partition_description ota_0'];
    assert.deepStrictEqual(inXs('out(rolledBackFrom());', { FAZT_LAST_INVALID: '0.2.0' }), [...last, '"0.2.0"']);
    assert.deepStrictEqual(inXs('out(rolledBackFrom());', { FAZT_LAST_INVALID: 'label:' }), [...last, '"ota_0"']);
    // A version filling all 32 bytes of esp_app_desc_t.version, unterminated: cut at 31, never read past.
    assert.deepStrictEqual(inXs('out(rolledBackFrom());', { FAZT_LAST_INVALID: 'v'.repeat(32) }), [...last, `"${'v'.repeat(31)}"`]);
    assert.deepStrictEqual(inXs('out(rolledBackFrom() === undefined);'), ['idf: esp_ota_get_last_invalid_partition', 'true']);
  });

  it('restart calls esp_restart, which does not return', () => {
    assert.deepStrictEqual(inXs('restart(); out("returned");'), ['idf: esp_restart']);
  });

  it('deepSleep(ms) arms the timer with ms × 1000 µs and starts deep sleep, which does not return', () => {
    assert.deepStrictEqual(inXs('deepSleep(300000); out("returned");'), ['idf: esp_sleep_enable_timer_wakeup 300000000', 'idf: esp_deep_sleep_start']);
    assert.deepStrictEqual(inXs('deepSleep(86400000);'), ['idf: esp_sleep_enable_timer_wakeup 86400000000', 'idf: esp_deep_sleep_start']);
  });

  it('enablePinWakeup(pin) arms EXT0 on the pin, level high; on a chip without EXT0 its GPIO wakeup on that pin, high', () => {
    assert.deepStrictEqual(inXs('enablePinWakeup(33); out("armed");'), ['idf: esp_sleep_enable_ext0_wakeup 33 1', '"armed"']);
    assert.deepStrictEqual(inXs('enablePinWakeup(5); out("armed");', {}, 'gpio'), ['idf: esp_deep_sleep_enable_gpio_wakeup 0x20 1', '"armed"']);
    assert.deepStrictEqual(inXs('out(threw(() => enablePinWakeup(4)));', { FAZT_FAIL: 'esp_sleep_enable_ext0_wakeup' }), [
      'idf: esp_sleep_enable_ext0_wakeup 4 1',
      '["Error","esp_sleep_enable_ext0_wakeup failed: ESP_FAIL"]',
    ]);
  });

  it('refuses bad arguments with a TypeError or RangeError naming them, before any ESP-IDF call', () => {
    const got = inXs(`out(threw(() => deepSleep(0)));
out(threw(() => deepSleep(86400001)));
out(threw(() => deepSleep(1.5)));
out(threw(() => deepSleep('300000')));
out(threw(() => deepSleep()));
out(threw(() => enablePinWakeup(64)));
out(threw(() => enablePinWakeup(-1)));`);
    assert.deepStrictEqual(got, [
      '["RangeError","ms must be an integer in 1..86400000"]',
      '["RangeError","ms must be an integer in 1..86400000"]',
      '["RangeError","ms must be an integer in 1..86400000"]',
      '["TypeError","ms must be a number"]',
      '["TypeError","ms is missing"]',
      '["RangeError","pin must be an integer in 0..63"]',
      '["RangeError","pin must be an integer in 0..63"]',
    ]);
  });

  it('wakeCause maps esp_sleep_get_wakeup_cause: undefined → power-on, timer, EXT0/EXT1/GPIO → pin, the rest → other', () => {
    const causes = { 0: 'power-on', 4: 'timer', 2: 'pin', 3: 'pin', 7: 'pin', 5: 'other', 6: 'other', 8: 'other' };
    for (const [n, cause] of Object.entries(causes))
      assert.deepStrictEqual(inXs('out(wakeCause());', { FAZT_WAKE_CAUSE: n }), ['idf: esp_sleep_get_wakeup_cause', `"${cause}"`], `cause ${n}`);
  });
});
