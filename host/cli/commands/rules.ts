import { readFileSync } from 'node:fs';
import { FaztError } from '../../../hal/contracts/errors.js';
import type { Explanation } from '../../rules/index.js';
import { plainSystemError } from '../../system-error.js';
import { type Command, UsageError } from '../command.js';
import { askHub, callHub, HUB_OPTIONS, type HubTarget, hubTarget } from '../hub-client.js';
import { momentFlag } from '../moment-flag.js';
import { SCENARIO_FLAGS, scenarioTest } from './rules-scenario.js';
import type { RuleSummary } from '../../effect/rule-service.js';
import { explainText, listText, type NodeNames, showText, type TestAnswer, testText } from '../rules-text.js';

/** A rule document from a JSON file; a missing file or bad JSON is one sentence naming the file. */
function readRuleFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FaztError('io', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (plainSystemError(e) ?? (e as Error).message)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FaztError('malformed-json', `${file} is not JSON: ${(e as Error).message}`);
  }
}

const WHO = 'Rules are the owner\'s: reading them needs a token of scope read, changing them one of scope admin (README "Access: owner only").';

async function nodeNames(base: HubTarget): Promise<NodeNames> {
  const { nodes } = await callHub<{ nodes: { id: string; name: string | null }[] }>(base, '/v1/nodes');
  return new Map(nodes.filter((n) => n.name !== null).map((n) => [n.id, n.name as string]));
}

function one(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`give exactly one ${what}`);
  return positionals[0];
}

const add: Command = {
  name: 'add',
  summary: 'Add a rule, or change the one with its id (checked first: errors name the path)',
  usage: 'fazt rules add <rule.json> [--hub URL] [--json]',
  help: `The document is described by schemas/rule.schema.json (examples in the README, "Rules").\n${WHO}`,
  args: '[file]',
  options: HUB_OPTIONS,
  run: async ({ positionals, values, out }) => {
    const doc = readRuleFile(one(positionals, 'rule file'));
    const r = await askHub<{ change: string; rule: RuleSummary }>(values, '/v1/rules', { body: doc });
    out(
      values.json
        ? `${JSON.stringify(r)}\n`
        : `${r.change} ${r.rule.id} (version ${r.rule.version.slice(0, 12)}, ${r.rule.enabled ? 'enabled' : 'disabled'})\n`,
    );
  },
};

const list: Command = {
  name: 'list',
  summary: 'The rules on the hub: state, version, firings',
  usage: 'fazt rules list [--hub URL] [--json]',
  options: HUB_OPTIONS,
  run: async ({ values, out }) => {
    const r = await askHub<{ rules: RuleSummary[] }>(values, '/v1/rules');
    out(values.json ? `${JSON.stringify(r)}\n` : `${listText(r.rules)}\n`);
  },
};

const show: Command = {
  name: 'show',
  summary: 'One rule: its state, version, firings and document',
  usage: 'fazt rules show <id> [--hub URL] [--json]',
  args: '[id]',
  options: HUB_OPTIONS,
  run: async ({ positionals, values, out }) => {
    const id = one(positionals, 'rule id');
    const r = await askHub<RuleSummary>(values, `/v1/rules?id=${encodeURIComponent(id)}`);
    out(values.json ? `${JSON.stringify(r)}\n` : `${showText(r)}\n`);
  },
};

function change(verb: 'enable' | 'disable' | 'remove', summary: string): Command {
  return {
    name: verb,
    summary,
    usage: `fazt rules ${verb} <id> [--hub URL] [--json]`,
    help: `The change is an event on the hub's own signed chain (system.rule.${verb}d).\n${WHO}`,
    args: '[id]',
    options: HUB_OPTIONS,
    run: async ({ positionals, values, out }) => {
      const id = one(positionals, 'rule id');
      const r = await askHub<{ rule?: RuleSummary; removed?: string }>(values, `/v1/rules/${verb}`, { body: { id } });
      out(values.json ? `${JSON.stringify(r)}\n` : `${verb === 'remove' ? 'removed' : `${verb}d`} ${r.removed ?? r.rule?.id ?? id}\n`);
    },
  };
}

