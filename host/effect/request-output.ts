import type { ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { HubLog } from '../hub/hub-log.js';
import type { Intent } from '../rules/index.js';
import type { Cartridge } from '../store/cartridge.js';
import type { Command } from '../store/commands.js';

/** An output to drive on a node: the rule engine's output intent, whoever asks for it. */
export type OutputRequest = Omit<Intent & { kind: 'output' }, 'kind'>;

/**
 * The one way the hub asks a node to drive an output, for rules, Home
 * Assistant and confirmed agent requests alike: the command is queued for
 * the node's signed downlink and effect.requested goes on the hub's chain
 * with `why` (who asked, and the events behind it). The command is withdrawn
 * if its request cannot be appended, so nothing is sent that the chain does
 * not show. Throws (naming the node and pin) when the node declared no such
 * output; the caller records that as effect.failed.
 */
export function requestOutput(
  cartridge: Cartridge,
  hubLog: HubLog,
  a: OutputRequest,
  why: ValueMap,
  component = 'rules',
): { command: Command; request: EventEntry } {
  const commands = cartridge.commands;
  let output = a.output;
  if (output === undefined) output = commands.outputsOf(a.node).find((o) => o.pin === a.pin)?.name;
  if (output === undefined) throw new Error(`node ${a.node} declared no output on GPIO ${a.pin} at its last boot`);
  const action: ValueMap = { output, op: a.op };
  if (a.ms !== undefined) action.ms = a.ms;
  if (a.duty !== undefined) action.duty = a.duty;
  const command = commands.enqueue(a.node, action, { notAfterMs: a.notAfter });
  let request: EventEntry;
  try {
    request = hubLog.append('effect.requested', component, { ...why, node: a.node, command: command.id, action, notAfter: a.notAfter });
  } catch (e) {
    commands.withdraw(command.id); // never send a command whose request is not on the chain
    throw e;
  }
  commands.setCause(command.id, request.id);
  return { command, request };
}
