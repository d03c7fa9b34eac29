import type { BacktestResult, Explanation, Firing, FiringDiff, Intent } from '../rules/index.js';
import type { RuleSummary } from '../effect/rule-service.js';
import { table } from './table.js';
import { momentText } from './moment-text.js';

/** What POST /v1/rules/test answers (host/hub/rules-test-api.ts). */
export interface TestAnswer extends BacktestResult {
  node: string | null;
  current: { version: string; enabled: boolean; firings?: number } | null;
  diff: FiringDiff | null;
}

const short = (version: string) => version.slice(0, 12);

/** Node ids as people named them, where the hub knows the name. */
export type NodeNames = ReadonlyMap<string, string>;

function actionText(a: Intent, names: NodeNames): string {
  switch (a.kind) {
    case 'output': {
      const target = a.output ?? `GPIO ${a.pin}`;
      const extra = a.op === 'pulse' ? ` ${a.ms} ms` : a.op === 'duty' ? ` ${a.duty}` : '';
      return `output ${names.get(a.node) ?? a.node} ${target} ${a.op}${extra}`;
    }
    case 'webhook':
      return `webhook POST ${a.url}`;
    case 'notify':
      return `notify ${a.level} ${JSON.stringify(a.message)}`;
    case 'emit':
      return `emit ${a.type}`;
  }
}

/** One line per firing: time, outcome, trigger, causes, actions. */
function firingLine(f: Firing, names: NodeNames): string {
  const causes = f.causes.length ? f.causes.join(',') : '-';
  const what = f.outcome === 'stopped' ? `stopped: ${f.reason ?? ''}` : f.actions.map((a) => actionText(a, names)).join('; ') || 'no actions';
  return `${momentText(f.at)}  ${f.outcome.padEnd(9)} trigger ${f.trigger}  causes ${causes}  → ${what}`;
}

/** `fazt rules test`: the firings, then the difference from the enabled version. */
export function testText(r: TestAnswer, names: NodeNames): string {
  const scope = r.node ? ` on ${names.get(r.node) ?? r.node} and the hub` : '';
  const lines = [
    `rule ${r.rule} (version ${short(r.version)}) over ${momentText(r.from)} … ${momentText(r.to)}${scope}: ${r.events} events read, ${r.firings.length} firing(s)`,
    ...r.firings.map((f) => firingLine(f, names)),
  ];
  if (!r.current) lines.push('no version of this rule on the hub: nothing to compare with');
  else if (!r.diff) lines.push(`the hub's version ${short(r.current.version)} is disabled: nothing to compare with`);
  else {
    const same = r.current.version === r.version ? ' (the same version)' : '';
    lines.push(
      `against the enabled version ${short(r.current.version)}${same}: ${r.diff.added.length} added, ${r.diff.removed.length} removed, ${r.diff.unchanged} unchanged`,
    );
    for (const f of r.diff.added) lines.push(`+ ${firingLine(f, names)}`);
    for (const f of r.diff.removed) lines.push(`- ${firingLine(f, names)}`);
  }
  return lines.join('\n');
}

/** `fazt rules explain`: the verdict, then each trigger, condition and the decisions that led there. */
export function explainText(x: Explanation & { enabled?: boolean; judged?: string }, names: NodeNames): string {
  const version = `version ${short(x.version)}${x.judged ? `, ${x.judged}` : ''}${x.enabled === false ? ', disabled' : ''}`;
  const lines = [`rule ${x.rule} (${version}) at ${momentText(x.at)}:`, `  ${x.verdict}`];
  lines.push('triggers:', ...x.triggers.map((t) => `  ${t.id} (${t.kind}, ${t.path}): ${t.state}`));
  if (x.conditions.length) lines.push('conditions:', ...x.conditions.map((c) => `  ${c.ok ? 'true ' : 'false'} ${c.path}: ${c.reason}`));
  if (x.fired.length) lines.push('firings:', ...x.fired.map((f) => `  ${firingLine(f, names)}`));
  if (x.decisions.length)
    lines.push(
      'decisions:',
      ...x.decisions.map((d) => `  ${momentText(d.at)} ${d.what} ${d.path}: ${d.message}${d.events.length ? ` [${d.events.join(',')}]` : ''}`),
    );
  return lines.join('\n');
}

export function listText(rules: readonly RuleSummary[]): string {
  if (rules.length === 0) return 'no rules on this hub (fazt rules add <rule.json>)';
  return table(
    ['ID', 'NAME', 'STATE', 'VERSION', 'FIRINGS', 'LAST FIRED'],
    rules.map((r) => [
      r.id,
      r.name,
      r.stopped ? 'stopped' : r.enabled ? 'enabled' : 'disabled',
      short(r.version),
      String(r.firings),
      momentText(r.lastFiredAt),
    ]),
  );
}

export function showText(r: RuleSummary): string {
  return [
    `rule     ${r.id}: ${r.name}`,
    `state    ${r.enabled ? 'enabled' : 'disabled'}${r.stopped ? `, stopped: ${r.stopped}` : ''}`,
    `version  ${r.version}`,
    `firings  ${r.firings} (last ${momentText(r.lastFiredAt)})`,
    JSON.stringify(r.document, null, 2),
  ].join('\n');
}
