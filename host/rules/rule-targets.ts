import type { Board } from '../../hal/board/board.js';
import { pinExclusion } from '../../hal/board/pin-rules.js';
import { resolveNode } from './compile-rule.js';
import type { NodeRef } from './compiled-rule.js';
import type { ConditionDoc, RuleDocument } from './rule-document.js';
import { RuleError, type RuleErrorCode } from './rule-error.js';

/** An enrolled node as a rule's targets are checked against it: its board and the outputs its config drives. */
export interface TargetNode {
  id: string;
  name: string;
  board: Board;
  outputs: readonly { name: string; pin: number }[];
}

export interface TargetProblem {
  code: RuleErrorCode;
  path: string;
  message: string;
}

const PIN_CODES: Record<string, RuleErrorCode> = {
  'input-only': 'input-only',
  'strapping-pin': 'strapping-pin',
  'reserved-pin': 'reserved-pin',
  'unknown-pin': 'unknown-pin',
};

function describeOutputs(n: TargetNode): string {
  return n.outputs.length === 0 ? 'it has none' : `its outputs: ${n.outputs.map((o) => `${o.name} on GPIO ${o.pin}`).join(', ')}`;
}

/**
 * Every reason the rule cannot act on these nodes, each naming its path in
 * the rule: a node no enrolled node (nor, where a sensor is read, one of
 * `sensors`: the hub and its BLE devices) is, an output the node does not have, a
 * GPIO no output of it is configured on, and what the board's pin rules
 * (hal/board/pin-rules.ts) refuse: an input-only, reserved or missing pin, a
 * pin without PWM for a duty cycle, a strapping pin without `allowStrapping`.
 */
export function findTargetProblems(rule: RuleDocument, nodes: readonly TargetNode[], sensors: readonly NodeRef[] = []): TargetProblem[] {
  const problems: TargetProblem[] = [];
  const node = (ref: string, path: string, sensorsToo = true): TargetNode | undefined => {
    // The hub's chain and its BLE devices are read like a node's sensors, never driven.
    if (sensorsToo && sensors.some((s) => s.id === ref || s.name === ref)) return undefined;
    try {
      const id = resolveNode(ref, nodes, path, true);
      return nodes.find((n) => n.id === id);
    } catch (e) {
      const err = e as RuleError;
      problems.push({ code: err.code as RuleErrorCode, path: err.path, message: err.message.slice(`rule: ${err.path} `.length) });
      return undefined;
    }
  };
  const condition = (c: ConditionDoc, path: string): void => {
    if (c.kind === 'and' || c.kind === 'or') c.conditions.forEach((x, i) => condition(x, `${path}/conditions/${i}`));
    else if (c.kind === 'not') condition(c.condition, `${path}/condition`);
    else if (c.kind === 'numeric' || c.kind === 'state') node(c.series.node, `${path}/series/node`);
  };
  rule.triggers.forEach((t, i) => {
    const path = `/triggers/${i}`;
    if (t.kind === 'numeric' || t.kind === 'state') node(t.series.node, `${path}/series/node`);
    else if ((t.kind === 'event' && t.node !== undefined) || t.kind === 'absence') node(t.node as string, `${path}/node`);
  });
  (rule.conditions ?? []).forEach((c, i) => condition(c, `/conditions/${i}`));
  rule.actions.forEach((a, i) => {
    const path = `/actions/${i}`;
    if (a.kind === 'delay') return;
    if (a.if) condition(a.if, `${path}/if`);
    if (a.kind !== 'output') return;
    const n = node(a.node, `${path}/node`, false);
    if (!n) return;
    const add = (code: RuleErrorCode, at: string, message: string) => problems.push({ code, path: at, message });
    const use = a.op === 'duty' ? 'pwm' : 'digital-out';
    const named = a.output === undefined ? undefined : n.outputs.find((o) => o.name === a.output);
    if (a.output !== undefined && !named) return add('unknown-output', `${path}/output`, `node ${n.name} has no output '${a.output}' (${describeOutputs(n)})`);
    const at = named ? `${path}/output` : `${path}/pin`;
    const pin = named ? named.pin : (a.pin as number);
    const ex = pinExclusion(n.board, pin, use, a.allowStrapping === true);
    const what = named ? `output '${named.name}' of node ${n.name}: ` : `node ${n.name}: `;
    if (ex) return add(PIN_CODES[ex.code] ?? 'capability', at, `${what}${ex.reason} on ${n.board.id}`);
    if (!named && !n.outputs.some((o) => o.pin === pin))
      add('not-an-output', at, `GPIO ${pin} is not configured as an output of node ${n.name} (${describeOutputs(n)})`);
  });
  return problems;
}

/** Refuses a rule that would act on an output its node cannot drive: throws a RuleError naming the first problem's path. */
export function checkRuleTargets(rule: RuleDocument, nodes: readonly TargetNode[], sensors: readonly NodeRef[] = []): void {
  const p = findTargetProblems(rule, nodes, sensors);
  if (p.length === 0) return;
  const more =
    p.length > 1
      ? ` (and ${p.length - 1} more: ${p
          .slice(1)
          .map((x) => x.path)
          .join(', ')})`
      : '';
  throw new RuleError(p[0].code, p[0].path, `${p[0].message}${more}`);
}
