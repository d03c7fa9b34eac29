import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { checkTimeAnswer } from '../../firmware/time/time-answer.js';
import { Hub } from '../../host/hub/hub.js';
import { Cartridge } from '../../host/store/cartridge.js';
import type { TimePeer } from '../../host/time/peer-time.js';
import { Timekeeper, type TimekeeperOptions } from '../../host/time/timekeeper.js';
import { crypto, get, startHub, tempDir } from '../hub/helpers.js';
import { closedPort, until } from '../helpers/wait.js';

type Started = Awaited<ReturnType<typeof startHub>>;

const me = identityFromSecretKey(new Uint8Array(32).fill(101), crypto);
const H2 = 2 * 3_600_000;
const TEN_MIN = 10 * 60_000;
const logs: string[] = [];
/** The honest hubs' clocks are the real clock plus this (0 but in the drift test). */
let peerSkew = 0;
/**
 * The drift test stops the real clock here, for the honest hubs and the subject alike: a round's
 * offsets are then exact (no round trip), where real loopback round trips under load put
 * milliseconds of jitter into a drift measured from 30 ms per round.
 */
let frozenAt: number | undefined;
const realNow = () => frozenAt ?? Date.now();

const honest: Started[] = [];
let liar: Started;

function peerOf(h: Started): TimePeer {
  return { id: h.addr.hubId, url: h.addr.url, publicKey: h.hub.publicKey };
}

function keeper(peers: TimePeer[], o: Partial<TimekeeperOptions> = {}): Timekeeper {
  return new Timekeeper({
    identity: me,
    crypto,
    peers: () => peers,
    mode: 'peers',
    system: () => Date.now() - TEN_MIN,
    timeoutMs: 500,
    ntp: () => ({ synced: false, how: 'test' }),
    ...o,
  });
}

before(async () => {
  for (let i = 0; i < 3; i++) honest.push(await startHub({ time: { mode: 'system' }, clock: () => realNow() + peerSkew, log: (l) => logs.push(l) }));
  liar = await startHub({ time: { mode: 'system' }, clock: () => Date.now() + H2, log: (l) => logs.push(l) });
});
after(async () => {
  await Promise.all([...honest, liar].filter(Boolean).map((h) => h.stop()));
});

