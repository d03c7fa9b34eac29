import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, openSync, readdirSync, closeSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { backupCommand } from '../../host/cli/commands/backup.js';
import { restoreCommand } from '../../host/cli/commands/restore.js';
import { dispatch, type Command } from '../../host/cli/command.js';
import { Hub } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { cbor, crypto, tempDir, TestNode } from './helpers.js';

const tmp = tempDir('fazt-restore-');
after(() => tmp.cleanup());

async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: (t) => void (out += t) });
  return { code, out };
}

async function uplink(
  url: string,
  body: Uint8Array,
): Promise<{ status: number; body: { ack?: number; error?: { code: string; message: string; head?: unknown } } }> {
  const res = await fetch(`${url}/v1/uplink`, { method: 'POST', body, headers: { 'content-type': 'application/cbor' }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as { ack?: number; error?: { code: string; message: string; head?: unknown } } };
}

const silent = (node: string, t: number) => ({ node, state: 'heard', expectedMs: 1000, lastSeen: t, at: t, causes: ['aaaaaaaaaaaaaaaa'] });

/** Which files a folder holds (a refusal leaves no temporary file behind). */
const files = (dir: string) => readdirSync(dir).sort();

const codeIs = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

describe('backup → restore on another path: the same hub', () => {
  const dirA = join(tmp.dir, 'a');
  const dirB = join(tmp.dir, 'b');
  const backup = join(tmp.dir, 'backup.db');
  const early = new TestNode(71); // uplinks before the backup, and nothing after
  const moved = new TestNode(72); // its chain moves on after the backup
  let hubA: Hub;
  let a: { hubId: string; url: string; fingerprint?: string };
  let readToken: string;

  before(async () => {
    early.append(20);
    moved.append(20);
    hubA = new Hub({ dataDir: dirA, host: '0.0.0.0', port: 0, log: () => undefined });
    const addr = await hubA.start();
    a = { hubId: addr.hubId, url: `http://127.0.0.1:${addr.port}`, fingerprint: addr.https?.fingerprint };
    readToken = hubA.cartridge.tokens.create({ name: 'phone', scope: 'read', now: Date.now() }).token;
    hubA.cartridge.addNode(early.identity.publicKey, { name: 'early' });
    hubA.cartridge.addNode(moved.identity.publicKey, { name: 'moved' });
    assert.equal((await uplink(a.url, cbor(early.batch(1, 10)))).body.ack, 10);
    assert.equal((await uplink(a.url, cbor(moved.batch(1, 10)))).body.ack, 10);
    hubA.hubLog.append('percept.silent', 'percept', silent(early.id, Date.now()));
    assert.equal((await run(backupCommand, [backup, '--data', dirA])).code, 0);
    assert.equal((await uplink(a.url, cbor(moved.batch(11, 15)))).body.ack, 15, 'acknowledged after the backup was taken');
  });
  after(() => hubA.stop());

  it('refuses to replace the cartridge of a running hub, and changes nothing', async () => {
    const before = files(dirA);
    await assert.rejects(run(restoreCommand, [backup, '--data', dirA]), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'live');
      assert.match((e as Error).message, /open in a running hub .*stop it first/);
      return true;
    });
    assert.deepEqual(files(dirA), before);
    assert.equal(hubA.cartridge.head(moved.id)?.seq, 15, 'the live cartridge is untouched');
    assert.equal((await uplink(a.url, cbor(early.batch(10, 10)))).status, 200, 'and the hub carries on');
  });

  it('restores elsewhere: same hub id, certificate, nodes and tokens; chains verified; nodes keep uplinking', async () => {
    const r = await run(restoreCommand, [backup, '--data', dirB, '--json']);
    assert.equal(r.code, 0);
    const info = JSON.parse(r.out) as {
      hubId: string;
      nodes: number;
      keyInCartridge: boolean;
      heads: { node: string; seq: number }[];
      ownerTokenKept: boolean;
    };
    assert.equal(info.hubId, a.hubId);
    assert.equal(info.keyInCartridge, true);
    assert.equal(info.nodes, 2);
    assert.deepEqual(Object.fromEntries(info.heads.map((h) => [h.node, h.seq])), { [early.id]: 10, [moved.id]: 10, [a.hubId]: 1 });
    assert.equal(info.ownerTokenKept, false, 'owner.token stayed in the old folder: the hub makes a new one');

    const hubB = new Hub({ dataDir: dirB, host: '0.0.0.0', port: 0, log: () => undefined });
    const addr = await hubB.start();
    try {
      const url = `http://127.0.0.1:${addr.port}`;
      assert.equal(addr.hubId, a.hubId, 'the same hub');
      assert.equal(addr.https?.fingerprint, a.fingerprint, 'the certificate clients pinned');
      const nodes = await fetch(`${url}/v1/nodes`, { headers: { authorization: `Bearer ${readToken}` } });
      assert.equal(nodes.status, 200, 'a token made before the backup still reads');
      assert.deepEqual(((await nodes.json()) as { nodes: { name: string }[] }).nodes.map((n) => n.name).sort(), ['early', 'moved']);
      assert.equal(hubB.hubLog.seq, 1, "the hub's chain continues from its head");

      // A node that uplinked before the backup and nothing since continues its chain.
      assert.equal((await uplink(url, cbor(early.batch(11, 20)))).body.ack, 20);

      // A node whose chain moved on (11..15 acknowledged by the hub before the restore)
      // meets a hub whose head is behind: the continuation cannot be linked, so it is refused,
      const behind = await uplink(url, cbor(moved.batch(16, 20)));
      assert.equal(behind.status, 409);
      assert.equal(behind.body.error?.code, 'gap');
      assert.match(behind.body.error?.message ?? '', /stored up to seq 10; entries start at seq 16/);
      // stating the head it holds, so the node can tell it is behind what it had acknowledged (test/hub/restore-node.test.ts),
      assert.deepEqual(behind.body.error?.head, { seq: 10, hash: toHex(moved.batch(1, 10).head) });
      // until the node signs for what it can no longer send; then the hub records the loss and takes the rest.
      assert.equal((await uplink(url, cbor(moved.batch(16, 20, { from: 11, to: 15 })))).body.ack, 20);
      assert.deepEqual(
        hubB.cartridge.gaps(moved.id).map((g) => [g.from, g.to]),
        [[11, 15]],
      );
      hubB.hubLog.append('percept.silent', 'percept', silent(moved.id, Date.now()));
      assert.deepEqual(
        verifyStoredChains(hubB.cartridge, crypto).map((h) => [h.node, h.seq]),
        [
          [early.id, 20],
          [moved.id, 20],
          [a.hubId, 2],
        ],
      );
    } finally {
      await hubB.stop();
    }
  });
});

