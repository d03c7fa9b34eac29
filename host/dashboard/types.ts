/** The API's documents as the page reads them (README "Hub API"). */

export interface NodeSummary {
  id: string;
  kind: string;
  name: string | null;
  board: string | null;
  enrolledAt: number;
  headSeq: number;
  lastEventTime: number | null;
  eventCount: number;
  dropped: number;
  /** The seq at which the mesh saw the node fork (two validly signed histories); null while it has not. */
  forkedAt?: number | null;
}

/** One of the hub's BTHome devices, as GET /v1/nodes lists it under `bleDevices`. */
export interface BleDeviceSummary {
  mac: string;
  name: string | null;
  component: string;
  /** The hub's id: the chain its readings are on. */
  hub: string;
  state: string | null;
  stateSince: number | null;
  lastHeard: number | null;
}

export interface EventEntry {
  id: string;
  type: string;
  source: string;
  time: number;
  seq: number;
  data: Record<string, unknown>;
}

export interface PulseNode {
  id: string;
  name: string | null;
  status: string;
  figures: Record<string, number | null>;
  facts?: Record<string, string>;
  sensors: Record<string, { state: string; since: number; reason: string }>;
}

export interface PulseAnswer {
  status: string;
  at: number | null;
  next: number | null;
  everyMs: number;
  text: string;
  issues: { check: string; severity: string; status?: string; subject?: string; message?: string; text?: string }[];
  hub?: Record<string, number>;
  nodes: PulseNode[];
}

/** The node id of an event's source (`<node>/<component>`). */
export const nodeOf = (source: string): string => source.split('/')[0];
export const componentOf = (source: string): string => source.split('/').slice(1).join('/');
