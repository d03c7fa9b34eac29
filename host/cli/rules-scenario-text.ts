import { type JsonValue, toJsonValue } from '../../firmware/codec/json-form.js';
import type { EventEntry } from '../../firmware/event/envelope.js';

/** An output pin's level changed (null: not driven yet), seen at the end of a simulated step. */
export interface PinChange {
  at: number;
  node: string;
  output: string;
  pin: number;
  from: 0 | 1 | null;
  to: 0 | 1 | null;
}

/** What the report needs of a scenario node. */
interface ScenarioNode {
  spec: { name: string };
  node: { id: string };
  outputs: readonly { name: string; level: 0 | 1 | null }[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const component = (e: EventEntry) => e.source.slice(e.source.indexOf('/') + 1);

/** `fazt rules test --scenario`: the hub's and nodes' events about the rule, and the pins, as lines in time order. */
export function eventJson(e: EventEntry): { at: number; type: string; source: string; id: string; data: JsonValue } {
  return { at: e.time, type: e.type, source: e.source, id: e.id, data: toJsonValue(e.data) };
}

function eventText(e: ReturnType<typeof eventJson>, names: Map<string, string>): string {
  const d = e.data as Record<string, JsonValue>;
  const who = names.get(e.source.slice(0, e.source.indexOf('/'))) ?? 'hub';
  switch (e.type) {
    case 'system.rule.fired':
      return `fired     rule ${String(d.rule)} trigger ${String(d.trigger)}  causes ${(d.causes as string[]).join(',')}`;
    case 'system.rule.stopped':
      return `stopped   rule ${String(d.rule)}: ${String(d.reason)}`;
    case 'effect.requested': {
      const a = d.action as Record<string, JsonValue>;
      return `requested ${names.get(String(d.node)) ?? String(d.node)} ${String(a.output)} ${String(a.op)} (command ${String(d.command)})`;
    }
    case 'effect.notify':
      return `notify    ${JSON.stringify(d.message)}`;
    case 'effect.applied':
      return `applied   ${who} ${String(d.output)} ${String(d.op)}, read back ${JSON.stringify(d.value)} (command ${String(d.command)}, signed by the node)`;
    default:
      return `${e.type.slice('effect.'.length).padEnd(9)} ${who} ${component(e as unknown as EventEntry)} ${JSON.stringify(d)}`;
  }
}

export function scenarioText(
  r: {
    scenario: string;
    from: number;
    to: number;
    runtime: string;
    rule: { id: string; version: string };
    events: ReturnType<typeof eventJson>[];
    pins: PinChange[];
  },
  rigs: readonly ScenarioNode[],
): string {
  const names = new Map(rigs.map((x) => [x.node.id, x.spec.name]));
  const lines = [
    `scenario ${r.scenario}: ${rigs.map((x) => x.spec.name).join(', ')} (firmware in ${r.runtime === 'xs' ? 'XS' : r.runtime}), ${iso(r.from)} … ${iso(r.to)}; rule ${r.rule.id} (version ${r.rule.version.slice(0, 12)})`,
  ];
  const rows = [
    ...r.events.map((e) => ({ at: e.at, text: eventText(e, names) })),
    ...r.pins
      .filter((p) => p.from !== null || p.to !== null)
      .map((p) => ({ at: p.at, text: `pin       ${p.node} ${p.output} (GPIO ${p.pin}) ${p.from ?? '-'} → ${p.to ?? '-'}` })),
  ].sort((a, b) => a.at - b.at);
  for (const row of rows) lines.push(`${iso(row.at)}  ${row.text}`);
  const fired = r.events.filter((e) => e.type === 'system.rule.fired').length;
  const applied = r.events.filter((e) => e.type === 'effect.applied').length;
  const final = rigs.flatMap((x) => x.outputs.map((o) => `${x.spec.name}/${o.name}=${o.level ?? '-'}`));
  lines.push(
    `${fired} firing(s), ${applied} command(s) applied on the nodes${final.length ? `; pins at the end: ${final.join(', ')}` : '; the scenario has no outputs'}`,
  );
  return lines.join('\n');
}
