/**
 * The shapes Pulse passes between its parts: what a beat collects (the
 * figures), how a check judged them (verdicts) and what changed (transitions).
 * Plain data, so a beat can be stored on the hub's chain as it is.
 */

/** A check's status. `unknown`: no data, which is not healthy. */
export type PulseStatus = 'unknown' | 'healthy' | 'degraded' | 'critical';

/** Worse first when sorted by this. */
export const STATUS_RANK: Record<PulseStatus, number> = { unknown: 0, healthy: 1, degraded: 2, critical: 3 };

/** A node as a beat saw it. */
export interface NodeFigures {
  /** The node's name (its id when it has none). */
  name: string;
  /** Numbers by metric name (README "Pulse" lists them); an absent key is no data. */
  figures: Record<string, number>;
  /** Words by name: firmware, board, resetReason; absent when unknown. */
  facts: Record<string, string>;
  /** Each sensor's lifecycle state from its latest sensor.state (e.g. ok, unplugged, degraded, failed), with the hub's time of that change. */
  sensors: Record<string, { state: string; since: number; reason?: string }>;
}

/** Everything one beat collected, at the hub's clock `at`. */
export interface PulseMetrics {
  at: number;
  /** The hub's own figures (ingest, store, disk, process, Timekeeper, Beacon, rules); absent key = no data. */
  hub: Record<string, number>;
  /** The hub's words: version. */
  hubFacts: Record<string, string>;
  /** By node id. */
  nodes: Record<string, NodeFigures>;
}

/** One check on one subject: 'hub', or a node id. */
export interface Verdict {
  check: string;
  subject: string;
  /** The subject's name as people read it (the node's name; 'the hub'). */
  name: string;
  status: PulseStatus;
  /** The windowed value the status was judged on; absent when unknown. */
  value?: number;
  /** The hub's clock when the status became what it is. */
  since: number;
  /** The check's title, its text rendered for this subject (when not healthy) and its fix hint. */
  title: string;
  text?: string;
  fix?: string;
  /** Where to read more: a URL or a README anchor. */
  learnMore?: string;
}

/** A status change of one check on one subject. */
export interface Transition {
  check: string;
  subject: string;
  name: string;
  from: PulseStatus;
  to: PulseStatus;
  value?: number;
  at: number;
  title: string;
  text?: string;
  fix?: string;
  learnMore?: string;
}

/** A beat's verdict on everything. */
export interface Judgement {
  at: number;
  /** The worst known status; unknown only when no check knows anything. */
  status: PulseStatus;
  verdicts: Verdict[];
  transitions: Transition[];
}
