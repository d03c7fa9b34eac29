/**
 * `fazt node init` and `fazt node check`: a configuration from flags with a
 * key of its own (never printed, file mode 0600), the hub in the forms the
 * CLI prints, and every pin or bus mistake reported against the flag (init)
 * or the JSON path (check) that made it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { encodeMnemonic } from '../../firmware/mnemonic/mnemonic.js';
import { inviteToMnemonic } from '../../firmware/mnemonic/invite-words.js';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { root } from '../../host/cli/root.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';

const dir = mkdtempSync(join(tmpdir(), 'fazt-node-init-'));
const HUB_KEY = 'ab'.repeat(32);
const TOKEN = 'fzi' + 'a'.repeat(32);
let n = 0;
const file = () => join(dir, `node-${n++}.json`);

/** Runs `fazt …` in process: the exit code (2 for a usage error, 1 for another, as host/cli/main.ts), stdout, stderr. */
async function fazt(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), stdin: async () => Buffer.alloc(0) };
  try {
    return { code: await dispatch(root, argv, ['fazt'], io), out, err };
  } catch (e) {
    return { code: e instanceof UsageError ? 2 : 1, out, err: err + (e as Error).message };
  }
}

const read = (f: string) =>
  JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & { secretKey: string; hub: Record<string, string>; sensors: Record<string, unknown>[] };

