import type { ValueMap } from '../../firmware/codec/value.js';
import { driverEvent, type Observed, PerNode, type Percept, type PerceptKind, text } from './percept-kind.js';

interface Room {
  presence?: 'present' | 'clear';
  /** The motion that ended, when presence waits to clear. */
  ended?: { at: number; id: string };
}

/**
 * percept.motion and percept.presence, from a PIR driver's motion-start and
 * motion-end events (sensor.event). Every motion event is a motion percept;
 * presence turns present with the first motion and clears holdMs after the
 * last motion ended, unless motion starts again before. The clear is due at
 * that moment on the node's clock: its next events decide it, or, when it
 * sends none, the hub's clock (less the arrival slack).
 */
export class PresenceKind implements PerceptKind {
  readonly types = ['percept.motion', 'percept.presence'] as const;
  private readonly rooms = new PerNode<Room>();

  constructor(private readonly holdMs: number) {}

  observe(ob: Observed, out: Percept[]): void {
    const ev = driverEvent(ob.entry);
    if (!ev || (ev.kind !== 'motion-start' && ev.kind !== 'motion-end')) return;
    const { node, component } = ob;
    const at = ob.entry.time;
    const room = this.room(node, component);
    const start = ev.kind === 'motion-start';
    out.push({ type: 'percept.motion', data: { node, component, state: start ? 'start' : 'end', at, causes: [ob.entry.id] } });
    if (!start) {
      room.ended = { at, id: ob.entry.id };
      return;
    }
    room.ended = undefined;
    if (room.presence === 'present') return;
    room.presence = 'present';
    out.push({ type: 'percept.presence', data: { node, component, state: 'present', holdMs: this.holdMs, at, causes: [ob.entry.id] } });
  }

  due(node: string, now: number, _timer: boolean, out: Percept[]): void {
    const rooms = this.rooms.peek(node);
    if (!rooms) return;
    for (const [component, room] of rooms) {
      const ended = room.ended;
      if (!ended || ended.at + this.holdMs >= now) continue;
      room.ended = undefined;
      if (room.presence !== 'present') continue;
      room.presence = 'clear';
      out.push({ type: 'percept.presence', data: { node, component, state: 'clear', holdMs: this.holdMs, at: ended.at + this.holdMs, causes: [ended.id] } });
    }
  }

  apply(type: string, d: ValueMap): void {
    const room = this.room(text(d.node), text(d.component));
    const cause = Array.isArray(d.causes) ? text(d.causes[d.causes.length - 1]) : '';
    if (type === 'percept.motion') room.ended = d.state === 'end' && typeof d.at === 'number' ? { at: d.at, id: cause } : undefined;
    else if (d.state === 'present' || d.state === 'clear') {
      room.presence = d.state;
      if (d.state === 'clear') room.ended = undefined;
    }
  }

  private room(node: string, component: string): Room {
    const rooms = this.rooms.of(node);
    let r = rooms.get(component);
    if (!r) rooms.set(component, (r = {}));
    return r;
  }
}
