import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toJsonValue } from '../../firmware/codec/json-form.js';
import { enrollRequest } from '../../firmware/node/enroll-request.js';
import { backupFlags } from '../../host/cli/backup-flags.js';
import { UsageError } from '../../host/cli/command.js';
import { BackupSchedule, backupName } from '../../host/hub/backup-schedule.js';
import { Hub } from '../../host/hub/hub.js';
import { HubLog } from '../../host/hub/hub-log.js';
import { formatOpRecord } from '../../host/hub/op-log.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { verifyStoredChains } from '../../host/store/verify-stored-chains.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { cbor, crypto, tempDir, TestNode } from './helpers.js';

const tmp = tempDir('fazt-ops-');
after(() => tmp.cleanup());
const HOUR = 3_600_000;

/** Resolves when `lines` gets one matching `re` (no wall-clock wait: the test awaits the hub's own work). */
function waiter(lines: string[]): { until(re: RegExp): Promise<string>; push(line: string): void } {
  const waiting: { re: RegExp; done: (l: string) => void }[] = [];
  return {
    push(line) {
      lines.push(line);
      for (const w of [...waiting]) if (w.re.test(line)) waiting.splice(waiting.indexOf(w), 1), w.done(line);
    },
    until(re) {
      const seen = lines.find((l) => re.test(l));
      return seen ? Promise.resolve(seen) : new Promise((done) => waiting.push({ re, done }));
    },
  };
}

describe('scheduled backups', () => {
  it('writes one every period on a virtual clock, named by time, keeps the newest N, each an event on the hub chain', async () => {
    const dir = join(tmp.dir, 'sched');
    const clock = new VirtualClock(Date.UTC(2026, 2, 1));
    const cartridge = Cartridge.open(join(tmp.dir, 'sched.db'), { clock: () => clock.now() });
    const node = new TestNode(81);
    cartridge.addNode(node.identity.publicKey);
    const hubLog = new HubLog({ cartridge, identity: new TestNode(82).identity, crypto, clock: () => clock.now() });
    const lines: string[] = [];
    const w = waiter(lines);
    const s = new BackupSchedule({
      cartridge,
      hubLog,
      dir,
      everyMs: HOUR,
      keep: 3,
      clock: () => clock.now(),
      timers: clock,
      log: (r) => w.push(JSON.stringify(r)),
    });
    s.start();
    writeFileSync(join(dir, 'notes.txt'), 'the owner keeps this here');
    node.append(50);
    for (let i = 1; i <= 5; i++) {
      cartridge.ingest(cbor(node.batch(i * 10 - 9, i * 10)));
      clock.runFor(HOUR);
      await s.idle();
      assert.match(lines[i - 1], new RegExp(`"code":"backup".*fazt-20260301T0${i}0000000Z`));
    }
    await s.stop();
    assert.equal(lines.length, 5);
    const names = [2, 3, 4, 5].map((h) => backupName(Date.UTC(2026, 2, 1, h)));
    assert.deepEqual(readdirSync(dir).sort(), [...names.slice(1), 'notes.txt'], 'the newest 3, and nothing it did not write removed');
    const newest = Cartridge.open(join(dir, names[3]));
    assert.equal(newest.head(node.id)?.seq, 50);
    assert.equal(verifyStoredChains(newest, crypto).length, 2, 'a backup is a whole cartridge: every chain verifies');
    newest.close();
    const events = [...cartridge.chain(hubLog.id)].map(
      (e) => toJsonValue(e.data) as { file: string; bytes: number; heads: Record<string, number>; removed: string[] },
    );
    assert.equal(events.length, 5);
    assert.deepEqual(
      events.map((e) => [e.file, e.heads[node.id], e.removed]),
      [
        [join(dir, backupName(Date.UTC(2026, 2, 1, 1))), 10, []],
        [join(dir, names[0]), 20, []],
        [join(dir, names[1]), 30, []],
        [join(dir, names[2]), 40, [backupName(Date.UTC(2026, 2, 1, 1))]],
        [join(dir, names[3]), 50, [names[0]]],
      ],
    );
    assert.ok(events.every((e) => e.bytes > 4096));
    assert.equal(events[4].heads[hubLog.id], 4, "the hub chain's head as it was in that backup");
    cartridge.close();
  });

  it('flags: --backup-every 24h --backup-keep 7, mistakes named', () => {
    assert.deepEqual(backupFlags({ 'backup-every': '24h' }), { logFormat: 'plain', backups: { everyMs: 24 * HOUR, keep: 7 } });
    assert.deepEqual(backupFlags({ 'log-json': true }), { logFormat: 'json' });
    assert.throws(() => backupFlags({ 'backup-keep': '3' }), /--backup-keep needs --backup-every/);
    assert.throws(() => backupFlags({ 'backup-every': '24h', 'backup-keep': '0' }), UsageError);
    assert.throws(() => backupFlags({ 'backup-every': '5s' }), /at least 1m/);
  });
});

