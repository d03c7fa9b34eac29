import type { EventEntry } from '../../firmware/event/envelope.js';
import type { HubOptions } from '../../host/hub/hub-options.js';
import { cbor, post, startHub, TestNode } from '../hub/helpers.js';
import { MIN, S, T0 } from './rule-log.js';

export { MIN, S, T0 };

/**
 * A real hub on loopback (temp data dir) whose clock the test sets, with an
 * enrolled node `lab` (esp32-devkitc) that declared a relay on GPIO 4 at
 * boot, running its rules. `send` posts a node's new events as one signed batch, stored at
 * `at` (default: the last event's time + 500 ms). `options` adds to the hub's (Pulse, agents).
 */
export async function ruleHub(options: HubOptions = {}) {
  let now = T0;
  const h = await startHub({ clock: () => now, time: { mode: 'system' }, rules: true, log: () => undefined, ...options });
  const sent = new Map<string, number>();
  const enrol = (seed: number, name: string, board = 'esp32-devkitc') => {
    const n = new TestNode(seed, () => 'rtc');
    h.hub.cartridge.addNode(n.identity.publicKey, { name, board });
    return n;
  };
  const send = async (n: TestNode, at?: number) => {
    const first = (sent.get(n.id) ?? 0) + 1;
    const last = n.entries.length;
    now = at ?? n.entries[last - 1].time + 500;
    const r = await post(`${h.url}/v1/uplink`, cbor(n.batch(first, last)));
    if (r.status !== 200) throw new Error(`uplink refused: ${JSON.stringify(r.body)}`);
    sent.set(n.id, last);
  };
  /** Readings of one series, one batch each, stored 500 ms after they were taken. */
  const readings = async (n: TestNode, component: string, name: string, values: [number, number][]): Promise<EventEntry[]> => {
    const out: EventEntry[] = [];
    for (const [time, value] of values) {
      out.push(n.record('sensor.reading', component, { name, value, quality: 'good', time }, time));
      await send(n);
    }
    return out;
  };
  const lab = enrol(11, 'lab');
  lab.record('system.boot', 'node', { outputs: [{ name: 'relay', driver: 'digital-output', pin: 4 }] }, T0);
  await send(lab);
  /** The hub's live rules (the rule service): rule changes go on its own chain as system.rule.* events. */
  const rules = () => {
    const r = h.hub.rules;
    if (!r) throw new Error('the hub runs without rules');
    return r;
  };
  return {
    ...h,
    lab,
    enrol,
    send,
    readings,
    rules,
    setClock: (t: number) => void (now = t),
  };
}

export type RuleHub = Awaited<ReturnType<typeof ruleHub>>;

/** A rule on lab's temperature: above 26 (hysteresis 1) for 3 minutes → notify and the relay on. */
export function hotRule(parts: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'hot',
    name: 'Relay on when hot',
    triggers: [{ kind: 'numeric', id: 'hot', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 26, hysteresis: 1, for: '3m' }],
    actions: [
      { kind: 'notify', message: 'lab is hot' },
      { kind: 'output', node: 'lab', output: 'relay', op: 'on' },
    ],
    ...parts,
  };
}
