import type { NodeSummary } from '../../store/nodes.js';
import { type Command, UsageError } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { nodeCheckCommand } from './node-check.js';
import { nodeInitCommand } from './node-init.js';

const WHO = "Needs an admin token (found as `fazt token --help` says); the change is an event on the hub's own chain.";

/** The node's id, and its name when it has one. */
const named = (n: NodeSummary) => `${n.id}${n.name ? ` '${n.name}'` : ''}`;

/**
 * `fazt node <verb>`: posts the positionals, named `fields`, to
 * /v1/nodes/<verb> and prints the node as the hub answers it (`done` says
 * what happened, or --json prints it whole).
 */
function nodeChange(
  verb: 'rename' | 'retire' | 'revoke',
  spec: { summary: string; help: string; fields: readonly string[]; want: string; done: (n: NodeSummary) => string },
): Command {
  return {
    name: verb,
    summary: spec.summary,
    usage: `fazt node ${verb} ${spec.fields.map((f) => `<${f}>`).join(' ')} [--hub URL] [--json]`,
    help: spec.help,
    args: spec.fields.map((f) => `[${f}]`).join(' '),
    options: HUB_OPTIONS,
    run: async ({ positionals, values, out }) => {
      if (positionals.length !== spec.fields.length) throw new UsageError(`give ${spec.want}`);
      const body = Object.fromEntries(spec.fields.map((f, i) => [f, positionals[i]]));
      const { node } = await askHub<{ node: NodeSummary }>(values, `/v1/nodes/${verb}`, { body });
      out(values.json ? `${JSON.stringify({ node })}\n` : `${spec.done(node)}\n`);
      return 0;
    },
  };
}

export const nodeCommand: Command = {
  name: 'node',
  summary: 'Make and check a node configuration; rename, retire or revoke an enrolled node',
  usage: 'fazt node init|check|rename|retire|revoke',
  subcommands: [
    nodeInitCommand,
    nodeCheckCommand,
    nodeChange('rename', {
      summary: 'Give a node the name people see (its id and key stay)',
      help: `<node>: its id or its current name. ${WHO}`,
      fields: ['node', 'name'],
      want: 'the node (id or name) and its new name',
      done: (n) => `renamed ${n.id} to '${n.name}'`,
    }),
    nodeChange('retire', {
      summary: 'Retire a node: its history stays, it is no longer expected to report',
      help: WHO,
      fields: ['node'],
      want: 'exactly one node (id or name)',
      done: (n) => `retired ${named(n)}`,
    }),
    nodeChange('revoke', {
      summary: "Revoke a lost or stolen node's key: its batches and polls are refused from now on",
      help: `${WHO} To bring the board back, give it a new key and enrol it again.`,
      fields: ['node'],
      want: 'exactly one node (id or name)',
      done: (n) => `revoked ${named(n)}: its key is refused from now on`,
    }),
  ],
};
