import { table } from './table.js';

/** What `fazt pulse` prints from, as GET /v1/pulse answers it (or a stored beat, with --data). */
export interface PulseView {
  status: string;
  at: number | null;
  next?: number | null;
  text: string;
  phrased?: { text: string; model: string } | { error: string } | null;
  issues: { check: string; name: string; status: string; since: number; text?: string; fix?: string; title: string }[];
  unknown: { check: string; name: string; title: string }[];
  nodes: { name: string; status?: string; figures: Record<string, number> }[];
}

export interface PulseHistory {
  beats: { id: string; at: number; status: string; counts?: Record<string, number> }[];
  changes: { id: string; at: number; check: string; name: string; from: string; to: string; text?: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function ago(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/** The answer for a person: the status line, the paragraph, the issues by severity, the unknown checks named, the nodes. */
export function pulseText(v: PulseView): string {
  const head = v.at === null ? `Pulse: ${v.status} (no beat yet)` : `Pulse: ${v.status} (beat at ${iso(v.at)})`;
  const out = [head, '', v.text];
  if (v.phrased && 'text' in v.phrased) out.push('', `In the words of ${v.phrased.model}:`, v.phrased.text);
  if (v.issues.length)
    out.push(
      '',
      table(
        ['STATUS', 'CHECK', 'ON', 'SINCE', 'WHAT', 'FIX'],
        v.issues.map((i) => [i.status, i.check, i.name, iso(i.since), i.text ?? i.title, i.fix ?? '']),
      ),
    );
  if (v.unknown.length) out.push('', `Cannot judge (no data): ${v.unknown.map((u) => `${u.title} (${u.name})`).join(', ')}`);
  if (v.nodes.length)
    out.push(
      '',
      table(
        ['NODE', 'STATUS', 'LAST HEARD', 'FREE HEAP', 'RSSI'],
        v.nodes.map((n) => [
          n.name,
          n.status ?? '-',
          ago(n.figures.lastSeenMs),
          n.figures.freeHeap === undefined ? '-' : `${n.figures.freeHeap} B`,
          n.figures.rssi === undefined ? '-' : `${n.figures.rssi} dBm`,
        ]),
      ),
    );
  return `${out.join('\n')}\n`;
}

/** Beats and changes in time order, one line each. */
export function historyText(h: PulseHistory): string {
  const lines: [number, string][] = [
    ...h.beats.map((b): [number, string] => [
      b.at,
      `${iso(b.at)}  beat    ${b.status}${b.counts ? ` (${b.counts.critical ?? 0} critical, ${b.counts.degraded ?? 0} degraded)` : ''}`,
    ]),
    ...h.changes.map((c): [number, string] => [c.at, `${iso(c.at)}  change  ${c.name}: ${c.check} ${c.from} → ${c.to}${c.text ? ` — ${c.text}` : ''}`]),
  ];
  if (lines.length === 0) return 'no beats in that time\n';
  return `${lines
    .sort((a, b) => a[0] - b[0])
    .map((l) => l[1])
    .join('\n')}\n`;
}