const test: Command = {
  name: 'test',
  summary: 'Replay a rule over the stored log (or a simulated scenario): when it would have fired, why, and what it would have done',
  usage: 'fazt rules test <rule.json> --since 7d [--until TIME] [--node ID] [--hub URL] [--json] | --scenario FILE [--duration 24h] [--runtime xs|node]',
  help: [
    'Against the hub (--since): the rule replayed over the stored log on a virtual clock, as the live engine',
    'would have run it (events before --since build its state; firings in [since, until) are reported), one',
    'line per firing (time, trigger, causing event ids, actions), then the difference from the enabled version',
    "of the rule with the same id. TIME: an ISO time with its zone or a duration ago on the hub's clock (7d, 2h).",
    '',
    "With --scenario: a real hub in a temp folder, the scenario's boards as simulated nodes (firmware in XS),",
    'the rule enabled on it, run for --duration of simulated time: the firings and each output pin over time',
    '(firmware → uplink → hub → rule → command → downlink → pin).',
  ].join('\n'),
  args: '[file]',
  options: {
    since: { type: 'string', value: 'TIME', description: 'report firings from this time (ISO, or a duration ago: 7d)' },
    until: { type: 'string', value: 'TIME', description: "report firings before this time (default: the hub's now)" },
    node: { type: 'string', value: 'ID', description: "replay only this node's events (and the hub's own)" },
    ...SCENARIO_FLAGS,
    ...HUB_OPTIONS,
  },
  run: async ({ positionals, values, out, err }) => {
    const doc = readRuleFile(one(positionals, 'rule file'));
    if (typeof values.scenario === 'string') {
      for (const f of ['since', 'until', 'node', 'hub'])
        if (values[f] !== undefined) throw new UsageError(`--${f} is for a test against a hub; --scenario runs its own`);
      return scenarioTest(doc, values, out, err);
    }
    if (values.duration !== undefined || values.runtime !== undefined) throw new UsageError('--duration and --runtime go with --scenario');
    if (typeof values.since !== 'string') throw new UsageError('give --since (e.g. 7d) to test against the hub, or --scenario FILE');
    const base = hubTarget(values);
    const { now } = await callHub<{ now: number }>(base, '/v1/time/status');
    const body: Record<string, unknown> = { rule: doc, since: momentFlag(values.since, '--since', now) };
    if (typeof values.until === 'string') body.until = momentFlag(values.until, '--until', now);
    if (typeof values.node === 'string') body.node = values.node;
    const r = await callHub<TestAnswer>(base, '/v1/rules/test', { body, timeoutMs: 600_000 });
    out(values.json ? `${JSON.stringify(r)}\n` : `${testText(r, await nodeNames(base))}\n`);
  },
};

const explain: Command = {
  name: 'explain',
  summary: 'Why a rule fired at a time, or why not: the condition that was false, where a for: window broke, by which event',
  usage: 'fazt rules explain <rule-id> --at TIME [--hub URL] [--json]',
  help: "TIME: an ISO time with its zone (2026-01-05T08:00Z) or a duration ago on the hub's clock (2h). The answer\ncomes from the stored log alone: the same whenever it is asked.",
  args: '[id]',
  options: { at: { type: 'string', value: 'TIME', description: 'the moment to explain (ISO, or a duration ago: 2h)' }, ...HUB_OPTIONS },
  run: async ({ positionals, values, out }) => {
    const id = one(positionals, 'rule id');
    if (typeof values.at !== 'string') throw new UsageError('give --at TIME (e.g. 2h or 2026-01-05T08:00Z)');
    const base = hubTarget(values);
    const { now } = await callHub<{ now: number }>(base, '/v1/time/status');
    const at = momentFlag(values.at, '--at', now);
    const r = await callHub<Explanation & { enabled: boolean; judged: string }>(base, `/v1/rules/explain?id=${encodeURIComponent(id)}&at=${at}`, {
      timeoutMs: 600_000,
    });
    out(values.json ? `${JSON.stringify(r)}\n` : `${explainText(r, await nodeNames(base))}\n`);
  },
};

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'Rules on the hub: add, list, show, enable, disable, remove; test one before it runs, ask why',
  usage: 'fazt rules <add|list|show|enable|disable|remove|test|explain> [options]',
  subcommands: [
    add,
    list,
    show,
    change('enable', 'Enable a rule (its state starts afresh from the log)'),
    change('disable', 'Disable a rule'),
    change('remove', 'Remove a rule'),
    test,
    explain,
  ],
};
