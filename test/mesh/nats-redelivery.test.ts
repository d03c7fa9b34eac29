import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { CartridgeSink } from '../../host/mesh/nats/cartridge-sink.js';
import { ensureMeshStream } from '../../host/mesh/nats/mesh-stream.js';
import type { ApplyResult, MeshSink } from '../../host/mesh/nats/mesh-sink.js';
import { consumerName, NatsConsumer, type NatsRefusal } from '../../host/mesh/nats/nats-consumer.js';
import { DEFAULT_PREFIX, DEFAULT_STREAM } from '../../host/mesh/nats/nats-options.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { crypto, TestNode, tempDir } from '../hub/helpers.js';
import { NatsServer, natsSkip } from '../helpers/nats-server.js';
import { until } from '../helpers/wait.js';
import { consumerPending, pageOf, testClient } from './nats-helpers.js';

/** The real sink, recording each outcome; the first page it stores "crashes" the hub before the ack (it throws after the commit). */
class CrashOnceSink implements MeshSink {
  readonly results: number[] = [];
  private crashed = false;
  constructor(private readonly inner: CartridgeSink) {}
  async apply(bundle: Uint8Array, from: string): Promise<ApplyResult> {
    const r = await this.inner.apply(bundle, from);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    this.results.push(r.stored);
    if (!this.crashed) {
      this.crashed = true;
      throw new Error('the hub stopped after the commit, before the ack');
    }
    return r;
  }
}

describe('NATS consumer redelivery', { skip: natsSkip }, () => {
  let server: NatsServer;
  let client: NatsConnection;
  let cartridge: Cartridge;
  let cleanup: () => void;
  const node = new TestNode(51);
  const HUB = 'test-hub-c';

  before(async () => {
    server = await NatsServer.start();
    client = await testClient(server);
    await ensureMeshStream(await jetstreamManager(client), DEFAULT_STREAM, DEFAULT_PREFIX);
    const t = tempDir('fazt-nats-redelivery-');
    cleanup = t.cleanup;
    cartridge = Cartridge.open(join(t.dir, 'fazt.db'));
    cartridge.addNode(node.identity.publicKey);
    node.append(10);
    const js = jetstream(client);
    for (const [first, last] of [
      [1, 5],
      [6, 10],
    ]) {
      const h = headers();
      h.set('Fazt-Origin', 'test-hub-a');
      await js.publish(`${DEFAULT_PREFIX}.${node.id}`, pageOf(node.batch(first, last)), { msgID: `page-${last}`, headers: h });
    }
  });

  after(async () => {
    await client?.close();
    cartridge?.close();
    cleanup?.();
    await server?.cleanup();
  });

  const settled = async () => {
    const p = await consumerPending(client, DEFAULT_STREAM, consumerName(HUB));
    return p.pending === 0 && p.unacked === 0;
  };

  it('a page stored but not acknowledged comes again and stores nothing twice; a consumer started over stores nothing either', async () => {
    const sink = new CrashOnceSink(new CartridgeSink(cartridge, crypto));
    const refused: NatsRefusal[] = [];
    const lines: string[] = [];
    const start = async () => {
      const c = new NatsConsumer({
        js: jetstream(client),
        jsm: await jetstreamManager(client),
        stream: DEFAULT_STREAM,
        prefix: DEFAULT_PREFIX,
        hubId: HUB,
        sink,
        onRefused: (r) => void refused.push(r),
        log: (r) => void lines.push(JSON.stringify(r)),
      });
      await c.start();
      return c;
    };
    const first = await start();
    await until(
      () => sink.results.length >= 3,
      'three deliveries (one of them again)',
      15_000,
      () => lines,
    );
    // Nothing left to deliver or acknowledge: no fourth delivery is coming.
    for (let i = 0; !(await settled()); i++) {
      assert.ok(i < 500, 'the consumer settles');
      await new Promise((ok) => setTimeout(ok, 20));
    }
    await first.stop();
    assert.deepEqual([...sink.results].sort(), [0, 5, 5], 'the redelivered page stored nothing');
    assert.equal(cartridge.counts().events, 10);
    assert.equal(cartridge.head(node.id)?.seq, 10);
    assert.ok(lines.some((l) => l.includes('comes again')));

    // The hub's consumer is lost (its state on the server removed): the next one is delivered everything again.
    await (await jetstreamManager(client)).consumers.delete(DEFAULT_STREAM, consumerName(HUB));
    const second = await start();
    await until(
      () => sink.results.length >= 5,
      'both pages delivered again',
      15_000,
      () => lines,
    );
    await second.stop();
    assert.deepEqual(sink.results.slice(3), [0, 0]);
    assert.equal(cartridge.counts().events, 10);
    assert.deepEqual(refused, []);
  });

  it('a page ahead of the stored chain waits for the one before it instead of being refused', async () => {
    node.append(10);
    const js = jetstream(client);
    const h = headers();
    h.set('Fazt-Origin', 'test-hub-a');
    const subject = `${DEFAULT_PREFIX}.${node.id}`;
    await js.publish(subject, pageOf(node.batch(16, 20)), { msgID: 'page-20', headers: h });
    await js.publish(subject, pageOf(node.batch(11, 15)), { msgID: 'page-15', headers: h });
    const refused: NatsRefusal[] = [];
    const c = new NatsConsumer({
      js,
      jsm: await jetstreamManager(client),
      stream: DEFAULT_STREAM,
      prefix: DEFAULT_PREFIX,
      hubId: HUB,
      sink: new CartridgeSink(cartridge, crypto),
      onRefused: (r) => void refused.push(r),
      log: () => {},
    });
    await c.start();
    try {
      await until(() => cartridge.head(node.id)?.seq === 20, 'the chain to reach seq 20', 15_000);
    } finally {
      await c.stop();
    }
    assert.equal(cartridge.counts().events, 20);
    assert.deepEqual(refused, []);
  });
});