describe('restore refuses a file that is not a whole cartridge of this fazt', () => {
  const good = join(tmp.dir, 'good.db');
  const target = join(tmp.dir, 'target');
  before(async () => {
    const dir = join(tmp.dir, 'source');
    const hub = new Hub({ dataDir: dir, port: 0, log: () => undefined });
    await hub.start();
    const n = new TestNode(73);
    hub.cartridge.addNode(n.identity.publicKey);
    n.append(200);
    hub.cartridge.ingest(cbor(n.batch(1, 200)));
    await hub.cartridge.backup(good);
    await hub.stop();
    mkdirSync(target);
    assert.equal((await run(restoreCommand, [good, '--data', target])).code, 0);
  });

  /** A variant of the good backup, changed by `change`. */
  function variant(name: string, change: (db: Database.Database) => void): string {
    const file = join(tmp.dir, name);
    copyFileSync(good, file);
    const db = new Database(file);
    change(db);
    db.close();
    return file;
  }

  async function refused(file: string, code: string, message: RegExp): Promise<void> {
    const before = files(target);
    const head = () => {
      const c = new Database(join(target, 'fazt.db'), { readonly: true });
      try {
        return c.prepare('SELECT sum(head_seq) FROM nodes').pluck().get();
      } finally {
        c.close();
      }
    };
    const was = head();
    await assert.rejects(run(restoreCommand, [file, '--data', target]), (e: unknown) => {
      assert.ok(codeIs(code)(e), `${String((e as { code?: string }).code)}: ${(e as Error).message}`);
      assert.match((e as Error).message, message);
      return true;
    });
    assert.deepEqual(files(target), before, 'no file left behind, none replaced');
    assert.equal(head(), was);
  }

  it('a corrupt file', async () => {
    const file = join(tmp.dir, 'corrupt.db');
    copyFileSync(good, file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3); // a page of the event log overwritten
    closeSync(fd);
    await refused(file, 'damaged', /corrupt\.db/);
  });

  it('a file that is not a cartridge: text, or another SQLite database', async () => {
    const text = join(tmp.dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, but long enough to have a header '.repeat(20));
    await refused(text, 'not-a-cartridge', /notes\.txt is not an SQLite database/);
    const other = join(tmp.dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE recipes (name TEXT)');
    db.close();
    await refused(other, 'not-a-cartridge', /not a fazt cartridge/);
  });

  it('a cartridge from a newer fazt (a migration step this one does not know)', async () => {
    const file = variant('newer.db', (db) => db.prepare('INSERT INTO migrations (step, name, applied_at) VALUES (99, ?, 0)').run('from the future'));
    await refused(file, 'cartridge-newer', /migration step 99/);
  });

  it('a cartridge whose chain does not verify to its head', async () => {
    const file = variant('tampered.db', (db) => {
      db.exec('DROP TRIGGER entries_no_update');
      db.prepare('UPDATE entries SET value = value + 1 WHERE seq = 100').run();
    });
    await refused(file, 'damaged', /chain .* is damaged at seq 10[01]/);
  });

  it('the round trip leaves a restored cartridge that opens and verifies', () => {
    const c = Cartridge.open(join(target, 'fazt.db'));
    try {
      assert.equal(verifyStoredChains(c, crypto).find((h) => h.kind === 'node')?.seq, 200);
      assert.ok(existsSync(join(target, 'fazt.db')));
    } finally {
      c.close();
    }
  });
});
