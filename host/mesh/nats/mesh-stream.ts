import type { JetStreamManager } from '@nats-io/jetstream';

/** A year: far longer than any partition, short enough that a forgotten mesh does not grow forever. */
const MAX_AGE_MS = 365 * 24 * 3600 * 1000;

/** The subject a chain's pages go on: `<prefix>.<node>` (a node id is one token: fz + base32). */
export function chainSubject(prefix: string, node: string): string {
  return `${prefix}.${node}`;
}

/**
 * Creates the mesh's stream if it is missing: one stream, a subject per
 * chain, file storage, limits retention with a year's max age, the server's
 * default duplicate window (Nats-Msg-Id is the checkpoint's head, so two hubs
 * publishing one checkpoint store it once within that window; beyond it, the
 * receiving hub's idempotent store makes a second copy harmless). Nothing
 * here needs nats-server 2.10 (no subject transforms, no multi-filter consumers).
 */
export async function ensureMeshStream(jsm: JetStreamManager, stream: string, prefix: string): Promise<string> {
  // Imported where used (already loaded by MeshNats), so the CLI's start never loads the NATS client.
  const [{ DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType }, { nanos }] = await Promise.all([
    import('@nats-io/jetstream'),
    import('@nats-io/transport-node'),
  ]);
  try {
    const info = await jsm.streams.info(stream);
    if (!info.config.subjects?.includes(`${prefix}.>`))
      throw new RangeError(`NATS stream ${stream} exists but does not hold ${prefix}.> (it holds ${info.config.subjects?.join(', ') || 'no subjects'})`);
    return info.created;
  } catch (e) {
    if (!(e instanceof JetStreamApiError) || e.status !== 404) throw e;
  }
  const made = await jsm.streams.add({
    name: stream,
    subjects: [`${prefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(MAX_AGE_MS),
  });
  return made.created;
}
