import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backupCommand } from '../../host/cli/commands/backup.js';
import { hubCommand, parseListen } from '../../host/cli/commands/hub.js';
import { inviteCommand, parseTtl } from '../../host/cli/commands/invite.js';
import { dispatch, UsageError, type Command } from '../../host/cli/command.js';
import { enrollRequest as makeEnrollRequest } from '../../firmware/node/enroll-request.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { cbor, crypto, post, startHub, tempDir, TestNode } from './helpers.js';

const tmp = tempDir('fazt-backup-');
after(() => tmp.cleanup());

async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: (t) => void (out += t) });
  return { code, out };
}

describe('backup', () => {
  it('copies a live cartridge online into one file that opens with every row', async () => {
    const h = await startHub();
    try {
      const a = new TestNode(51);
      h.hub.cartridge.addNode(a.identity.publicKey, { name: 'a' });
      a.append(300);
      let sent = 0;
      // Ingest keeps going while the backup runs.
      const sender = (async () => {
        for (let s = 1; s <= 300; s += 10) sent = (await post(`${h.url}/v1/uplink`, cbor(a.batch(s, s + 9)))).body.ack as number;
      })();
      const file = join(tmp.dir, 'live.db');
      const r = await run(backupCommand, [file, '--data', h.dir, '--json']);
      await sender;
      assert.equal(r.code, 0);
      const info = JSON.parse(r.out) as { events: number; nodes: number; pages: number };
      assert.equal(info.nodes, 1);
      const copy = new Database(file, { readonly: true });
      assert.equal(copy.pragma('journal_mode', { simple: true }), 'delete');
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      const count = copy.prepare('SELECT count(*) FROM events_v').pluck().get() as number;
      const head = copy.prepare('SELECT head_seq FROM nodes').pluck().get() as number;
      assert.equal(count, info.events);
      assert.equal(head, count, 'the copy is a consistent snapshot: head matches the rows');
      copy.close();
      assert.ok(!existsSync(`${file}-wal`));
      assert.equal(sent, 300);
      // The copy is a cartridge: it opens and its chain reads back.
      const c = Cartridge.open(file);
      assert.deepStrictEqual([...c.chain(a.id)], a.entries.slice(0, count));
      c.close();
    } finally {
      await h.stop();
    }
  });
  it('refuses to overwrite an existing file', async () => {
    const h = await startHub();
    await h.hub.stop();
    const file = join(tmp.dir, 'exists.db');
    writeFileSync(file, 'precious');
    await assert.rejects(run(backupCommand, [file, '--data', h.dir]), (e: unknown) => (e as { code?: string }).code === 'exists');
    assert.equal(readFileSync(file, 'utf8'), 'precious');
    await assert.rejects(
      run(backupCommand, [join(tmp.dir, 'x.db'), '--data', join(tmp.dir, 'nowhere')]),
      (e: unknown) => (e as { code?: string }).code === 'io',
    );
    await h.stop();
  });
});

describe('fazt invite', () => {
  it('creates a single-use invite in the cartridge that a node can enrol with while the hub runs', async () => {
    const h = await startHub();
    try {
      const r = await run(inviteCommand, ['--data', h.dir, '--ttl', '10m', '--note', 'garage', '--json']);
      assert.equal(r.code, 0);
      const inv = JSON.parse(r.out) as { token: string; expiresAt: string; note: string };
      assert.equal(inv.note, 'garage');
      assert.ok(Math.abs(Date.parse(inv.expiresAt) - Date.now() - 600_000) < 10_000);
      const node = new TestNode(52);
      const body = JSON.stringify(makeEnrollRequest(inv.token, node.identity, crypto, { name: 'garage' }));
      assert.equal((await post(`${h.url}/v1/enroll`, body, 'application/json')).status, 200);
      assert.equal((await post(`${h.url}/v1/enroll`, body, 'application/json')).body.error?.code, 'invite-used');
      assert.match((await run(inviteCommand, ['--data', h.dir])).out, /^invite fzi[a-z2-7]{32}\nexpires /);
    } finally {
      await h.stop();
    }
  });
  it('parses durations and listen addresses, refusing nonsense as usage errors', () => {
    assert.equal(parseTtl('1h'), 3_600_000);
    assert.equal(parseTtl('7d'), 604_800_000);
    assert.throws(() => parseTtl('soon'), UsageError);
    assert.deepStrictEqual(parseListen('127.0.0.1:7070'), { host: '127.0.0.1', port: 7070 });
    assert.deepStrictEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.deepStrictEqual(parseListen(':8080'), { host: '127.0.0.1', port: 8080 });
    assert.throws(() => parseListen('localhost'), UsageError);
    assert.throws(() => parseListen('h:70000'), UsageError);
  });
  it('answers --help', async () => {
    for (const c of [hubCommand, inviteCommand, backupCommand]) assert.match((await run(c, ['--help'])).out, /^Usage: fazt /);
  });
});
