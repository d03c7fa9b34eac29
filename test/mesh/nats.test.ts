import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { createBatch } from '../../firmware/batch/batch.js';
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
import { chainState, natsAuth, pageOf, testClient } from './nats-helpers.js';

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

  const secretFile = (name: string, text: string) => {
    const p = join(server.dir, name);
    writeFileSync(p, `${text}\n`, { mode: 0o600 });
    return p;
  };

  before(async () => {
    server = await NatsServer.start();
    // Hub A signs in with a password, hub B with an nkey: both kinds of credentials work.
    a = await startHub({ meshNats: natsAuth(server, 'password'), log: (l) => void logA.push(l) });
    b = await startHub({ meshNats: natsAuth(server, 'nkey'), log: (l) => void logB.push(l) });
    for (const h of [a, b]) h.hub.cartridge.addNode(node.identity.publicKey, { board: 'esp32-devkitc' });
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
    assert.deepEqual(chainState(b.hub, node.id), chainState(a.hub, node.id));
    const fromB = exportBundle(b.hub.cartridge, node.id);
    assert.equal(fromB.checkpoints, 2, 'B keeps each batch A accepted as its checkpoint');
    assert.deepEqual(verifyBundle(fromB.bytes, crypto), { node: node.id, first: 1, last: 10, entries: 10, checkpoints: 2, gaps: [] });
  });

  it('a page altered on the broker or with a forged checkpoint is refused and not stored', async () => {
    const js = jetstream(client);
    const subject = `${DEFAULT_PREFIX}.${node.id}`;
    const publish = (page: Uint8Array, id: string) => {
      const h = headers();
      h.set('Fazt-Origin', 'a-stranger');
      return js.publish(subject, page, { msgID: id, headers: h });
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

  it('a node enrolled only on A is refused by B as unknown-node, said once for the chain, and not stored', async () => {
    const only = new TestNode(43);
    a.hub.cartridge.addNode(only.identity.publicKey, { board: 'esp32-devkitc' });
    only.append(6);
    for (const [first, last] of [
      [1, 3],
      [4, 6],
    ])
      assert.equal((await post(`${a.url}/v1/uplink`, cbor(only.batch(first, last)))).status, 200);
    const lines = () => logB.filter((l) => l.includes('mesh-refusal') && l.includes(`${DEFAULT_PREFIX}.${only.id}`));
    await until(
      () => lines().length === 1,
      'B to refuse the chain',
      15_000,
      () => logB.slice(-5),
    );
    // Both pages were settled (B's consumer has nothing left for it) before the count is final.
    const jsm = await jetstreamManager(client);
    for (let i = 0; ; i++) {
      const info = await jsm.consumers.info(DEFAULT_STREAM, consumerName(b.addr.hubId));
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      assert.ok(
        i < 500,
        `B settles every page: ${JSON.stringify({ p: info.num_pending, a: info.num_ack_pending, r: info.num_redelivered, d: info.delivered, f: info.ack_floor })}`,
      );
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assert.equal(lines().length, 1);
    assert.match(lines()[0], /"code":"unknown-node"/);
    assert.equal(b.hub.cartridge.head(only.id), undefined);
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
