import type { JsonValue } from '../../firmware/codec/json-form.js';

/** What a simulated node reports after each run(until). */
export interface NodeStatus {
  head: number;
  buffered: number;
  bufferBytes: number;
  dropped: number;
  uplink: { sent: number; acked: number; failures: number; refusals: number; bytes: number };
  events: { seq: number; time: number; type: string; component: string; data: JsonValue }[];
}

/** A node in the simulator, whichever engine runs its firmware (XS, or Node as the fallback). */
export interface SimulatedNode {
  readonly name: string;
  readonly id: string;
  readonly runtime: 'xs' | 'node';
  /** Runs the node's firmware up to `until` (simulated ms since the epoch). */
  run(until: number): Promise<{ status: NodeStatus }>;
  close(): Promise<void>;
}