describe("the hub's log", () => {
  it('says enrolments, refusals, nodes first seen, silent and back, and backups in plain lines, never a token', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 2, 1));
    const lines: string[] = [];
    const w = waiter(lines);
    const dir = join(tmp.dir, 'logged');
    const hub = new Hub({
      dataDir: dir,
      port: 0,
      clock: () => clock.now(),
      time: { mode: 'system' },
      timers: clock,
      silentAfterMs: 10 * 60_000,
      backups: { everyMs: HOUR, keep: 2 },
      logFormat: 'plain',
      log: (l) => w.push(l),
    });
    const { url } = await hub.start();
    try {
      const node = new TestNode(83);
      const invite = hub.cartridge.createInvite({ ttlMs: HOUR }).token;
      const enrol = (token: string) =>
        fetch(`${url}/v1/enroll`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(enrollRequest(token, node.identity, crypto, { name: 'porch' })),
        });
      assert.equal((await enrol(invite)).status, 200);
      assert.equal((await enrol(invite)).status, 403, 'an invite is spent once');
      const up = (b: Uint8Array) => fetch(`${url}/v1/uplink`, { method: 'POST', headers: { 'content-type': 'application/cbor' }, body: b });
      node.append(10);
      assert.equal((await up(cbor(node.batch(1, 5)))).status, 200);
      assert.equal((await up(cbor(node.batch(7, 8)))).status, 409);
      clock.runFor(15 * 60_000);
      assert.equal((await up(cbor(node.batch(6, 10)))).status, 200);
      clock.runFor(HOUR);
      assert.match(await w.until(/ backup(-failed)? /), / backup /);
      const at = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
      const expect = [
        new RegExp(`^${at} info  node-enrolled node=${node.id} name=porch$`),
        new RegExp(`^${at} warn  refused status=403 error=invite-used route="POST /v1/enroll" from=127\\.0\\.0\\.1: `),
        new RegExp(`^${at} info  node-first-seen node=${node.id} name=porch seq=1$`),
        new RegExp(`^${at} warn  refused status=409 error=gap route="POST /v1/uplink" from=127\\.0\\.0\\.1: stored up to seq 5; entries start at seq 7`),
        new RegExp(`^${at} warn  node-silent node=${node.id} name=porch silentS=(6|7|8|9)\\d\\d$`),
        new RegExp(`^${at} info  node-back node=${node.id} name=porch awayS=900$`),
        new RegExp(`^${at} info  backup file=${dir}/backups/fazt-\\d{8}T\\d{9}Z\\.db bytes=\\d+ nodes=1 events=\\d+ removed=0$`),
      ];
      for (const re of expect)
        assert.ok(
          lines.some((l) => re.test(l)),
          `${re}\n${lines.join('\n')}`,
        );
      const all = lines.join('\n');
      assert.ok(!all.includes(hub.ownerToken), 'never the owner token');
      assert.ok(!all.includes(invite), 'never an invite token');
    } finally {
      await hub.stop();
    }
  });

  it('--log-json: one JSON object a line; a token quoted in a message is masked in either form', () => {
    const record = { level: 'warn', code: 'refused', message: `bad token fzt_${'a'.repeat(52)} and invite fzi${'b'.repeat(32)}` };
    const json = JSON.parse(formatOpRecord(record, 'json', 0)) as Record<string, string>;
    assert.deepEqual(json, { time: '1970-01-01T00:00:00.000Z', level: 'warn', code: 'refused', message: 'bad token fzt_… and invite fzi…' });
    assert.equal(formatOpRecord(record, 'plain', 0), '1970-01-01T00:00:00.000Z warn  refused: bad token fzt_… and invite fzi…');
  });
});
