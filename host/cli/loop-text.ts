import type { Value, ValueMap } from '../../firmware/codec/value.js';
import type { EventEntry } from '../../firmware/event/envelope.js';
import type { Hub } from '../hub/hub.js';
import { valueText } from './reading-text.js';

/**
 * The loop as `fazt start` prints it: what the hub made of the readings
 * (percepts), what its rules decided and did, and the effects the nodes
 * signed — one line each, for a person. Levels and motion are left out: the
 * readings line and the node's own motion events say them already.
 */
interface LoopLine {
  /** Who the line is about: 'hub', or the node that signed the effect. */
  who: string;
  text: string;
}

const SILENT = new Set(['percept.level', 'percept.motion', 'effect.requested']);

const str = (v: Value | undefined): string => (typeof v === 'string' ? v : v === undefined ? '' : String(v));

/** "30 s", "2 min", "1.5 h": a duration for a person. */
function spanText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

function perceptText(type: string, d: ValueMap, node: string): string | undefined {
  const where = `${node}${d.component ? ` ${str(d.component)}` : ''}`;
  const unit = typeof d.unit === 'string' ? d.unit : undefined;
  switch (type) {
    case 'percept.presence':
      return `${where}: ${d.state === 'present' ? 'someone is present' : `clear (no motion for ${spanText(Number(d.holdMs))})`}`;
    case 'percept.trend':
      return `${where} ${str(d.name)}: ${str(d.direction)}${d.direction === 'stable' ? '' : ` at ${valueText(d.ratePerHour, unit)}/h`}`;
    case 'percept.threshold':
      return `${where} ${str(d.name)}: ${str(d.state)} (${valueText(d.value, unit)})`;
    case 'percept.gesture':
      return `${where}: ${str(d.gesture)}`;
    case 'percept.silent':
      return d.state === 'silent'
        ? `${where}: silent (expected every ${spanText(Number(d.expectedMs))})`
        : `${where}: heard again after ${spanText(Number(d.silentMs))}`;
    case 'percept.sensor':
      return `${where}: ${str(d.state)}${d.reason ? ` (${str(d.reason)})` : ''}`;
    default:
      return `${where}: ${type.slice('percept.'.length)}`;
  }
}

function actionText(d: ValueMap): string {
  return `${str(d.output)} ${str(d.op)}${typeof d.ms === 'number' ? ` ${spanText(d.ms)}` : ''}${typeof d.duty === 'number' ? ` ${d.duty}` : ''}`;
}

/** The line for a stored entry, or undefined when it is not worth one. `name` turns a node id into its name. */
function loopLine(e: EventEntry, hubId: string, name: (id: string) => string): LoopLine | undefined {
  if (SILENT.has(e.type)) return undefined;
  const d = (e.data ?? {}) as ValueMap;
  const node = e.source.slice(0, e.source.indexOf('/'));
  if (node !== hubId) {
    // A node's own word on a command: the downlink's outcome, signed by it.
    if (e.type === 'effect.applied')
      return { who: name(node), text: `effect applied: ${actionText(d)}, read back ${d.value === true ? 'on' : d.value === false ? 'off' : str(d.value)}` };
    if (e.type === 'effect.failed') return { who: name(node), text: `effect failed: ${actionText(d)}: ${str(d.message)}` };
    if (e.type === 'effect.expired') return { who: name(node), text: `effect expired: command ${str(d.command)} came after its notAfter` };
    if (e.type === 'effect.refused') return { who: name(node), text: `effect refused: ${str(d.reason)}${d.message ? ` (${str(d.message)})` : ''}` };
    return undefined;
  }
  if (e.type.startsWith('percept.')) {
    const text = perceptText(e.type, d, typeof d.node === 'string' ? name(d.node) : '?');
    return text ? { who: 'hub', text: `percept ${text}` } : undefined;
  }
  switch (e.type) {
    case 'system.rule.fired':
      return {
        who: 'hub',
        text: `rule ${str(d.rule)} ${d.outcome === 'fired' ? `fired on ${str(d.trigger)}` : str(d.outcome)}: ${str(d.actions)} action${d.actions === 1 ? '' : 's'}`,
      };
    case 'system.rule.stopped':
      return { who: 'hub', text: `rule ${str(d.rule)} stopped: ${str(d.reason)}` };
    case 'effect.notify':
      return { who: 'hub', text: `notify [${str(d.level)}] ${d.title ? `${str(d.title)}: ` : ''}${str(d.message)}` };
    case 'effect.webhook':
      return {
        who: 'hub',
        text: `webhook ${str(d.target)}: ${d.ok ? 'ok' : 'failed'}${d.status ? ` (HTTP ${str(d.status)})` : ''} after ${str(d.attempts)} attempt(s)`,
      };
    case 'effect.failed':
      return { who: 'hub', text: `rule ${str(d.rule)} could not act: ${str(d.reason)}` };
    case 'pulse.beat': {
      const c = (d.counts ?? {}) as ValueMap;
      return { who: 'hub', text: `pulse ${str(d.status)}: ${str(c.critical)} critical, ${str(c.degraded)} degraded, ${str(c.unknown)} unknown (fazt pulse)` };
    }
    default:
      if (e.type.startsWith('pulse.'))
        return { who: 'hub', text: `pulse ${str(d.name)} ${str(d.check)}: ${str(d.from)} → ${str(d.to)}${d.text ? `: ${str(d.text)}` : ''}` };
      if (e.type.startsWith('system.rule.')) return { who: 'hub', text: `rule ${str(d.id)} ${e.type.slice('system.rule.'.length)}` };
      return undefined;
  }
}

/** Prints a line (`HH:MM:SS who text`) for each stored entry worth one, as it commits; returns the unsubscribe. */
export function followLoop(hub: Hub, hubId: string, out: (s: string) => void): () => void {
  const names = new Map<string, string>();
  const nameOf = (id: string): string => {
    if (!names.has(id)) for (const n of hub.cartridge.nodeNames()) names.set(n.id, n.name ?? n.id);
    return names.get(id) ?? id;
  };
  return hub.onStored((entries) => {
    for (const e of entries) {
      const line = loopLine(e, hubId, nameOf);
      if (line) out(`${new Date(e.time).toISOString().slice(11, 19)} ${line.who.padEnd(11)} ${line.text}\n`);
    }
  });
}
