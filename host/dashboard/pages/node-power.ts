import { html } from 'htm/preact';
import type { PulseAnswer, PulseNode } from '../types.js';
import { duration } from '../units.js';

/** The battery as its latest system.health told it (Pulse's batteryVolts, batteryCharge), or why there is no figure. */
function batteryText(p: PulseNode): string | undefined {
  const volts = p.figures.batteryVolts;
  const charge = p.figures.batteryCharge;
  if (typeof charge === 'number') return `${Math.round(charge * 100)} %${typeof volts === 'number' ? ` (${volts.toFixed(2)} V)` : ''}`;
  if (p.facts?.battery === 'unreadable') return 'could not be read';
  return undefined;
}

/**
 * How a node is powered, on its page: asleep between wakes when it declared
 * deep sleep (Pulse expects it once a wake), and its battery with Pulse's
 * verdict on it (node.battery) when its health reports one. Nothing for a
 * mains-powered, always-on node.
 */
export function NodePower({ p, pulse }: { p: PulseNode; pulse: PulseAnswer | undefined }) {
  const wake = p.figures.wakeEveryMs;
  const battery = batteryText(p);
  if (typeof wake !== 'number' && battery === undefined) return null;
  const issue = pulse?.issues.find((i) => i.check === 'node.battery' && i.subject === p.id);
  return html`<table class="kv power"><tbody>
    ${typeof wake === 'number' && html`<tr data-key="power"><th>power</th><td>deep sleep, wakes every ${duration(wake)}</td></tr>`}
    ${
      battery !== undefined &&
      html`<tr data-key="battery" class=${issue ? `battery ${issue.status}` : 'battery'}><th>battery</th><td>${battery}${issue ? ` · ${issue.text ?? 'low'}` : ''}</td></tr>`
    }
  </tbody></table>`;
}
