import { checkInt, checkObject, checkOneOf } from '../../hal/contracts/check-options.js';

/**
 * What a command asks of one of a node's outputs: the hub checks it when it
 * queues the command (host/store/commands.ts), the node again before it
 * acts (firmware/node/node-outputs.ts). `output` is the name of a sensor in
 * the node configuration whose driver is an output driver.
 */
export type CommandOp = 'on' | 'off' | 'toggle' | 'pulse' | 'duty';
const COMMAND_OPS: readonly CommandOp[] = ['on', 'off', 'toggle', 'pulse', 'duty'];

export interface CommandAction {
  output: string;
  op: CommandOp;
  /** pulse: how long the output stays on (ms). */
  ms?: number;
  /** duty: the PWM duty cycle, 0..1. */
  duty?: number;
}

/** The output drivers (hal/drivers) and the ops each can carry out; no driver offers a PWM duty yet. */
export const OUTPUT_DRIVERS: Readonly<Record<string, readonly CommandOp[]>> = {
  'digital-output': ['on', 'off', 'toggle', 'pulse'],
  buzzer: ['on', 'off', 'toggle', 'pulse'],
};

/** The node-config pattern of a sensor name. */
const OUTPUT_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
const MAX_PULSE_MS = 86_400_000;
const FIELDS = ['output', 'op', 'ms', 'duty'];

/**
 * An action checked and copied to its own fields. A caller mistake throws
 * TypeError or RangeError naming the field (`where` prefixes it).
 */
export function checkAction(v: unknown, where = 'action'): CommandAction {
  checkObject(where, v);
  if (Array.isArray(v)) throw new TypeError(`${where} must be an object {output, op, ms?, duty?}, got an array`);
  for (const k in v) if (FIELDS.indexOf(k) < 0) throw new TypeError(`${where}.${k} is not a field of an action (output, op, ms, duty)`);
  if (typeof v.output !== 'string' || !OUTPUT_NAME.test(v.output))
    throw new TypeError(`${where}.output must name an output (a sensor name of the node configuration), got ${JSON.stringify(v.output)}`);
  const op = checkOneOf(`${where}.op`, v.op, COMMAND_OPS);
  const out: CommandAction = { output: v.output, op };
  if (op === 'pulse') out.ms = checkInt(`${where}.ms`, v.ms, 1, MAX_PULSE_MS);
  else if (v.ms !== undefined) throw new TypeError(`${where}.ms belongs to op 'pulse' only`);
  if (op === 'duty') {
    if (typeof v.duty !== 'number' || !(v.duty >= 0 && v.duty <= 1)) throw new RangeError(`${where}.duty must be a number from 0 to 1, got ${String(v.duty)}`);
    out.duty = v.duty;
  } else if (v.duty !== undefined) throw new TypeError(`${where}.duty belongs to op 'duty' only`);
  return out;
}
