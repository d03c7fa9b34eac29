import type { ValueMap } from '../../firmware/codec/value.js';
import type { CommandOp } from '../../firmware/uplink/command-action.js';
import { requestOutput } from '../effect/request-output.js';
import type { HubLog } from '../hub/hub-log.js';
import type { Cartridge } from '../store/cartridge.js';

/** The largest command payload taken (HA sends ON or OFF); anything longer is refused unread. */
const MAX_COMMAND_BYTES = 64;

export interface HaCommandParts {
  cartridge: Cartridge;
  hubLog: HubLog;
  /** The topic root (commands arrive on `<root>/<node>/<output>/set`). */
  root: string;
  clock: () => number;
  commandTtlMs: number;
  log: (record: Record<string, unknown>) => void;
}

/**
 * A command Home Assistant published for an output: checked (size, form,
 * a retained message is stale and never acted on, a node in service that
 * declared the output at its last boot), then asked of the node through
 * requestOutput with why = {source: 'homeassistant', topic}. A refusal is
 * a log record naming the topic and what was wrong; a request the hub
 * could not queue is also effect.failed on the hub's chain. Never throws.
 */
export function handleHaCommand(p: HaCommandParts, topic: string, payload: Uint8Array, retained: boolean): void {
  const refuse = (reason: string) => p.log({ level: 'warn', code: 'mqtt-command-refused', topic, reason });
  if (retained) return refuse('a retained command is stale (it was published before this hub subscribed); publish it without retain');
  if (payload.byteLength > MAX_COMMAND_BYTES) return refuse(`payload of ${payload.byteLength} bytes is over the ${MAX_COMMAND_BYTES}-byte limit`);
  const levels = topic.slice(p.root.length + 1).split('/');
  if (!topic.startsWith(`${p.root}/`) || levels.length !== 3 || levels[2] !== 'set') return refuse(`not a command topic ${p.root}/<node>/<output>/set`);
  const [node, output] = levels;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(payload).trim();
  const op: CommandOp | undefined = text === 'ON' ? 'on' : text === 'OFF' ? 'off' : undefined;
  if (!op) return refuse(`payload ${JSON.stringify(text.slice(0, MAX_COMMAND_BYTES))} is not ON or OFF`);
  const n = p.cartridge.nodeSummary(node);
  if (!n) return refuse(`no node ${node} is enrolled on this hub`);
  if (n.retiredAt !== null || n.revokedAt !== null) return refuse(`node ${node} is ${n.revokedAt !== null ? 'revoked' : 'retired'}`);
  if (!p.cartridge.commands.outputsOf(node).some((o) => o.name === output)) return refuse(`node ${node} declared no output '${output}' at its last boot`);
  const why: ValueMap = { source: 'homeassistant', topic };
  try {
    const { command } = requestOutput(p.cartridge, p.hubLog, { node, output, op, notAfter: Math.floor(p.clock()) + p.commandTtlMs }, why, 'mqtt');
    p.log({ code: 'mqtt-command', topic, node, output, op, command: command.id });
  } catch (e) {
    const reason = (e as Error)?.message ?? String(e);
    p.log({ level: 'error', code: 'mqtt-command-failed', topic, node, output, reason });
    try {
      p.hubLog.append('effect.failed', 'mqtt', { ...why, reason: reason.slice(0, 2000), node, action: { output, op } });
    } catch (e2) {
      p.log({ level: 'error', code: 'mqtt-command-failed', topic, reason: `effect.failed not recorded: ${(e2 as Error)?.message ?? String(e2)}` });
    }
  }
}
