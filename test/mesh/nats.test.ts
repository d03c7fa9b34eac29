import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { createBatch } from '../../firmware/batch/batch.js';
import { enrollRequest as makeEnrollRequest } from '../../firmware/node/enroll-request.js';
import { consumerName } from '../../host/mesh/nats/nats-consumer.js';
import { DEFAULT_PREFIX, DEFAULT_STREAM } from '../../host/mesh/nats/nats-options.js';
import { exportBundle } from '../../host/store/export-bundle.js';
import { verifyBundle } from '../../host/store/verify-bundle.js';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { Hub } from '../../host/hub/hub.js';
import { MeshError } from '../../host/mesh/mesh-error.js';
import type { MeshNatsOptions } from '../../host/mesh/nats/nats-options.js';
import { cbor, crypto, post, startHub, TestNode, tempDir } from '../hub/helpers.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { until } from '../helpers/wait.js';
import { pairOneWay } from './helpers.js';
import { chainState, natsAuth, pageOf, testClient } from './nats-helpers.js';
import { chainEvents } from './pair-helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;

describe('mesh over NATS JetStream (Debian nats-server)', { skip: natsSkip }, () => {
  let server: NatsServer;
  let a: Started;
  let b: Started;
  let client: NatsConnection;
  const logA: string[] = [];
  const logB: string[] = [];
  const node = new TestNode(41);

  /** The refusals hub B logged for pages of `node` with `code`. */
  const refusals = (log: string[], code: string) => log.filter((l) => l.includes('mesh-refusal') && l.includes(`"code":"${code}"`) && l.includes(node.id));

  /** Waits until the hub's durable consumer has nothing left to deliver or acknowledge. */
  const settledOn = async (h: Started) => {
    const jsm = await jetstreamManager(client);
    for (let i = 0; ; i++) {
      const info = await jsm.consumers.info(DEFAULT_STREAM, consumerName(h.addr.hubId));
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
      assert.ok(i < 500, `the consumer settles: ${JSON.stringify({ p: info.num_pending, a: info.num_ack_pending })}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  };

  const secretFile = (name: string, text: string) => {
    const p = join(server.dir, name);
    writeFileSync(p, `${text}\n`, { mode: 0o600 });
    return p;
  };

  before(async () => {
    server = await NatsServer.start();
    // The hubs are paired before they reach NATS: a page from a hub not paired (yet) is refused.
    await server.stop();
    // Hub A signs in with a password, hub B with an nkey: both kinds of credentials work.
    a = await startHub({ meshNats: natsAuth(server, 'password'), log: (l) => void logA.push(l) });
    b = await startHub({ meshNats: natsAuth(server, 'nkey'), log: (l) => void logB.push(l) });
    pairOneWay(a.hub, b);
    pairOneWay(b.hub, a);
    for (const h of [a, b]) h.hub.cartridge.addNode(node.identity.publicKey, { board: 'esp32-devkitc' });
    await server.restart();
    client = await testClient(server);
    node.append(30);
  });

  after(async () => {
    await client?.close();
    await a?.stop();
    await b?.stop();
    await server?.cleanup();
  });

  it('a batch uplinked to hub A is stored by hub B: same head and entries, and the bundle verifies', async () => {
    const origins: string[] = [];
    const off = b.hub.cartridge.onStored((entries, _at, origin) => {
      if (entries.some((e) => e.source.startsWith(node.id))) origins.push(origin);
    });
    for (const [first, last] of [
      [1, 4],
      [5, 10],
    ]) {
      const r = await post(`${a.url}/v1/uplink`, cbor(node.batch(first, last)));
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    await until(
      () => b.hub.cartridge.head(node.id)?.seq === 10,
      'hub B to store seq 10',
      15_000,
      () => logB,
    );
    off();
    assert.ok(origins.length > 0 && origins.every((o) => o === 'mesh'), `B stored them as replicated, for A to act on (${origins})`);
    assert.deepEqual(chainState(b.hub, node.id), chainState(a.hub, node.id));
    const fromB = exportBundle(b.hub.cartridge, node.id);
    assert.equal(fromB.checkpoints, 2, 'B keeps each batch A accepted as its checkpoint');
    assert.deepEqual(verifyBundle(fromB.bytes, crypto), { node: node.id, first: 1, last: 10, entries: 10, checkpoints: 2, gaps: [] });
  });

  it('a page altered on the broker or with a forged checkpoint is refused, recorded (mesh_refusals, system.mesh.refused) and not stored', async () => {
    const js = jetstream(client);
    const subject = `${DEFAULT_PREFIX}.${node.id}`;
    // The broker is not trusted: each bad page is published as if from A (B refuses it) and from B (A refuses it).
    const publish = async (page: Uint8Array, id: string) => {
      for (const origin of [a.addr.hubId, b.addr.hubId]) {
        const h = headers();
        h.set('Fazt-Origin', origin);
        await js.publish(subject, page, { msgID: `${id}-${origin}`, headers: h });
      }
    };
    const before = chainState(b.hub, node.id);
    // Altered: seq 11..12 with one reading changed after it was signed.
    const altered = node.batch(11, 12);
    altered.entries = altered.entries.map((e, i) => (i === 1 ? { ...e, data: { ...(e.data as object), value: 99 } } : e));
    await publish(pageOf(altered), 'altered-1');
    // Forged: the same range signed by another key as if it were the node's.
    const forger = new TestNode(42);
    const forged = { ...createBatch(node.entries.slice(10, 12), forger.identity, crypto), node: node.id, key: node.identity.publicKey };
    await publish(pageOf(forged), 'forged-1');
    await until(
      () => refusals(logB, 'altered').length === 1 && refusals(logB, 'forged-checkpoint').length === 1,
      'B to refuse both',
      15_000,
      () => logB,
    );
    await until(
      () => refusals(logA, 'altered').length === 1 && refusals(logA, 'forged-checkpoint').length === 1,
      'A to refuse both',
      15_000,
      () => logA,
    );
    assert.deepEqual(chainState(b.hub, node.id), before, 'nothing of a refused page is stored');
    assert.equal(a.hub.cartridge.head(node.id)?.seq, 10);
    // Each refusal is a mesh_refusals row naming the page's origin, and an event on the hub's own chain.
    for (const [h, peer] of [
      [a, b.addr.hubId],
      [b, a.addr.hubId],
    ] as const) {
      const rows = h.hub.mesh.store.records.refusals().filter((r) => r.message.includes(node.id));
      assert.deepEqual(rows.map((r) => [r.peer, r.code]).sort(), [
        [peer, 'altered'],
        [peer, 'forged-checkpoint'],
      ]);
      const events = chainEvents(h.hub, 'system.mesh.refused').filter((d) => d.node === node.id);
      assert.deepEqual(events.map((d) => [d.peer, d.code]).sort(), [
        [peer, 'altered'],
        [peer, 'forged-checkpoint'],
      ]);
    }
    // The real batch still goes through after them.
    assert.equal((await post(`${a.url}/v1/uplink`, cbor(node.batch(11, 12)))).status, 200);
    await until(
      () => b.hub.cartridge.head(node.id)?.seq === 12,
      'hub B to store seq 12',
      15_000,
      () => logB,
    );
    assert.deepEqual(chainState(b.hub, node.id), chainState(a.hub, node.id));
  });

  it('a valid page whose origin is a hub neither is paired with is refused as unpaired, said once, and not stored', async () => {
    const js = jetstream(client);
    const stranger = new TestNode(46);
    for (const h of [a, b]) h.hub.cartridge.addNode(stranger.identity.publicKey);
    stranger.append(4);
    for (const [first, last] of [
      [1, 2],
      [3, 4],
    ]) {
      const h = headers();
      h.set('Fazt-Origin', 'fzunpairedhub');
      await js.publish(`${DEFAULT_PREFIX}.${stranger.id}`, pageOf(stranger.batch(first, last)), { msgID: `unpaired-${last}`, headers: h });
    }
    const lines = (log: string[]) => log.filter((l) => l.includes('mesh-refusal') && l.includes('"code":"unpaired"') && l.includes('fzunpairedhub'));
    await until(
      () => lines(logA).length === 1 && lines(logB).length === 1,
      'both hubs to refuse the pages',
      15_000,
      () => logB.slice(-5),
    );
    for (const h of [a, b]) await settledOn(h);
    for (const h of [a, b]) {
      assert.equal(lines(h === a ? logA : logB).length, 1, 'said once for the hub, not once per page');
      assert.deepEqual(chainState(h.hub, stranger.id).ids, []);
    }
  });

  it('a node enrolled only on A (its enrolment travels on A’s hub chain) is learnt by B, which stores its entries', async () => {
    const only = new TestNode(43);
    const inv = a.hub.cartridge.createInvite({ ttlMs: 60_000 });
    const enrol = makeEnrollRequest(inv.token, only.identity, crypto, { name: 'shed', board: 'esp32-devkitc' });
    assert.equal((await post(`${a.url}/v1/enroll`, JSON.stringify(enrol), 'application/json')).status, 200);
    only.append(6);
    for (const [first, last] of [
      [1, 3],
      [4, 6],
    ])
      assert.equal((await post(`${a.url}/v1/uplink`, cbor(only.batch(first, last)))).status, 200);
    await until(
      () => b.hub.cartridge.head(only.id)?.seq === 6,
      'hub B to store the node’s seq 6',
      15_000,
      () => logB.slice(-5),
    );
    assert.deepEqual(chainState(b.hub, only.id), chainState(a.hub, only.id));
    const learnt = b.hub.cartridge.nodes().find((n) => n.id === only.id);
    assert.deepEqual([learnt?.name, learnt?.board], ['shed', 'esp32-devkitc'], 'B registered the node from A’s chain');
    assert.ok(
      b.hub.cartridge.nodes('peer').some((n) => n.id === a.addr.hubId),
      'A’s own chain is kept on B as a peer chain',
    );
    assert.ok(
      [...b.hub.cartridge.chain(a.addr.hubId)].some((e) => e.type === 'system.node.enrolled' && (e.data as { node?: string }).node === only.id),
      'B holds A’s enrolment of it',
    );
    assert.ok(!logB.some((l) => l.includes('mesh-refusal') && l.includes(only.id)), 'nothing of it refused');
  });

  it('a node that forked (one chain stored on A, another on B) is recorded as a fork with its proof on both hubs', async () => {
    const one = new TestNode(45);
    const other = new TestNode(45);
    for (const h of [a, b]) h.hub.cartridge.addNode(one.identity.publicKey);
    one.append(2);
    other.append(2, 'sensor.reading', 'sht31');
    // Stored on both in one synchronous step, so neither hub has the other's page before its own.
    assert.equal(a.hub.cartridge.ingestBatch(one.batch(1, 2)).stored, 2);
    assert.equal(b.hub.cartridge.ingestBatch(other.batch(1, 2)).stored, 2);
    const forkOn = (h: Started) => h.hub.mesh.store.records.forks().find((f) => f.node === one.id);
    await until(
      () => forkOn(a) !== undefined && forkOn(b) !== undefined,
      'both hubs to record the fork',
      15_000,
      () => [...logA.slice(-3), ...logB.slice(-3)],
    );
    for (const [h, peer, kept] of [
      [a, b.addr.hubId, one],
      [b, a.addr.hubId, other],
    ] as const) {
      const f = forkOn(h);
      assert.deepEqual([f?.seq, f?.fromPeer], [1, peer]);
      const proof = h.hub.cartridge.db.prepare('SELECT proof FROM mesh_forks WHERE node = ?').get(one.id) as { proof: Buffer };
      assert.equal(verifyBundle(new Uint8Array(proof.proof), crypto).node, one.id, 'the proof is the other hub’s page, verifying');
      assert.deepEqual(
        chainEvents(h.hub, 'system.mesh.fork').filter((d) => d.node === one.id),
        [{ node: one.id, seq: 1, peer }],
      );
      assert.deepEqual(
        chainState(h.hub, one.id).ids,
        kept.entries.map((e) => e.id),
        'neither side’s entries replace the other’s',
      );
    }
  });

  it('a wrong password or an unknown nkey fails the start with a clear error that holds no secret', async () => {
    const wrong = `not-${server.users.password}`;
    const stranger = new TextDecoder().decode(createUser().getSeed());
    const cases: [MeshNatsOptions, string][] = [
      [{ ...natsAuth(server, 'password'), passwordFile: secretFile('wrong-password', wrong) }, "user 'hub'"],
      [{ url: server.url, nkeyFile: secretFile('stranger.seed', stranger) }, 'nkey U'],
    ];
    for (const [meshNats, who] of cases) {
      const t = tempDir();
      const hub = new Hub({ dataDir: t.dir, port: 0, meshNats, log: () => {} });
      try {
        await assert.rejects(hub.start(), (e: Error) => {
          assert.ok(e instanceof MeshError && e.code === 'broker-auth', `${e.name}: ${e.message}`);
          assert.match(e.message, new RegExp(`NATS at ${server.url} refused ${who}`));
          for (const secret of [wrong, stranger, server.users.password]) assert.ok(!e.message.includes(secret), 'no secret in the message');
          return true;
        });
      } finally {
        await hub.stop();
        t.cleanup();
      }
    }
  });

  it('batches A accepts while NATS is down reach B once it is back (the outbox)', async () => {
    await server.stop();
    for (const [first, last] of [
      [13, 16],
      [17, 20],
    ]) {
      const r = await post(`${a.url}/v1/uplink`, cbor(node.batch(first, last)));
      assert.equal(r.status, 200, 'A accepts uplinks while the broker is down');
    }
    assert.equal(b.hub.cartridge.head(node.id)?.seq, 12);
    await server.restart();
    await until(
      () => b.hub.cartridge.head(node.id)?.seq === 20,
      'hub B to catch up to seq 20',
      30_000,
      () => logB.slice(-5),
    );
    assert.deepEqual(chainState(b.hub, node.id), chainState(a.hub, node.id));
    assert.ok(
      logA.some((l) => l.includes('"state":"unreachable"')),
      'the outage is logged',
    );
  });

  it('a hub started while NATS is down serves its nodes and joins the mesh once the server answers', async () => {
    await server.stop();
    const logC: string[] = [];
    const c = await startHub({ meshNats: natsAuth(server, 'password'), log: (l) => void logC.push(l) });
    try {
      assert.ok(
        logC.some((l) => l.includes('"state":"unreachable"')),
        'the hub says it could not reach NATS',
      );
      pairOneWay(c.hub, a);
      c.hub.cartridge.addNode(node.identity.publicKey, { board: 'esp32-devkitc' });
      assert.equal((await post(`${c.url}/v1/uplink`, cbor(node.batch(1, 4)))).status, 200);
      await server.restart();
      await until(
        () => c.hub.cartridge.head(node.id)?.seq === 20,
        'hub C to catch up to seq 20',
        30_000,
        () => logC.slice(-5),
      );
      assert.deepEqual(chainState(c.hub, node.id), chainState(a.hub, node.id));
      assert.ok(logC.some((l) => l.includes('"state":"connected"')));
    } finally {
      await c.stop();
    }
  });

  it("a server that lost its store is filled again from the hubs' cartridges, each page once", async () => {
    await server.stop();
    rmSync(join(server.dir, 'js'), { recursive: true, force: true });
    await server.restart();
    assert.equal((await post(`${a.url}/v1/uplink`, cbor(node.batch(21, 24)))).status, 200);
    await until(
      () => b.hub.cartridge.head(node.id)?.seq === 24,
      'hub B to store seq 24',
      30_000,
      () => logB.slice(-5),
    );
    assert.deepEqual(chainState(b.hub, node.id), chainState(a.hub, node.id));
    const jsm = await jetstreamManager(client);
    const subject = `${DEFAULT_PREFIX}.${node.id}`;
    const pages = async () => (await jsm.streams.info(DEFAULT_STREAM, { subjects_filter: subject })).state.subjects?.[subject];
    for (let i = 0; (await pages()) !== 6; i++) {
      assert.ok(i < 500, `the stream holds the chain's six pages again (it holds ${await pages()})`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  });
});
