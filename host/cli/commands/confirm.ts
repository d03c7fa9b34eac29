import type { PendingEffect } from '../../store/pending-effects.js';
import { type Command, UsageError } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';
import { table } from '../table.js';

const actionText = (e: PendingEffect) => `${e.action.output} ${e.action.op}${e.action.ms === undefined ? '' : ` ${e.action.ms} ms`}`;
const minutes = (ms: number) => `${Math.max(0, Math.ceil(ms / 60_000))} min`;

/**
 * `fazt confirm`: a person's answer to what an agent proposed over MCP
 * (README "Agents (MCP)"): the list of proposals waiting, and confirm (the
 * hub queues the command for the node) or decline one. An expired,
 * declined or unknown id is refused by the hub, and nothing runs.
 */
export const confirmCommand: Command = {
  name: 'confirm',
  summary: 'Confirm (or --decline) an action an AI agent proposed; --list shows those waiting',
  usage: 'fazt confirm <id> [--decline] | fazt confirm --list [--hub URL] [--json]',
  help: 'Confirming needs an admin token (the owner.token by default); listing, a read token.',
  args: '[id]',
  options: {
    list: { type: 'boolean', description: 'list the proposals waiting for you' },
    decline: { type: 'boolean', description: 'decline the proposal: it never runs' },
    ...HUB_OPTIONS,
  },
  run: async ({ positionals, values, out }) => {
    const id = positionals[0];
    if (values.list) {
      if (id !== undefined || values.decline) throw new UsageError('--list takes no id and no --decline');
      const r = await askHub<{ pending: PendingEffect[]; now: number }>(values, '/v1/effects/pending');
      if (values.json) out(`${JSON.stringify(r)}\n`);
      else if (r.pending.length === 0) out('No proposals waiting.\n');
      else {
        const rows = r.pending.map((e) => [e.id, e.node.slice(0, 12), actionText(e), e.reason, e.requestedBy.name, minutes(e.expiresAt - r.now)]);
        out(`${table(['ID', 'NODE', 'ACTION', 'REASON', 'ASKED BY', 'EXPIRES IN'], rows)}\n`);
      }
      return 0;
    }
    if (id === undefined) throw new UsageError('give the id of a proposal (fazt confirm --list shows them)');
    const path = values.decline ? '/v1/effects/decline' : '/v1/effects/confirm';
    const r = await askHub<{ effect: PendingEffect }>(values, path, { body: { id } });
    const e = r.effect;
    if (values.json) out(`${JSON.stringify(r)}\n`);
    else if (e.state === 'confirmed') out(`confirmed ${e.id}: ${actionText(e)} on ${e.node} (command ${e.command}, queued for the node's next poll)\n`);
    else out(`declined ${e.id}: ${actionText(e)} on ${e.node} will not run\n`);
    return 0;
  },
};
