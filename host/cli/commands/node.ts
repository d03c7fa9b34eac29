import type { NodeSummary } from '../../store/nodes.js';
import { type Command, type OptionSpec, UsageError } from '../command.js';
import { callHub, HUB_OPTIONS, hubTarget } from '../hub-client.js';

const json: OptionSpec = { type: 'boolean', description: "print the hub's answer as JSON" };
const WHO = "Needs an admin token (found as `fazt token --help` says); the change is an event on the hub's own chain.";

function positional(positionals: string[], count: number, what: string): string[] {
  if (positionals.length !== count) throw new UsageError(`give ${what}`);
  return positionals;
}

async function change(values: Record<string, unknown>, path: string, body: Record<string, string>): Promise<NodeSummary> {
  return (await callHub<{ node: NodeSummary }>(hubTarget(values), path, 'POST', 10_000, body)).node;
}

const rename: Command = {
  name: 'rename',
  summary: 'Give a node the name people see (its id and key stay)',
  usage: 'fazt node rename <node> <name> [--hub URL] [--json]',
  help: `<node>: its id or its current name. ${WHO}`,
  args: '[node] [name]',
  options: { ...HUB_OPTIONS, json },
  run: async ({ positionals, values, out }) => {
    const [node, name] = positional(positionals, 2, 'the node (id or name) and its new name');
    const n = await change(values, '/v1/nodes/rename', { node, name });
    out(values.json ? `${JSON.stringify({ node: n })}\n` : `renamed ${n.id} to '${n.name}'\n`);
    return 0;
  },
};

const retire: Command = {
  name: 'retire',
  summary: 'Retire a node: its history stays, it is no longer expected to report',
  usage: 'fazt node retire <node> [--hub URL] [--json]',
  help: WHO,
  args: '[node]',
  options: { ...HUB_OPTIONS, json },
  run: async ({ positionals, values, out }) => {
    const [node] = positional(positionals, 1, 'exactly one node (id or name)');
    const n = await change(values, '/v1/nodes/retire', { node });
    out(values.json ? `${JSON.stringify({ node: n })}\n` : `retired ${n.id}${n.name ? ` '${n.name}'` : ''}\n`);
    return 0;
  },
};

const revoke: Command = {
  name: 'revoke',
  summary: "Revoke a lost or stolen node's key: its batches and polls are refused from now on",
  usage: 'fazt node revoke <node> [--hub URL] [--json]',
  help: `${WHO} To bring the board back, give it a new key and enrol it again.`,
  args: '[node]',
  options: { ...HUB_OPTIONS, json },
  run: async ({ positionals, values, out }) => {
    const [node] = positional(positionals, 1, 'exactly one node (id or name)');
    const n = await change(values, '/v1/nodes/revoke', { node });
    out(values.json ? `${JSON.stringify({ node: n })}\n` : `revoked ${n.id}${n.name ? ` '${n.name}'` : ''}: its key is refused from now on\n`);
    return 0;
  },
};

export const nodeCommand: Command = {
  name: 'node',
  summary: 'Rename, retire or revoke an enrolled node',
  usage: 'fazt node rename|retire|revoke',
  subcommands: [rename, retire, revoke],
};