describe('fazt node init', () => {
  it("writes a checked configuration with a new key: mode 0600, the secret never printed, the id it prints is the key's", async () => {
    const invite = join(dir, 'invite.json');
    writeFileSync(invite, JSON.stringify({ token: TOKEN, hubKey: HUB_KEY, expiresAt: '2030-01-01T00:00:00Z' }));
    const f = file();
    const r = await fazt(
      'node',
      'init',
      '--board',
      'esp32-c3-devkitm-1',
      '--sensor',
      'sht4x@0x44',
      '--sensor',
      'pir@6',
      '--sensor',
      'bme280',
      '--output',
      'led@7',
      '--invite',
      invite,
      '--name',
      'porch',
      '--interval',
      '2s',
      '-o',
      f,
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    const doc = read(f);
    assert.ok(!r.out.includes(doc.secretKey) && !r.err.includes(doc.secretKey), 'the secret is not printed');
    assert.ok(r.out.includes(identityFromSecretKey(fromHex(doc.secretKey), nodeCrypto).id));
    assert.deepEqual(doc.hub, { publicKey: HUB_KEY, token: TOKEN }, 'no url: Beacon discovery with the invite');
    assert.equal(doc.name, 'porch');
    assert.deepEqual(doc.sensors, [
      { name: 'sht4x', driver: 'sht4x', i2c: { address: 0x44 }, intervalMs: 2000 },
      { name: 'pir', driver: 'pir', pin: 6, intervalMs: 2000 },
      { name: 'bme280', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 2000 },
      { name: 'led', driver: 'digital-output', pin: 7, intervalMs: 3_600_000 },
    ]);
    const ok = await fazt('node', 'check', f);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /ok .*on esp32-c3-devkitm-1/);
    assert.ok(!ok.out.includes(doc.secretKey));

    // Kept without --force; replaced (new key, still 0600) with it.
    const again = await fazt('node', 'init', '--board', 'esp32-c3-devkitm-1', '--sensor', 'sht4x', '--invite', invite, '-o', f);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists: keep it, or pass --force/);
    assert.equal(read(f).secretKey, doc.secretKey);
    const forced = await fazt('node', 'init', '--board', 'esp32-c3-devkitm-1', '--sensor', 'sht4x', '--invite', invite, '-o', f, '--force');
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(read(f).secretKey, doc.secretKey);
    assert.equal(statSync(f).mode & 0o777, 0o600);
  });

  it('takes the hub key and token as the CLI prints them: hex or 24 words; --hub-url makes a URL node', async () => {
    const f = file();
    const words = encodeMnemonic(fromHex(HUB_KEY)).join(' ');
    const r = await fazt(
      'node',
      'init',
      '--board',
      'esp32-devkitc',
      '--sensor',
      'bme280@0x77',
      '--hub-key',
      words,
      '--token',
      inviteToMnemonic(TOKEN).join(' '),
      '--hub-url',
      'http://192.168.1.20:7070/',
      '-o',
      f,
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(read(f).hub, { url: 'http://192.168.1.20:7070', publicKey: HUB_KEY, token: TOKEN });
    const bad = await fazt('node', 'init', '--board', 'esp32-devkitc', '--sensor', 'bme280', '--hub-key', 'abc', '-o', file());
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--hub-key: a key is 64 hex digits or 24 words/);
    const none = await fazt('node', 'init', '--board', 'esp32-devkitc', '--sensor', 'bme280', '-o', file());
    assert.match(none.err, /needs its hub's key: --invite invite\.json .* or --hub-key KEY/);
  });

  it('refuses pins and buses the board cannot give, naming the flag and the pin, and writes nothing', async () => {
    const f = file();
    const r = await fazt(
      'node',
      'init',
      '--board',
      'esp32-devkitc',
      '--hub-key',
      HUB_KEY,
      '-o',
      f,
      '--sensor',
      'pir@11',
      '--sensor',
      'button@40',
      '--sensor',
      'sht4x',
      '--sensor',
      'sht4x@0x44',
      '--sensor',
      'pir@12',
      '--output',
      'led@4',
      '--output',
      'relay@4',
      '--output',
      'buzzer@34',
    );
    assert.equal(r.code, 2);
    const lines = r.err.trim().split('\n');
    assert.deepEqual(lines, [
      'fazt: --sensor pir@11: GPIO 11 is wired to the SPI flash on esp32-devkitc',
      'fazt: --sensor button@40: GPIO 40 does not exist on esp32-devkitc',
      "fazt: --sensor sht4x@0x44: 0x44 is already taken by sensor 'sht4x' on the I2C bus SDA 21/SCL 22",
      lines[3],
      "fazt: --output relay@4: GPIO 4 is already claimed by sensor 'led' (digital-out)",
      'fazt: --output buzzer@34: GPIO 34 is input-only on esp32-devkitc',
    ]);
    assert.match(lines[3], /^fazt: --sensor pir@12: GPIO 12 is a strapping pin on esp32-devkitc \(.*\): a sensor on it can stop the board from booting/);
    assert.throws(() => statSync(f), /ENOENT/);
    const spec = await fazt('node', 'init', '--board', 'esp32-devkitc', '--hub-key', HUB_KEY, '--sensor', 'pir', '-o', f);
    assert.match(spec.err, /--sensor pir: pir works on a GPIO: write pir@PIN/);
    const unknown = await fazt('node', 'init', '--board', 'esp32-devkitc', '--hub-key', HUB_KEY, '--sensor', 'dht22@4', '-o', f);
    assert.match(unknown.err, /--sensor dht22@4: give DRIVER@ADDRESS .* sensors are bme280, bmp280/);
    const board = await fazt('node', 'init', '--board', 'esp32-nope', '--hub-key', HUB_KEY, '--sensor', 'sht4x', '-o', f);
    assert.match(board.err, /--board: no board 'esp32-nope'; known: /);
  });
});

