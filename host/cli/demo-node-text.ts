import type { JsonValue } from '../../firmware/codec/json-form.js';
import { readingText } from './reading-text.js';

/** What `fazt start` shows of a running node's counters (sim/node/simulated-node.ts NodeStatus). */
interface NodeCounts {
  head: number;
  buffered: number;
  uplink: { sent: number; acked: number; failures: number };
}

/** The line `fazt start` prints every few seconds for a node: its latest readings and its uplink's counters. */
export function nodeSummaryText(status: NodeCounts, latest: Map<string, string>): string {
  const parts = [...latest.values()].join(', ');
  return `${parts || 'starting…'} | seq ${status.head}, ${status.buffered} unsent, ${status.uplink.acked}/${status.uplink.sent} batches acked${status.uplink.failures ? `, ${status.uplink.failures} failed` : ''}`;
}

/**
 * A node's event as `fazt start` tells it: a reading updates `latest` (shown in the summary) and
 * prints nothing; a sensor's event or state change is a line of its own; anything else is silent.
 */
export function nodeEventText(
  name: string,
  e: { time: number; type: string; component: string; data: JsonValue },
  latest: Map<string, string>,
): string | undefined {
  const d = e.data as Record<string, JsonValue>;
  const at = `${new Date(e.time).toISOString().slice(11, 19)} ${name.padEnd(11)} ${e.component}`;
  if (e.type === 'sensor.reading') {
    const unit = typeof d.unit === 'string' ? d.unit : undefined;
    latest.set(`${e.component}/${String(d.name)}`, readingText({ name: String(d.name), value: d.value, unit }));
  } else if (e.type === 'sensor.event') return `${at}: ${String(d.type)}\n`;
  else if (e.type === 'sensor.state') return `${at}: ${String(d.from)} → ${String(d.to)} (${String(d.reason)})\n`;
  return undefined;
}
