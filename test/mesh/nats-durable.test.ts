import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Database } from 'better-sqlite3';
import { decodeCbor } from '../../firmware/codec/cbor-decode.js';
import { chainSubject } from '../../host/mesh/nats/mesh-stream.js';
import { DEFAULT_PREFIX, DEFAULT_STREAM } from '../../host/mesh/nats/nats-options.js';
import { bundleFromValue } from '../../host/store/bundle-format.js';
import { openSqlite } from '../../host/store/sqlite.js';
import { startHub, TestNode } from '../hub/helpers.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { natsAuth, testClient } from './nats-helpers.js';

type Started = Awaited<ReturnType<typeof startHub>>;

describe("NATS: the hub's chain is published only once durable (Debian nats-server)", { skip: natsSkip }, () => {
  let server: NatsServer;
  let a: Started;
  let client: NatsConnection;
  let reader: Database | undefined;
  const node = new TestNode(83);

  /** The last seq of the newest page of the hub's chain in the stream (0 before any). */
  const publishedHead = async (): Promise<number> => {
    const m = await (await jetstreamManager(client)).streams.getMessage(DEFAULT_STREAM, { last_by_subj: chainSubject(DEFAULT_PREFIX, a.hub.hubLog.id) });
    return m ? bundleFromValue(decodeCbor(m.data)).last : 0;
  };
  const published = async (seq: number) => {
    for (let i = 0; (await publishedHead()) < seq; i++) {
      assert.ok(i < 750, `the hub chain's page up to seq ${seq} is published (stream has ${await publishedHead()})`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  };

  before(async () => {
    server = await NatsServer.start();
    a = await startHub({ meshNats: natsAuth(server, 'password'), log: () => {}, percepts: { tickMs: 0 } });
    a.hub.cartridge.addNode(node.identity.publicKey);
    client = await testClient(server);
    await published(a.hub.hubLog.seq);
  });

  after(async () => {
    reader?.close();
    await client?.close();
    await a?.stop();
    await server?.cleanup();
  });

  it('percepts committed without an fsync are synced before their page goes to the stream', async () => {
    const c = a.hub.cartridge;
    c.durable();
    // A reader's snapshot keeps the 1-s PASSIVE checkpoint from syncing them: only the publisher can.
    reader = openSqlite(c.file);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM entries').get();
    node.append(4);
    c.ingestBatch(node.batch(1, 4));
    const head = a.hub.hubLog.seq;
    assert.ok([...c.chain(a.hub.hubLog.id, { from: head, to: head })][0]?.type.startsWith('percept.'), 'the readings made percepts');
    assert.equal(c.unsyncedPending, true);
    await published(head);
    assert.equal(c.unsyncedPending, false);
  });
});
