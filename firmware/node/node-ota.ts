import type { Value } from '../codec/value.js';
import type { NodeIdentity } from '../identity/node-id.js';
import { OtaUpdater } from '../ota/ota-updater.js';
import { hubKeys } from './node-config.js';
import type { NodeAppOptions } from './node-app-options.js';

/** What the updater needs of the running node. */
interface OtaNodeHooks {
  /** Appends an event to the chain; returns it (its seq is what the updater keeps). */
  record: (type: string, component: string, data: Value) => { seq: number };
  flush: () => void;
  /** Nothing recorded waits unsent or unacknowledged. */
  idle: () => boolean;
}

/** The node's OtaUpdater (firmware/ota/ota-updater.ts) when it has an OTA backend; undefined without one. */
export function nodeOtaUpdater(o: NodeAppOptions, identity: NodeIdentity, running: string, node: OtaNodeHooks): OtaUpdater | undefined {
  if (!o.ota) return undefined;
  return new OtaUpdater({
    identity,
    board: o.config.board,
    hubKey: hubKeys(o.config),
    crypto: o.crypto,
    ota: o.ota.backend,
    running,
    fetchChunk: o.transport.chunk?.bind(o.transport),
    timers: o.time,
    record: (type, component, data) => node.record(type, component, data).seq,
    flush: node.flush,
    idle: node.idle,
    restart: o.ota.restart,
    log: o.log,
  });
}
