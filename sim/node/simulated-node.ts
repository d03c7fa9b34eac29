import type { JsonValue } from '../../firmware/codec/json-form.js';
import type { EventClock } from '../../firmware/event/envelope.js';
import type { HubClockStatus } from '../../firmware/node/hub-clock.js';

/** What a simulated node reports after each run(until). */
export interface NodeStatus {
  head: number;
  buffered: number;
  bufferBytes: number;
  dropped: number;
  uplink: { sent: number; acked: number; failures: number; refusals: number; bytes: number; rewinds: number };
  /** What the node recorded since the last run; `clock` is the event's own (absent when it has none). */
  events: { seq: number; time: number; clock?: EventClock; type: string; component: string; data: JsonValue }[];
  /** Where the node's timestamps come from and how far the hub's clock was from them. */
  clock: HubClockStatus;
  /** The downlink since boot: answers verified and refused, command outcomes, duplicates skipped, the highest command seq, polls sent. */
  downlink?: DownlinkStatus;
}

interface DownlinkStatus {
  verified: number;
  refused: number;
  applied: number;
  failed: number;
  expired: number;
  duplicates: number;
  lastSeq: number;
  polls: number;
}

/**
 * What a sample on request did: the sensors sampled, when (the node's event
 * clock), the seqs the node recorded meanwhile and how many events it has
 * not yet had acknowledged.
 */
export interface SampleResult {
  sampled: string[];
  at: number;
  from: number;
  to: number;
  unsent: number;
}

/** A node in the simulator, whichever engine runs its firmware (XS, or Node as the fallback). */
export interface SimulatedNode {
  readonly name: string;
  readonly id: string;
  readonly runtime: 'xs' | 'node';
  /** Runs the node's firmware up to `until` (simulated ms since the epoch). */
  run(until: number): Promise<{ status: NodeStatus }>;
  /** The world changed at `at` (ms since the epoch): runs the node there and has `sensors` sample at once (NodeApp.sampleNow). */
  sampleNow(sensors: string[], at: number): Promise<SampleResult>;
  close(): Promise<void>;
}