describe('fazt node check', () => {
  const good = {
    board: 'esp32-devkitc',
    secretKey: '01'.repeat(32),
    hub: { publicKey: HUB_KEY, token: TOKEN },
    sensors: [
      { name: 'air', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 5000 },
      { name: 'door', driver: 'pir', pin: 27, intervalMs: 1000 },
    ],
    uplink: { batchSize: 8, maxDelayMs: 5000 },
    buffer: { budgetBytes: 65536 },
  };
  const write = (doc: unknown) => {
    const f = file();
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };

  it('names the JSON path and the pin of each problem and exits 1', async () => {
    const f = write({
      ...good,
      sensors: [
        ...good.sensors,
        { name: 'door', driver: 'pir', pin: 11, intervalMs: 1000 },
        { name: 'light', driver: 'bh1750', pin: 4, intervalMs: 1000 },
        { name: 'air2', driver: 'bme280', i2c: { address: 0x76 }, intervalMs: 1000 },
        { name: 'x', driver: 'bme280', i2c: { address: 0x77, sda: 6, scl: 22 }, intervalMs: 1000 },
      ],
    });
    const r = await fazt('node', 'check', f);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err.trim().split('\n'), [
      `${f}: sensors[2].name: 'door' is also the name of sensors[1]`,
      `${f}: sensors[2].pin: GPIO 11 is wired to the SPI flash on esp32-devkitc`,
      `${f}: sensors[3]: bh1750 is an I2C sensor: give i2c.address, not a pin`,
      `${f}: sensors[4].i2c.address: 0x76 is already taken by sensor 'air' on the I2C bus SDA 21/SCL 22`,
      `${f}: sensors[5].i2c.sda: SDA GPIO 6 is wired to the SPI flash on esp32-devkitc`,
    ]);
    const json = JSON.parse((await fazt('node', 'check', f, '--json')).out) as { ok: boolean; problems: { path: string; kind: string }[] };
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.problems.map((p) => `${p.path} ${p.kind}`),
      ['sensors[2].name name', 'sensors[2].pin pin', 'sensors[3] driver', 'sensors[4].i2c.address address', 'sensors[5].i2c.sda pin'],
    );
    const schema = await fazt('node', 'check', write({ ...good, sensors: [{ ...good.sensors[1], pin: 99 }] }));
    assert.match(schema.err, /: sensors\[0\]\.pin: must be <= 63$/m);
  });

  it("power.wakePin: a pin the board declares deep-sleep-wake passes; another is named with the board's wake pins", async () => {
    const sleepy = (board: string, wakePin: number, pin = 4) =>
      write({ ...good, board, sensors: [{ ...good.sensors[1], pin }], power: { mode: 'deep-sleep', wakeEveryMs: 300_000, wakePin } });
    for (const [board, pin] of [
      ['esp32-devkitc', 33],
      ['esp32-devkitc', 39],
      ['esp32-s3-devkitc-1', 21],
      ['esp32-c3-devkitm-1', 5],
    ] as const) {
      const ok = await fazt('node', 'check', sleepy(board, pin));
      assert.equal(ok.code, 0, `${board} GPIO ${pin}: ${ok.err}`);
    }
    const cases = [
      ['esp32-c3-devkitm-1', 6, 'GPIO 6 cannot wake esp32-c3-devkitm-1 from deep sleep (GPIO 0–5 can)'],
      ['esp32-devkitc', 5, 'GPIO 5 cannot wake esp32-devkitc from deep sleep (GPIO 0, 2, 4, 12–15, 25–27, 32–36, 39 can)'],
      ['esp32-s3-devkitc-1', 38, 'GPIO 38 cannot wake esp32-s3-devkitc-1 from deep sleep (GPIO 0–21 can)'],
    ] as const;
    for (const [board, pin, message] of cases) {
      const f = sleepy(board, pin);
      const r = await fazt('node', 'check', f);
      assert.equal(r.code, 1);
      assert.equal(r.err.trim(), `${f}: power.wakePin: ${message}`);
      const json = JSON.parse((await fazt('node', 'check', f, '--json')).out) as { problems: { path: string; kind: string }[] };
      assert.deepEqual(
        json.problems.map((p) => `${p.path} ${p.kind}`),
        ['power.wakePin pin'],
      );
    }
  });

  it('prints a short summary of a good one (board, sensors, hub mode) without the secret; --json too', async () => {
    const f = write(good);
    const r = await fazt('node', 'check', f);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /on esp32-devkitc\nsensors: air \(bme280, i2c 0x76\), door \(pir, GPIO 27\)\nhub: found by Beacon \(key abababababababab…\), enrols with its invite token/,
    );
    const j = JSON.parse((await fazt('node', 'check', f, '--json')).out) as Record<string, unknown>;
    assert.equal(j.ok, true);
    assert.equal(j.node, identityFromSecretKey(fromHex(good.secretKey), nodeCrypto).id);
    assert.ok(!JSON.stringify(j).includes(good.secretKey) && !r.out.includes(good.secretKey));
    assert.deepEqual(j.hub, { mode: 'beacon', url: null, publicKey: HUB_KEY, enrols: true });
    assert.equal(toHex(fromHex(String(j.publicKey))), j.publicKey);
  });

  it("otherHubs: the owner's other hubs are checked (each once, urls only beside hub.url, no placeholder) and summarised", async () => {
    const B = 'cd'.repeat(32);
    const withUrl = { ...good, hub: { url: 'http://192.168.1.20:7070', publicKey: HUB_KEY } };
    const f = write({ ...withUrl, otherHubs: [{ url: 'http://192.168.1.21:7070', publicKey: B }, { publicKey: 'ef'.repeat(32) }] });
    const r = await fazt('node', 'check', f);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /other hubs \(keys trusted, uplink fails over in this order\): http:\/\/192\.168\.1\.21:7070 \(key cdcdcdcdcdcdcdcd…\), no url \(key efefefefefefefef…\)/,
    );
    const j = JSON.parse((await fazt('node', 'check', f, '--json')).out) as { otherHubs: { url: string | null; publicKey: string }[] };
    assert.deepEqual(
      j.otherHubs.map((h) => [h.url, h.publicKey]),
      [
        ['http://192.168.1.21:7070', B],
        [null, 'ef'.repeat(32)],
      ],
    );
    const bad = write({
      ...good,
      otherHubs: [{ url: 'http://192.168.1.21:7070', publicKey: HUB_KEY, fingerprint: `sha256:${'0'.repeat(64)}` }, { publicKey: '0'.repeat(64) }],
    });
    const b = await fazt('node', 'check', bad);
    assert.equal(b.code, 1);
    assert.deepEqual(b.err.trim().split('\n'), [
      `${bad}: otherHubs[0].publicKey: the same hub as hub.publicKey: list each hub once`,
      `${bad}: otherHubs[0].url: a node without hub.url finds its hub by Beacon and uplinks to it alone: give hub.url too, or leave this url out`,
      `${bad}: otherHubs[0].fingerprint: a fingerprint pins an https hub's certificate: the url must be https://…`,
      `${bad}: otherHubs[1].publicKey: an example's placeholder: that hub's key (\`fazt mesh peers\` lists them)`,
    ]);
  });

  it('node init --other-hub KEY[@URL] writes otherHubs; a problem names the flag', async () => {
    const f = file();
    const B = 'cd'.repeat(32);
    const args = ['node', 'init', '--board', 'esp32-devkitc', '--sensor', 'pir@27', '--hub-key', HUB_KEY, '--hub-url', 'http://192.168.1.20:7070'];
    const r = await fazt(...args, '--other-hub', `${B}@http://192.168.1.21:7070/`, '--other-hub', 'ef'.repeat(32), '-o', f);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(read(f).otherHubs, [{ url: 'http://192.168.1.21:7070', publicKey: B }, { publicKey: 'ef'.repeat(32) }]);
    const twice = await fazt(...args, '--other-hub', HUB_KEY, '-o', file());
    assert.equal(twice.code, 2);
    assert.match(twice.err, /--other-hub \(otherHubs\[0\]\.publicKey\): the same hub as hub\.publicKey/);
    const notUrl = await fazt(...args, '--other-hub', `${B}@ftp://x`, '-o', file());
    assert.deepEqual([notUrl.code, notUrl.err], [2, `--other-hub ${B}@ftp://x: 'ftp://x' is not an http(s) URL, e.g. http://192.168.1.21:7070`]);
  });
});

describe('fazt sim node --config and firmware build refuse what node check refuses', () => {
  it('an example as is: its placeholder keys, by path; demo flags with --config are a usage error', async () => {
    const example = join(new URL('../..', import.meta.url).pathname, 'examples/nodes/esp32-devkitc.json');
    const sim = await fazt('sim', 'node', '--config', example);
    assert.equal(sim.code, 1);
    const build = await fazt('firmware', 'build', '--config', example, '--out', join(dir, 'fw'));
    assert.equal(build.code, 1);
    for (const r of [sim, build])
      assert.match(r.err, /esp32-devkitc\.json: secretKey: an example's placeholder key: run `fazt node init`.*; .*hub\.publicKey: an example's placeholder/);
    const mixed = await fazt('sim', 'node', '--config', example, '--invite', 'invite.json', '--board', 'esp32-devkitc');
    assert.equal(mixed.code, 2);
    assert.match(mixed.err, /--config carries the key, the hub and the board: leave out --invite, --board/);
  });
});
