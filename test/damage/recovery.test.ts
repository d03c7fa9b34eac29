import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backupCommand } from '../../host/cli/commands/backup.js';
import { restoreCommand } from '../../host/cli/commands/restore.js';
import { type Command, dispatch } from '../../host/cli/command.js';
import { CARTRIDGE_FILE, Hub } from '../../host/hub/hub.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { crypto, tempDir } from '../hub/helpers.js';
import { breakMarkedPage, flipMarkedValue, goodFolder } from './damaged-cartridge.js';

const tmp = tempDir('fazt-recover-');
after(() => tmp.cleanup());

async function fazt(cmd: Command, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: (t) => void (out += t) });
  return { code, out };
}

/** Starts a hub on `dir`: its address, or the error it refused with. */
async function start(dir: string): Promise<{ hub?: Hub; hubId?: string; error?: Error }> {
  const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined });
  return hub.start().then(
    (a) => ({ hub, hubId: a.hubId }),
    (error: Error) => ({ error }),
  );
}

describe('recovery from the last good backup, through the CLI', () => {
  const dir = join(tmp.dir, 'hub');
  const good = join(tmp.dir, 'good.db');
  let hubId: string;

  before(async () => {
    goodFolder(dir);
    const { hub, hubId: id } = await start(dir);
    assert.ok(hub && id);
    hubId = id;
    await hub.stop();
    const r = await fazt(backupCommand, [good, '--data', dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /integrity ok/);
  });

  it('a flipped value: the hub refuses; fazt backup copies the damage (quick_check passes) and fazt restore refuses that copy; the good backup restores', async () => {
    flipMarkedValue(join(dir, CARTRIDGE_FILE));
    const refused = await start(dir);
    assert.match(String(refused.error?.message), /damaged at seq 45/);

    const damaged = join(tmp.dir, 'damaged.db');
    assert.equal((await fazt(backupCommand, [damaged, '--data', dir])).code, 0, 'a backup cannot see a flipped value either');
    await assert.rejects(
      fazt(restoreCommand, [damaged, '--data', join(tmp.dir, 'elsewhere')]),
      /the node chain \S+ is damaged at seq 45: its content does not hash to its id/,
    );

    const r = await fazt(restoreCommand, [good, '--data', dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 nodes, \d+ events; every chain verified to its head/);
    assert.match(r.out, /the cartridge it replaced: .*fazt\.db\.before-restore-/);
    await startsAndVerifies(dir, hubId);
  });

  it('a broken page: fazt backup refuses to copy it; fazt restore replaces the damaged cartridge with the good backup', async () => {
    breakMarkedPage(join(dir, CARTRIDGE_FILE));
    const refused = await start(dir);
    assert.match(String(refused.error?.message), /quick_check finds damage in entries/);
    await assert.rejects(fazt(backupCommand, [join(tmp.dir, 'broken.db'), '--data', dir]), /failed its integrity check/);
    const r = await fazt(restoreCommand, [good, '--data', dir]);
    assert.equal(r.code, 0, r.out);
    await startsAndVerifies(dir, hubId);
  });

  it('a destroyed file header: the hub refuses (SQLite cannot read it); fazt restore still replaces it, keeping it beside', async () => {
    const file = join(dir, CARTRIDGE_FILE);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(100, 0x55), 0, 100, 0);
    closeSync(fd);
    const refused = await start(dir);
    assert.match(String(refused.error?.message), /is damaged: SQLite cannot read it: file is not a database\n.*Recover from the last good backup/);
    const r = await fazt(restoreCommand, [good, '--data', dir]);
    assert.equal(r.code, 0, r.out);
    const kept = /the cartridge it replaced: (\S+)/.exec(r.out)?.[1];
    assert.ok(kept && readFileSync(kept).subarray(0, 100).equals(Buffer.alloc(100, 0x55)), 'the damaged file is kept as it was');
    await startsAndVerifies(dir, hubId);
  });
});

/** The restored folder starts as the same hub, and every chain verifies whole, not only its window. */
async function startsAndVerifies(dir: string, hubId: string): Promise<void> {
  const { hub, hubId: id, error } = await start(dir);
  if (!hub) throw error;
  try {
    assert.equal(id, hubId);
    const heads = verifyStoredChains(hub.cartridge, crypto);
    assert.equal(heads.find((h) => h.kind === 'node')?.seq, 60);
  } finally {
    await hub.stop();
  }
}