describe('Timekeeper against real hubs on loopback', () => {
  it('three honest hubs and a liar at +2 h: the liar is an outlier, the clock is right although the system clock is 10 min slow', async () => {
    const peers = [...honest.map(peerOf), peerOf(liar)];
    const tk = keeper(peers);
    assert.equal(tk.source(), 'system', 'no estimate yet: the system clock');
    assert.equal(tk.status().targetMs, null);
    const s = await tk.sync();
    assert.equal(s.source, 'peers');
    assert.equal(tk.source(), 'peers');
    assert.equal(s.sources, 3);
    assert.equal(s.targetMs, 30_000);
    assert.equal(s.confidence > 0.99, true, `confidence ${s.confidence}`);
    const err = tk.now() - Date.now();
    assert.ok(Math.abs(err) < 30_000, `off by ${err} ms`);
    assert.ok(Math.abs(err) < 1000, `off by ${err} ms (loopback: well under a second)`);
    assert.ok(Math.abs((s.offsetMs ?? 0) - TEN_MIN) < 1000, `offset ${s.offsetMs}`);
    assert.ok((s.spreadMs ?? Infinity) < 1000, '(s.spreadMs ?? Infinity) < 1000');
    assert.equal(s.lastSync !== null && Math.abs(s.lastSync - (Date.now() - TEN_MIN)) < 5000, true);
    const readings = tk.readingsOfLastRound();
    assert.equal(readings.length, 4);
    const byPeer = new Map(readings.map((r) => [r.peer, r]));
    assert.equal(byPeer.get(liar.addr.hubId)?.status, 'outlier');
    assert.ok(
      Math.abs((byPeer.get(liar.addr.hubId)?.offsetMs ?? 0) - (H2 + TEN_MIN)) < 1000,
      'Math.abs((byPeer.get(liar.addr.hubId)?.offsetMs ?? 0) - (H2 + TEN_MIN)) < 1000',
    );
    for (const h of honest) {
      const r = byPeer.get(h.addr.hubId);
      assert.equal(r?.status, 'kept');
      assert.equal(r?.url, h.addr.url);
      assert.ok((r?.rttMs ?? -1) >= 0 && (r?.rttMs ?? Infinity) < 500, '(r?.rttMs ?? -1) >= 0 && (r?.rttMs ?? Infinity) < 500');
    }
  });
  it('corrects each offset by half the round trip (a link 100 ms slow each way)', async (t) => {
    // The clocks stand still but for the link's own delay, so the correction is exact: the
    // peers answer 100 ms after the question left and the answer takes 100 ms more.
    frozenAt = Date.now();
    let mono = 0;
    t.after(() => {
      frozenAt = undefined;
      peerSkew = 0;
    });
    const slowLink: typeof fetch = async (input, init) => {
      mono += 100;
      peerSkew = mono;
      const res = await fetch(input, init);
      mono += 100;
      return res;
    };
    const tk = keeper([peerOf(honest[0])], { fetchImpl: slowLink, system: () => realNow() - TEN_MIN, monotonic: () => mono, timeoutMs: 2000 });
    const s = await tk.sync();
    assert.equal(s.sources, 1);
    assert.deepEqual(
      tk.readingsOfLastRound().map((r) => r.rttMs),
      [200],
    );
    assert.equal(tk.now() - realNow(), 0, 'uncorrected it would be 100 ms behind');
  });
  it('concurrent sync() calls share one round', async () => {
    const tk = keeper(honest.map(peerOf));
    const a = tk.sync();
    const b = tk.sync();
    assert.equal(a, b);
    await a;
    assert.notEqual(tk.sync(), a, 'a later call is a new round');
    await tk.sync();
  });
  it('one honest peer: counted, but the target is ±60 s and confidence lower', async () => {
    const tk = keeper([peerOf(honest[0])]);
    const s = await tk.sync();
    assert.equal(s.source, 'peers');
    assert.equal(s.sources, 1);
    assert.equal(s.targetMs, 60_000);
    assert.ok(Math.abs(s.confidence - 0.6) < 0.01, `confidence ${s.confidence}`);
    assert.ok(Math.abs(tk.now() - Date.now()) < 1000, `off by ${tk.now() - Date.now()} ms`);
  });
  it('a peer entry with the wrong public key fails with a signature error and is not counted', async () => {
    const wrongKey = { ...peerOf(honest[2]), publicKey: liar.hub.publicKey };
    const wrongId = { ...peerOf(honest[2]), id: liar.addr.hubId, publicKey: honest[2].hub.publicKey };
    const tk = keeper([peerOf(honest[0]), peerOf(honest[1]), wrongKey]);
    const s = await tk.sync();
    assert.equal(s.sources, 2);
    assert.equal(s.targetMs, 60_000);
    const bad = tk.readingsOfLastRound().find((r) => r.peer === honest[2].addr.hubId);
    assert.equal(bad?.status, 'failed');
    assert.match(bad?.error ?? '', /does not verify/);
    assert.equal(bad?.offsetMs, undefined);
    // The right key under another id: the answer names the hub that made it.
    const tk2 = keeper([wrongId]);
    const s2 = await tk2.sync();
    assert.equal(s2.sources, 0);
    assert.equal(s2.source, 'system');
    assert.match(tk2.readingsOfLastRound()[0].error ?? '', new RegExp(`answer names ${honest[2].addr.hubId}`));
  });
  it('only failing peers: no estimate, the system clock stays', async () => {
    const sys = () => Date.now() - TEN_MIN;
    const tk = keeper([{ ...peerOf(honest[0]), publicKey: liar.hub.publicKey }], { system: sys });
    const s = await tk.sync();
    assert.equal(s.source, 'system');
    assert.equal(s.offsetMs, null);
    assert.equal(s.lastSync, null);
    assert.ok(Math.abs(tk.now() - sys()) < 50, 'Math.abs(tk.now() - sys()) < 50');
  });
  it('an unreachable peer (closed port) fails at once; a silent one fails after timeoutMs; neither holds up the round', async () => {
    const closed = await closedPort();
    const held: Socket[] = [];
    const blackHole: Server = createServer((sock) => void held.push(sock));
    await new Promise<void>((ok) => blackHole.listen(0, '127.0.0.1', ok));
    try {
      const silentUrl = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
      const tk = keeper(
        [
          ...honest.map(peerOf),
          { id: 'fzunreachable', url: `http://127.0.0.1:${closed}`, publicKey: liar.hub.publicKey },
          { id: 'fzsilent', url: silentUrl, publicKey: liar.hub.publicKey },
        ],
        { timeoutMs: 500 },
      );
      const t0 = Date.now();
      const s = await tk.sync();
      const took = Date.now() - t0;
      assert.ok(took >= 450 && took < 3000, `round took ${took} ms`);
      assert.equal(s.sources, 3, JSON.stringify(tk.readingsOfLastRound()));
      const rs = new Map(tk.readingsOfLastRound().map((r) => [r.peer, r]));
      assert.equal(rs.get('fzunreachable')?.status, 'failed');
      assert.ok((rs.get('fzunreachable')?.error ?? '').length > 0, "(rs.get('fzunreachable')?.error ?? '').length > 0");
      assert.equal(rs.get('fzsilent')?.status, 'failed');
      assert.equal(rs.get('fzsilent')?.error, 'no answer within 500 ms');
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((ok) => blackHole.close(() => ok()));
    }
  });
  it('a peer that answers with an HTTP error or not JSON fails', async () => {
    const srv = createHttpServer((req, res) => {
      if (req.url?.startsWith('/json')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"internal"}}');
      } else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>router login</html>');
    });
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    try {
      const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
      const tk = keeper([
        { id: 'fz500', url: `${base}/json`, publicKey: liar.hub.publicKey },
        { id: 'fzhtml', url: base, publicKey: liar.hub.publicKey },
        peerOf(honest[0]),
      ]);
      const s = await tk.sync();
      assert.equal(s.sources, 1);
      const rs = new Map(tk.readingsOfLastRound().map((r) => [r.peer, r]));
      assert.equal(rs.get('fz500')?.status, 'failed');
      assert.match(rs.get('fz500')?.error ?? '', /HTTP 500/);
      assert.equal(rs.get('fzhtml')?.status, 'failed');
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((ok) => srv.close(() => ok()));
    }
  });
  it('confidence halves every halfLifeMs; below 0.1 the system clock is used again', async () => {
    let sys = Date.now() - TEN_MIN;
    const tk = keeper(honest.map(peerOf), { system: () => sys, halfLifeMs: 60_000 });
    const s = await tk.sync();
    const base = s.confidence;
    assert.ok(base > 0.99, `confidence ${base} with three sources`);
    const offset = s.offsetMs as number;
    assert.ok(Math.abs(offset - (Date.now() - sys)) < 1000, 'Math.abs(offset - (Date.now() - sys)) < 1000');
    sys += 2 * 60_000;
    const c2 = tk.status().confidence;
    assert.ok(Math.abs(c2 - base / 4) < 1e-9, `after two half-lives ${c2}`);
    assert.equal(tk.source(), 'peers');
    assert.equal(tk.now(), Math.floor(sys + offset), 'still the system clock plus the offset (no drift yet), in whole ms');
    sys += 60_000; // three half-lives: 0.125
    assert.equal(tk.source(), 'peers');
    sys += 60_000; // four: 0.0625
    assert.ok(tk.status().confidence < 0.1, `confidence ${tk.status().confidence} after four half-lives`);
    assert.equal(tk.source(), 'system');
    assert.equal(tk.now(), sys);
    assert.equal(tk.status().source, 'system');
    assert.equal(tk.status().now, sys);
    assert.equal(tk.status().offsetMs, offset, 'the estimate is still reported');
    // A new round brings it back.
    sys = Date.now() - TEN_MIN;
    assert.equal((await tk.sync()).source, 'peers');
    assert.ok(Math.abs(tk.now() - Date.now()) < 1000, `off by ${tk.now() - Date.now()} ms`);
  });
  it("mode 'auto' with NTP synchronised: source ntp, no offset applied even after a round", async () => {
    const sys = () => Date.now() - TEN_MIN;
    let ntpCalls = 0;
    const tk = keeper(honest.map(peerOf), { mode: 'auto', system: sys, ntp: () => (ntpCalls++, { synced: true, how: 'test timesyncd' }) });
    assert.equal(ntpCalls, 1);
    assert.equal(tk.source(), 'ntp');
    const s = await tk.sync();
    assert.equal(s.source, 'ntp');
    assert.deepStrictEqual(s.ntp, { synced: true, how: 'test timesyncd' });
    assert.ok(Math.abs((s.offsetMs ?? 0) - TEN_MIN) < 1000, 'the round is measured and reported');
    assert.ok(Math.abs(tk.now() - sys()) < 50, 'but the clock is the system clock');
    const n = '0123456789abcdef0123456789abcdef';
    const a = checkTimeAnswer(JSON.parse(JSON.stringify(tk.answer(n))), n, me.publicKey, crypto);
    assert.equal(a.source, 'ntp');
    assert.ok(Math.abs(a.time - sys()) < 50, 'Math.abs(a.time - sys()) < 50');
  });
  it("mode 'auto' without NTP: the peers; mode 'system': never the peers, NTP not consulted", async () => {
    const auto = keeper(honest.map(peerOf), { mode: 'auto' });
    assert.equal((await auto.sync()).source, 'peers');
    assert.ok(Math.abs(auto.now() - Date.now()) < 1000, `off by ${auto.now() - Date.now()} ms`);
    let asked = false;
    const sys = () => Date.now() - TEN_MIN;
    const system = keeper(honest.map(peerOf), {
      mode: 'system',
      system: sys,
      ntp: () => {
        asked = true;
        return { synced: true, how: 'x' };
      },
    });
    const s = await system.sync();
    assert.equal(asked, false);
    assert.equal(s.source, 'system');
    assert.equal(s.ntp.synced, false);
    assert.ok(Math.abs(system.now() - sys()) < 50, 'Math.abs(system.now() - sys()) < 50');
  });
  it('start() polls on its own soon after starting; stop() ends it', async () => {
    const rounds: unknown[] = [];
    const tk = keeper(honest.map(peerOf), { pollMs: 100, log: (r) => void rounds.push(r) });
    tk.start();
    try {
      const deadline = Date.now() + 5000;
      while (rounds.length < 2 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
      assert.ok(rounds.length >= 2, `${rounds.length} rounds in 5 s`);
      assert.equal(tk.source(), 'peers');
    } finally {
      await tk.stop();
    }
    await new Promise((ok) => setTimeout(ok, 400));
    const n = rounds.length;
    await new Promise((ok) => setTimeout(ok, 400));
    assert.equal(rounds.length, n, 'no rounds after stop()');
  });
  it("start()'s first round soon after start does not ask NTP again (timedatectl blocks the hub); a poll interval later it does", async () => {
    let ntpCalls = 0;
    let now = Date.now();
    const rounds: unknown[] = [];
    const tk = keeper(honest.map(peerOf), {
      mode: 'auto',
      pollMs: 2000,
      system: () => now,
      ntp: () => (ntpCalls++, { synced: false, how: 'test' }),
      log: (r) => void rounds.push(r),
    });
    assert.equal(ntpCalls, 1, 'asked once when made');
    tk.start();
    try {
      await until(() => rounds.length >= 1, 'the first round', 10_000);
      assert.equal(ntpCalls, 1, 'the first round used that answer');
      now += 2000; // a poll interval on the system clock the keeper reads
      await until(
        () => ntpCalls === 2,
        'NTP asked again',
        10_000,
        () => ntpCalls,
      );
    } finally {
      await tk.stop();
    }
  });
  it('refuses pollMs under 100 ms and a timeout that is not positive', () => {
    assert.throws(() => keeper([], { pollMs: 50 }), RangeError);
    assert.throws(() => keeper([], { timeoutMs: 0 }), RangeError);
  });
});

