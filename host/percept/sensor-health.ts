import type { ValueMap } from '../../firmware/codec/value.js';
import { type Observed, type Percept, type PerceptKind, text } from './percept-kind.js';

type Health = 'unplugged' | 'degraded' | 'failed' | 'recovered';
const BAD = new Set<string>(['unplugged', 'degraded', 'failed']);

/**
 * percept.sensor, from the sensor lifecycle's state changes (sensor.state,
 * firmware/sensing/lifecycle.ts): unplugged, degraded or failed when a
 * sensor enters one of them, recovered when it runs again after one.
 * Reconnect attempts and the start after a boot say nothing new.
 */
export class SensorHealthKind implements PerceptKind {
  readonly types = ['percept.sensor'] as const;
  private readonly said = new Map<string, Health>();

  observe(ob: Observed, out: Percept[]): void {
    if (ob.entry.type !== 'sensor.state') return;
    const d = ob.entry.data as ValueMap;
    const to = text(d.to);
    const key = `${ob.node}/${ob.component}`;
    const was = this.said.get(key);
    let state: Health;
    if (BAD.has(to)) state = to as Health;
    else if (to === 'running' && was !== undefined && BAD.has(was)) state = 'recovered';
    else return;
    if (state === was) return;
    this.said.set(key, state);
    out.push({
      type: 'percept.sensor',
      data: { node: ob.node, component: ob.component, state, from: text(d.from), reason: text(d.reason), at: ob.entry.time, causes: [ob.entry.id] },
    });
  }

  due(): void {}

  apply(_type: string, d: ValueMap): void {
    const s = text(d.state);
    if (BAD.has(s) || s === 'recovered') this.said.set(`${text(d.node)}/${text(d.component)}`, s as Health);
  }
}
