import type { ValueMap } from '../../firmware/codec/value.js';
import { Cadence } from './cadence.js';
import { type Observed, PerNode, type Percept, type PerceptKind, text } from './percept-kind.js';
import type { ResolvedPerceptOptions } from './percept-options.js';

interface Heard {
  lastSeen: number;
  /** Its wait restarted here: the node booted, or was itself quiet longer than this sensor may be. */
  waitFrom: number;
  lastId: string;
  cadence: Cadence;
  /** The expected interval it was said silent by; undefined while heard. */
  silentBy?: number;
  /** The sensor's lifecycle state: an unplugged or failed sensor is explained, not silent. */
  state: string;
}

const EXPLAINED = new Set(['unplugged', 'failed', 'reconnecting']);

/**
 * percept.silent for a sensor (a component of a node that is still talking):
 * overdue when, on the node's own clock, factor × its expected interval
 * (configured as "<node>/<component>", else the median of its recent gaps)
 * passed since it was last heard while the node's other events kept coming.
 * Judged on the node's clock only, so batching and uplink delays never make
 * a sensor look silent; a node that falls silent as a whole is NodeSilence's.
 * A sensor the lifecycle reports unplugged or failed is not silent; a boot,
 * or a stretch in which the node itself sent nothing for longer than the
 * sensor's allowance, starts its wait afresh.
 */
export class SensorSilenceKind implements PerceptKind {
  readonly types = ['percept.silent'] as const;
  private readonly heard = new PerNode<Heard>();
  /** Each node's newest event time: a node quiet as a whole says nothing of its sensors. */
  private readonly lastOfNode = new Map<string, number>();

  constructor(private readonly o: ResolvedPerceptOptions['silent']) {}

  observe(ob: Observed, out: Percept[]): void {
    const e = ob.entry;
    this.lastOfNode.set(ob.node, Math.max(this.lastOfNode.get(ob.node) ?? e.time, e.time));
    if (e.type === 'system.boot') {
      for (const h of this.heard.peek(ob.node)?.values() ?? []) h.waitFrom = e.time;
      return;
    }
    if (!e.type.startsWith('sensor.')) return;
    const byComponent = this.heard.of(ob.node);
    const h = byComponent.get(ob.component);
    if (!h) {
      const state = stateOf(e.type, e.data) ?? '';
      byComponent.set(ob.component, { lastSeen: e.time, waitFrom: e.time, lastId: e.id, cadence: new Cadence(this.o.history), state });
      return;
    }
    if (h.silentBy !== undefined) {
      const data: ValueMap = { node: ob.node, component: ob.component, state: 'heard', expectedMs: h.silentBy };
      h.silentBy = undefined;
      Object.assign(data, { lastSeen: h.lastSeen, silentMs: Math.max(0, e.time - h.lastSeen), at: e.time, causes: [e.id] });
      out.push({ type: 'percept.silent', data });
    }
    h.cadence.add(e.time - h.lastSeen);
    h.lastSeen = Math.max(h.lastSeen, e.time);
    h.lastId = e.id;
    h.state = stateOf(e.type, e.data) ?? h.state;
  }

  due(node: string, now: number, timer: boolean, out: Percept[]): void {
    if (timer) return;
    const byComponent = this.heard.peek(node);
    if (!byComponent) return;
    const previous = this.lastOfNode.get(node) ?? now;
    for (const [component, h] of byComponent) {
      if (h.silentBy !== undefined || EXPLAINED.has(h.state)) continue;
      const expected = this.expected(node, component, h);
      if (expected === undefined) continue;
      const allowance = Math.max(this.o.factor * expected, this.o.minSensorMs);
      if (now - previous > allowance) h.waitFrom = Math.max(h.waitFrom, now);
      const deadline = Math.max(h.lastSeen, h.waitFrom) + allowance;
      if (deadline >= now) continue;
      h.silentBy = expected;
      const data: ValueMap = { node, component, state: 'silent', expectedMs: expected, lastSeen: h.lastSeen, at: Math.round(deadline), causes: [h.lastId] };
      out.push({ type: 'percept.silent', data });
    }
  }

  apply(_type: string, d: ValueMap): void {
    if (typeof d.component !== 'string') return; // a node's silence: NodeSilence's
    const silentBy = d.state === 'silent' && typeof d.expectedMs === 'number' ? d.expectedMs : undefined;
    const h = this.heard.peek(text(d.node))?.get(d.component);
    if (h) h.silentBy = silentBy;
    else if (silentBy !== undefined && typeof d.lastSeen === 'number') {
      const lastId = text(Array.isArray(d.causes) ? d.causes[0] : '');
      this.heard
        .of(text(d.node))
        .set(d.component, { lastSeen: d.lastSeen, waitFrom: d.lastSeen, lastId, cadence: new Cadence(this.o.history), silentBy, state: '' });
    }
  }

  private expected(node: string, component: string, h: Heard): number | undefined {
    return this.o.expectMs[`${node}/${component}`] ?? h.cadence.observed();
  }
}

function stateOf(type: string, data: unknown): string | undefined {
  return type === 'sensor.state' && data && typeof data === 'object' ? text((data as ValueMap).to) : undefined;
}
