import type { HubOptions } from '../hub/hub-options.js';
import { type OptionSpec, UsageError } from './command.js';
import { durationFlag } from './duration-flag.js';

/** The agent (MCP) flags of `fazt hub`. */
export const AGENT_FLAGS: Record<string, OptionSpec> = {
  'agent-confirm-within': {
    type: 'string',
    value: 'DURATION',
    description: "how long an agent's proposed action waits for fazt confirm before it expires unrun (default 10m)",
  },
};

/** The flags as HubOptions.agents; a mistake is a usage error naming the flag. */
export function agentFlags(values: Record<string, unknown>): Pick<HubOptions, 'agents'> {
  const within = values['agent-confirm-within'];
  if (typeof within !== 'string') return {};
  const ms = durationFlag(within, '--agent-confirm-within');
  if (ms < 1000) throw new UsageError(`--agent-confirm-within must be at least 1s, got ${within}`);
  return { agents: { confirmWithinMs: ms } };
}
