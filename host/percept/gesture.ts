import type { ValueMap } from '../../firmware/codec/value.js';
import { driverEvent, type Observed, PerNode, type Percept, type PerceptKind } from './percept-kind.js';

interface Click {
  at: number;
  id: string;
  durationMs?: number;
}

/**
 * percept.gesture, from a button driver's events (sensor.event): a
 * long-press at once; a double-click at once, citing its clicks; a click
 * only once doubleClickMs passed without a second one, so a double click
 * is never also two single clicks (the driver reports both; the percept
 * does not). The wait ends with the node's next events or, when it sends
 * none, on the hub's clock (less the arrival slack).
 */
export class GestureKind implements PerceptKind {
  readonly types = ['percept.gesture'] as const;
  private readonly pending = new PerNode<Click[]>();

  constructor(private readonly doubleClickMs: number) {}

  observe(ob: Observed, out: Percept[]): void {
    const ev = driverEvent(ob.entry);
    if (!ev) return;
    const { node, component, entry } = ob;
    const held = typeof ev.data.durationMs === 'number' && Number.isSafeInteger(ev.data.durationMs) && ev.data.durationMs >= 0 ? ev.data.durationMs : undefined;
    if (ev.kind === 'long-press') {
      out.push({ type: 'percept.gesture', data: gesture(node, component, 'long-press', entry.time, [entry.id], held) });
    } else if (ev.kind === 'click') {
      this.clicks(node, component).push(held === undefined ? { at: entry.time, id: entry.id } : { at: entry.time, id: entry.id, durationMs: held });
    } else if (ev.kind === 'double-click') {
      const clicks = this.clicks(node, component).splice(0);
      // After a restart the first click may lie before the replay: a double click counts from one window in.
      if (entry.time >= ob.from + this.doubleClickMs)
        out.push({ type: 'percept.gesture', data: gesture(node, component, 'double-click', entry.time, [...clicks.map((c) => c.id), entry.id]) });
    }
  }

  due(node: string, now: number, _timer: boolean, out: Percept[]): void {
    const byComponent = this.pending.peek(node);
    if (!byComponent) return;
    for (const [component, clicks] of byComponent) {
      while (clicks.length && clicks[0].at + this.doubleClickMs < now) {
        const c = clicks.shift() as Click;
        out.push({ type: 'percept.gesture', data: gesture(node, component, 'click', c.at, [c.id], c.durationMs) });
      }
    }
  }

  apply(_type: string, d: ValueMap): void {
    const cited = new Set(Array.isArray(d.causes) ? d.causes : []);
    const clicks = this.pending.peek(String(d.node))?.get(String(d.component));
    if (clicks) for (let i = clicks.length - 1; i >= 0; i--) if (cited.has(clicks[i].id)) clicks.splice(i, 1);
  }

  private clicks(node: string, component: string): Click[] {
    const m = this.pending.of(node);
    let c = m.get(component);
    if (!c) m.set(component, (c = []));
    return c;
  }
}

function gesture(node: string, component: string, g: string, at: number, causes: string[], durationMs?: number): ValueMap {
  const d: ValueMap = { node, component, gesture: g };
  if (durationMs !== undefined) d.durationMs = durationMs;
  d.at = at;
  d.causes = causes;
  return d;
}