describe('Timekeeper: drift and persistence', () => {
  it('estimates drift by least squares once rounds span 10 min, carries the clock forward by it, and a restarted hub keeps it', async (t) => {
    const { dir, cleanup } = tempDir('fazt-time-');
    let sysShift = -TEN_MIN;
    frozenAt = Date.now();
    const sys = () => realNow() + sysShift;
    const first = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, clock: sys, time: { mode: 'peers' }, log: (l) => logs.push(l) });
    let second: Hub | undefined;
    t.after(async () => {
      peerSkew = 0;
      frozenAt = undefined;
      await first.stop();
      await second?.stop();
      cleanup();
    });
    await first.start();
    assert.equal(first.timekeeper.source(), 'system', 'a new hub in peers mode has no estimate');
    const tk = keeper(honest.map(peerOf), { system: sys, monotonic: () => 0, store: first.cartridge.clockState });
    // Rounds 2.5 min apart on the system clock; the peers' clock gains 30 ms per 2.5 min on ours: 200 ppm.
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      sysShift = -TEN_MIN + i * 150_000;
      peerSkew = i * 150_030;
      const s = await tk.sync();
      offsets.push(s.offsetMs as number);
      if (i < 4) assert.equal(s.driftPpm, 0, `rounds spanning ${i * 2.5} min: no drift yet`);
    }
    const s = tk.status();
    // The clocks stand still, so every offset is exact: 30 ms more each round, 200 ppm.
    assert.deepEqual(
      offsets.map((o) => o - offsets[0]),
      [0, 30, 60, 90, 120],
    );
    assert.ok(Math.abs(s.driftPpm - 200) < 1e-6, `drift ${s.driftPpm} ppm`);
    // Saved in the cartridge as the latest estimate.
    const saved = first.cartridge.clockState.load();
    assert.ok(saved, 'saved');
    assert.equal(saved.driftPpm, s.driftPpm);
    assert.equal(saved.sources, 3);
    assert.ok(Math.abs(saved.offsetMs - offsets[4]) < 0.1, 'the saved offset is the one of the last round (status() adds the drift of the ms since)');
    // Ten minutes on without a round: the offset grows by the drift (200 ppm × 10 min = 120 ms).
    const before = tk.status().offsetMs as number;
    sysShift += TEN_MIN;
    peerSkew += TEN_MIN + 120;
    const later = tk.status().offsetMs as number;
    assert.ok(Math.abs(later - before - (s.driftPpm * TEN_MIN) / 1e6) < 0.5, `carried forward ${later - before} ms at ${s.driftPpm} ppm`);
    assert.ok(Math.abs(later - before - 120) < 15, `carried forward ${later - before} ms`);

    // Restart the hub on the same data dir with the same (slow) system clock: it keeps the estimate.
    await first.stop();
    second = new Hub({ dataDir: dir, host: '127.0.0.1', port: 0, clock: sys, time: { mode: 'peers' }, log: (l) => logs.push(l) });
    const addr = await second.start();
    const kept = second.timekeeper.status();
    assert.equal(kept.source, 'peers');
    assert.equal(kept.driftPpm, s.driftPpm);
    assert.equal(kept.sources, 3);
    assert.equal(kept.lastSync, saved.syncedAt);
    assert.ok(Math.abs((kept.offsetMs as number) - later) < 2, 'Math.abs((kept.offsetMs as number) - later) < 2');
    // And it answers with the peers' time, not its system clock's.
    const nonce = 'fedcba9876543210fedcba9876543210';
    const r = await get(`${addr.url}/v1/time?nonce=${nonce}`);
    assert.equal(r.status, 200);
    const a = checkTimeAnswer(r.body, nonce, second.publicKey, crypto);
    assert.equal(a.source, 'peers');
    const peersNow = realNow() + peerSkew;
    assert.ok(Math.abs(a.time - peersNow) < 50, `answer ${a.time - peersNow} ms from the peers' clock`);
    await second.stop();
    const c = Cartridge.open(addr.cartridge);
    try {
      assert.deepStrictEqual(c.clockState.load(), saved, 'the restarted hub did not overwrite the estimate (no rounds without peers)');
    } finally {
      c.close();
    }
  });
});
