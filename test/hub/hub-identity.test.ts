import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toBase64url, toHex } from '../../firmware/codec/text-encodings.js';
import { identityFromSecretKey, type NodeIdentity } from '../../firmware/identity/node-id.js';
import { Hub } from '../../host/hub/hub.js';
import { HUB_KEY_FILE, IMPORTED_KEY_FILE } from '../../host/hub/hub-key.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { MIGRATIONS } from '../../host/store/migrations.js';
import { openCartridge } from '../../host/store/open-cartridge.js';
import { crypto, tempDir } from './helpers.js';

const tmp = tempDir('fazt-identity-');
after(() => tmp.cleanup());
let n = 0;
function folder(): string {
  const dir = join(tmp.dir, `d${++n}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

const keyOf = (seed: number) => identityFromSecretKey(new Uint8Array(32).fill(seed), crypto);

/** hub-key.json as fazt before the cartridge held the key wrote it (the keygen format). */
function writeKeyFile(dir: string, k: NodeIdentity): string {
  const file = join(dir, HUB_KEY_FILE);
  writeFileSync(file, JSON.stringify({ id: k.id, publicKey: toHex(k.publicKey), secretKey: { $bytes: toBase64url(k.secretKey) } }), { mode: 0o600 });
  return file;
}

async function startStop(dir: string, options: { host?: string } = {}): Promise<{ hubId: string; fingerprint?: string }> {
  const hub = new Hub({ dataDir: dir, host: options.host ?? '127.0.0.1', port: 0, log: () => undefined });
  const addr = await hub.start();
  await hub.stop();
  return { hubId: addr.hubId, fingerprint: addr.https?.fingerprint };
}

function stored(dir: string): { id: string; origin: string } | undefined {
  const c = Cartridge.open(join(dir, 'fazt.db'));
  try {
    const k = c.hubIdentity.key();
    return k && { id: k.id, origin: k.origin };
  } finally {
    c.close();
  }
}

describe("the hub's identity lives in the cartridge", () => {
  it('a new data folder: the key is made in the cartridge (mode 0600), no key file, the same hub after a restart', async () => {
    const dir = folder();
    const first = await startStop(dir);
    assert.equal(statSync(join(dir, 'fazt.db')).mode & 0o777, 0o600, 'the cartridge holds a secret: owner only');
    assert.ok(!existsSync(join(dir, HUB_KEY_FILE)));
    assert.deepEqual(stored(dir), { id: first.hubId, origin: 'created' });
    assert.equal((await startStop(dir)).hubId, first.hubId);
  });

  it('a data folder from before: hub-key.json is imported once, renamed after the commit, and the hub keeps its id', async () => {
    const dir = folder();
    const old = openCartridge(join(dir, 'fazt.db'), { steps: MIGRATIONS.filter((m) => m.step < 10) });
    old.close();
    chmodSync(join(dir, 'fazt.db'), 0o644); // what SQLite made by default before
    const k = keyOf(7);
    const text = readFileSync(writeKeyFile(dir, k), 'utf8');
    assert.equal((await startStop(dir)).hubId, k.id);
    assert.deepEqual(stored(dir), { id: k.id, origin: 'imported' });
    assert.ok(!existsSync(join(dir, HUB_KEY_FILE)), 'no second copy that could disagree');
    assert.equal(readFileSync(join(dir, IMPORTED_KEY_FILE), 'utf8'), text, 'kept aside, byte for byte');
    assert.equal(statSync(join(dir, 'fazt.db')).mode & 0o777, 0o600, 'made private once it holds the key');
    assert.equal((await startStop(dir)).hubId, k.id);
  });

  it('the certificate clients pinned is kept in the cartridge: the same fingerprint without hub-cert.pem', async () => {
    const dir = folder();
    const a = await startStop(dir, { host: '0.0.0.0' });
    assert.match(a.fingerprint ?? '', /^sha256:/);
    writeFileSync(join(dir, 'hub-cert.pem'), 'lost');
    assert.equal((await startStop(dir, { host: '0.0.0.0' })).fingerprint, a.fingerprint);
  });

  it('refuses a hub-key.json of another hub than the cartridge: both stay as they were', async () => {
    const dir = folder();
    const a = await startStop(dir);
    const file = writeKeyFile(dir, keyOf(8));
    const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined });
    await assert.rejects(hub.start(), new RegExp(`holds hub ${keyOf(8).id}'s key, but the cartridge is hub ${a.hubId}'s`));
    assert.ok(existsSync(file));
    assert.equal(stored(dir)?.id, a.hubId);
  });

  it('never becomes another hub: a chain signed by a key the cartridge lacks is refused without that key, taken with it', async () => {
    const dir = folder();
    const k = keyOf(9);
    const c = Cartridge.open(join(dir, 'fazt.db'));
    new HubLog({ cartridge: c, identity: k, crypto, clock: () => 1_767_225_600_000 }).append('percept.silent', 'percept', {
      node: k.id,
      state: 'heard',
      expectedMs: 1000,
      lastSeen: 1_767_225_600_000,
      at: 1_767_225_600_000,
      causes: ['aaaaaaaaaaaaaaaa'],
    });
    c.close();
    await assert.rejects(startStop(dir), new RegExp(`holds hub ${k.id}'s signed chain but not its key`));
    assert.equal(stored(dir), undefined, 'nothing stored by the refusal');
    writeKeyFile(dir, keyOf(10));
    await assert.rejects(startStop(dir), /signed chain is hub/);
    assert.ok(existsSync(join(dir, HUB_KEY_FILE)), 'a refused key file stays');
    writeKeyFile(dir, k);
    assert.equal((await startStop(dir)).hubId, k.id);
  });
});
