import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, usernamePasswordAuthenticator } from '@nats-io/transport-node';
import type { Batch } from '../../firmware/batch/batch.js';
import type { Hub } from '../../host/hub/hub.js';
import type { MeshNatsOptions } from '../../host/mesh/nats/nats-options.js';
import { encodeBundle } from '../../host/store/bundle-format.js';
import type { NatsServer } from '../helpers/nats-server.js';

/** The hub options for the server's password user or its nkey user (credential files written into the server's temp dir). */
export function natsAuth(server: NatsServer, how: 'password' | 'nkey'): MeshNatsOptions {
  if (how === 'password') {
    const passwordFile = join(server.dir, 'password');
    writeFileSync(passwordFile, `${server.users.password}\n`, { mode: 0o600 });
    return { url: server.url, user: server.users.user, passwordFile };
  }
  const nkeyFile = join(server.dir, 'nkey.seed');
  writeFileSync(nkeyFile, `${server.users.nkeySeed}\n`, { mode: 0o600 });
  return { url: server.url, nkeyFile };
}

/** A plain client of the test's own (the password user): for publishing straight to the stream and reading consumers. */
export async function testClient(server: NatsServer): Promise<NatsConnection> {
  return connect({ servers: server.url, authenticator: usernamePasswordAuthenticator(server.users.user, server.users.password) });
}

/** A batch as a one-checkpoint page, the way a publisher sends it. */
export function pageOf(b: Batch): Uint8Array {
  const checkpoint = { first: b.first, last: b.last, head: b.head, sig: b.sig, ...(b.dropped ? { dropped: b.dropped } : {}) };
  return encodeBundle({ node: b.node, key: b.key, first: b.entries[0].seq, last: b.last, checkpoints: [checkpoint], entries: b.entries });
}

/** A chain's stored state on a hub: head and every entry's id (its digest). */
export function chainState(hub: Hub, node: string): { head: unknown; ids: string[] } {
  return { head: hub.cartridge.head(node), ids: [...hub.cartridge.chain(node)].map((e) => e.id) };
}

/** The durable consumer's pending counts (nothing left to deliver or to acknowledge: both 0). */
export async function consumerPending(nc: NatsConnection, stream: string, name: string): Promise<{ pending: number; unacked: number }> {
  const info = await (await jetstreamManager(nc)).consumers.info(stream, name);
  return { pending: info.num_pending, unacked: info.num_ack_pending };
}
