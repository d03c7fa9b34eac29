import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { join } from 'node:path';
import { backupFlags } from '../../host/cli/backup-flags.js';
import { Hub } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { checkCartridge } from '../../host/store/check-cartridge.js';
import { StoreError } from '../../host/store/store-error.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { breakMarkedPage, flipMarkedValue, goodFolder } from './damaged-cartridge.js';

const tmp = tempDir('fazt-damage-');
after(() => tmp.cleanup());

const quickCheck = (file: string) => {
  const c = Cartridge.open(file, { crypto });
  try {
    return c.db.pragma('quick_check', { simple: true });
  } finally {
    c.close();
  }
};

/** Starts a hub on `dir` and returns the refusal it stops with. */
async function refusal(dir: string): Promise<StoreError> {
  const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined });
  const e = await hub.start().then(
    async () => {
      await hub.stop();
      return undefined;
    },
    (x: unknown) => x,
  );
  assert.ok(e instanceof StoreError, `the hub refuses to start (${String(e)})`);
  assert.equal(e.code, 'damaged');
  return e;
}

describe('the start check on a damaged cartridge', () => {
  it('passes an undamaged cartridge, rehashing each chain’s window and matching its checkpoints', () => {
    const { file } = goodFolder(join(tmp.dir, 'good'));
    const c = Cartridge.open(file, { crypto });
    try {
      assert.deepEqual(checkCartridge(c, crypto), { chains: 1, entries: 60, checkpoints: 3 });
      assert.deepEqual(checkCartridge(c, crypto, { recent: 15 }), { chains: 1, entries: 15, checkpoints: 1 });
      assert.throws(() => checkCartridge(c, crypto, { recent: 0 }), /recent must be a whole number ≥ 1, not 0/);
    } finally {
      c.close();
    }
  });

  it('checks the hub’s own chain too: its checkpoints under the hub’s key', async () => {
    const { dir, file, node } = goodFolder(join(tmp.dir, 'hub-chain'));
    const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined });
    await hub.start();
    const t = Date.now();
    hub.hubLog.append('percept.silent', 'percept', { node: node.id, state: 'heard', expectedMs: 1000, lastSeen: t, at: t, causes: ['aaaaaaaaaaaaaaaa'] });
    await hub.stop();
    const c = Cartridge.open(file, { crypto });
    try {
      const hubSeq = c.nodes('hub')[0]?.headSeq ?? 0;
      assert.ok(hubSeq >= 1, 'the hub appended to its chain');
      const { chains, entries, checkpoints } = checkCartridge(c, crypto);
      assert.deepEqual({ chains, entries }, { chains: 2, entries: 60 + hubSeq });
      assert.ok(checkpoints >= 4, `the hub's checkpoints are matched too (${checkpoints})`);
    } finally {
      c.close();
    }
  });

  it('a flipped byte inside a reading’s value: quick_check passes, the hash check names the node and seq', async () => {
    const { dir, file, node } = goodFolder(join(tmp.dir, 'payload'));
    flipMarkedValue(file);
    assert.equal(quickCheck(file), 'ok', 'SQLite keeps no checksum of a value: quick_check sees nothing');
    const e = await refusal(dir);
    assert.match(e.message, new RegExp(`the node chain ${node.id} is damaged at seq 45: its content does not hash to its id`));
    assert.match(e.message, /The hub does not run on a damaged cartridge/);
    assert.match(e.message, new RegExp(`fazt restore <your last backup>\\.db --data ${dir}`));
  });

  it('a flip older than the window is not seen at start (the cost stays bounded), but a full walk finds it', () => {
    const { file } = goodFolder(join(tmp.dir, 'old'));
    flipMarkedValue(file);
    const c = Cartridge.open(file, { crypto });
    try {
      assert.deepEqual(checkCartridge(c, crypto, { recent: 10 }), { chains: 1, entries: 10, checkpoints: 1 });
      assert.throws(() => checkCartridge(c, crypto, { recent: 16 }), /damaged at seq 45/);
    } finally {
      c.close();
    }
  });

  it('fazt hub --check-recent N sets the window; a hub started with a window short of the flip runs', async () => {
    assert.deepEqual(backupFlags({ 'check-recent': '10' }), { logFormat: 'plain', startCheck: { recent: 10 } });
    assert.throws(() => backupFlags({ 'check-recent': '0' }), /--check-recent must be a whole number, at least 1, got '0'/);
    const { dir, file } = goodFolder(join(tmp.dir, 'window'));
    flipMarkedValue(file);
    const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined, ...backupFlags({ 'check-recent': '10' }) });
    await hub.start();
    await hub.stop();
  });

  it('a broken b-tree page header: quick_check catches it and names the table', async () => {
    const { dir, file } = goodFolder(join(tmp.dir, 'page'));
    const { page } = breakMarkedPage(file);
    assert.notEqual(quickCheck(file), 'ok');
    const e = await refusal(dir);
    assert.match(e.message, /SQLite's quick_check finds damage in entries: /);
    assert.match(e.message, new RegExp(`page ${page}\\b`));
    assert.match(e.message, /fazt restore/);
  });

  it('a checkpoint whose signature no longer verifies is named', async () => {
    const { dir, file } = goodFolder(join(tmp.dir, 'sig'));
    const c = Cartridge.open(file, { crypto });
    const sig = c.db.prepare('SELECT signature FROM checkpoints WHERE last = 60').pluck().get() as Buffer;
    c.close();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(sig);
    assert.ok(at > 0);
    bytes[at + 10] ^= 0x80;
    writeFileSync(file, bytes);
    const e = await refusal(dir);
    assert.match(e.message, /damaged at seq 60: the signature of checkpoint 41\.\.60 does not verify under the chain's key/);
  });
});
