import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBoard } from '../../host/boards/board-registry.js';
import { checkRuleTargets, compileRule, findTargetProblems, RuleError, type RuleDocument, type TargetNode } from '../../host/rules/index.js';
import { rule } from './rule-log.js';

const DESK = 'fzdddddddddddddddddddddddd';
const HALL = 'fzhhhhhhhhhhhhhhhhhhhhhhhh';
const nodes: TargetNode[] = [
  {
    id: DESK,
    name: 'desk',
    board: getBoard('esp32-c3-devkitm-1'),
    outputs: [
      { name: 'led', pin: 8 },
      { name: 'relay', pin: 4 },
    ],
  },
  { id: HALL, name: 'hall', board: getBoard('esp32-devkitc'), outputs: [{ name: 'relay', pin: 23 }] },
];

const acting = (action: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  rule({ triggers: [{ kind: 'event', type: 'percept.motion' }], actions: [{ kind: 'output', op: 'on', ...action }], ...more }) as unknown as RuleDocument;

function refused(doc: RuleDocument, code: string, path: string, pattern: RegExp): void {
  assert.throws(
    () => checkRuleTargets(doc, nodes),
    (e: unknown) => {
      assert.ok(e instanceof RuleError, String(e));
      assert.deepEqual([e.code, e.path], [code, path], e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('checkRuleTargets: outputs a node cannot drive are refused when the rule is added', () => {
  it('accepts outputs the nodes have, by name or by pin, by node name or id', () => {
    checkRuleTargets(acting({ node: 'hall', output: 'relay' }), nodes);
    checkRuleTargets(acting({ node: DESK, pin: 4, op: 'duty', duty: 0.5 }), nodes);
  });

  it('an input-only pin', () => {
    refused(acting({ node: 'hall', pin: 34 }), 'input-only', '/actions/0/pin', /GPIO 34 is input-only on esp32-devkitc/);
  });

  it('a pin no output is configured on', () => {
    refused(
      acting({ node: 'hall', pin: 4 }),
      'not-an-output',
      '/actions/0/pin',
      /GPIO 4 is not configured as an output of node hall \(its outputs: relay on GPIO 23\)/,
    );
  });

  it('a strapping pin (the C3 DevKitM-1’s LED on GPIO8) without the opt-in, and with it', () => {
    refused(
      acting({ node: 'desk', output: 'led' }),
      'strapping-pin',
      '/actions/0/output',
      /output 'led' of node desk: GPIO 8 is a strapping pin .*allowStrapping/,
    );
    checkRuleTargets(acting({ node: 'desk', output: 'led', allowStrapping: true }), nodes);
  });

  it('a flash pin, and a duty cycle on a pin without PWM', () => {
    refused(acting({ node: 'hall', pin: 6 }), 'reserved-pin', '/actions/0/pin', /GPIO 6 is wired to the SPI flash/);
    const noPwm = { ...nodes[1], outputs: [{ name: 'buzzer', pin: 36 }] };
    assert.deepEqual(
      findTargetProblems(acting({ node: 'hall', output: 'buzzer', op: 'duty', duty: 0.2 }), [noPwm]).map((p) => p.code),
      ['input-only'],
    );
  });

  it('an unknown node or output, wherever the rule names it', () => {
    refused(acting({ node: 'attic', output: 'relay' }), 'unknown-node', '/actions/0/node', /'attic' is no enrolled node's id or name \(desk, hall\)/);
    refused(
      acting({ node: 'desk', output: 'fan' }),
      'unknown-output',
      '/actions/0/output',
      /node desk has no output 'fan' \(its outputs: led on GPIO 8, relay on GPIO 4\)/,
    );
    refused(acting({ node: 'fzzzzzzzzzzzzzzzzzzzzzzzzz', output: 'relay' }), 'unknown-node', '/actions/0/node', /is no enrolled node/);
    const doc = acting(
      { node: 'hall', output: 'relay' },
      {
        triggers: [{ kind: 'numeric', series: { node: 'cellar', component: 'bme280', name: 'temperature' }, above: 1 }],
        conditions: [{ kind: 'not', condition: { kind: 'state', series: { node: 'loft', component: 'pir', name: 'motion' }, is: true } }],
      },
    );
    assert.deepEqual(
      findTargetProblems(doc, nodes).map((p) => p.path),
      ['/triggers/0/series/node', '/conditions/0/condition/series/node'],
    );
    refused(doc, 'unknown-node', '/triggers/0/series/node', /'cellar' .* \(and 1 more: \/conditions\/0\/condition\/series\/node\)/);
  });
});

describe("the hub's BLE devices in rules: read by name, never driven", () => {
  const HUB = 'fzzzzzzzzzzzzzzzzzzzzzzzzz';
  const sensors = [{ id: HUB }, { id: HUB, name: 'kitchen', component: 'ble-a4c138aabbcc' }];
  const refs = [...nodes.map((n) => ({ id: n.id, name: n.name, outputs: n.outputs })), ...sensors];
  const numeric = (series: Record<string, unknown>) => rule({ triggers: [{ kind: 'numeric', series, above: 25 }] });

  it("a series naming the device is the hub chain's, under the device's component", () => {
    for (const component of ['ble', 'ble-a4c138aabbcc']) {
      const c = compileRule(numeric({ node: 'kitchen', component, name: 'temperature' }), { nodes: refs });
      const t = c.triggers[0] as { series: { node: string; key: string } };
      assert.deepEqual([t.series.node, t.series.key], [HUB, `${HUB}/ble-a4c138aabbcc/temperature`]);
      checkRuleTargets(c.doc, nodes, sensors);
    }
    // By the hub's id and the component, as the events carry them.
    const raw = compileRule(numeric({ node: HUB, component: 'ble-a4c138aabbcc', name: 'temperature' }), { nodes: refs });
    checkRuleTargets(raw.doc, nodes, sensors);
  });

  it('another component for the device is refused, naming the path and what it is', () => {
    assert.throws(
      () => compileRule(numeric({ node: 'kitchen', component: 'bme280', name: 'temperature' }), { nodes: refs }),
      (e: unknown) =>
        e instanceof RuleError && e.path === '/triggers/0/series/component' && /'kitchen' is a BLE device of the hub: its component is 'ble'/.test(e.message),
    );
  });

  it('an absence trigger by the device name watches its component', () => {
    const c = compileRule(rule({ triggers: [{ kind: 'absence', node: 'kitchen', for: '10m' }] }), { nodes: refs });
    const t = c.triggers[0] as { node: string; component?: string };
    assert.deepEqual([t.node, t.component], [HUB, 'ble-a4c138aabbcc']);
  });

  it('a node keeps its name when a device is given the same one (its rules stay its); two devices of one name are ambiguous', () => {
    const both = [...refs, { id: HUB, name: 'hall', component: 'ble-112233445566' }];
    const c = compileRule(numeric({ node: 'hall', component: 'bme280', name: 'temperature' }), { nodes: both });
    assert.equal((c.triggers[0] as { series: { key: string } }).series.key, `${HALL}/bme280/temperature`);
    const twice = [...refs, { id: HUB, name: 'kitchen', component: 'ble-112233445566' }];
    assert.throws(() => compileRule(numeric({ node: 'kitchen', component: 'ble', name: 'temperature' }), { nodes: twice }), /'kitchen' names 2 nodes/);
  });

  it('an output on the device (or the hub) is refused: unknown-node', () => {
    for (const node of ['kitchen', HUB]) {
      const problems = findTargetProblems(acting({ node, output: 'relay' }), nodes, sensors);
      assert.deepEqual(
        problems.map((p) => [p.code, p.path]),
        [['unknown-node', '/actions/0/node']],
      );
    }
    // Without the sensors (a hub without BLE devices), a series on the hub's chain is refused as before.
    assert.equal(
      findTargetProblems(numeric({ node: 'kitchen', component: 'ble', name: 'temperature' }) as unknown as RuleDocument, nodes)[0]?.code,
      'unknown-node',
    );
  });
});
