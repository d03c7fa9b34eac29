import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../hub/helpers.js';
import { rules } from './rules-run.js';

/**
 * `fazt rules test --scenario`: the scenario's boards as firmware nodes, a
 * real hub on loopback running the rule, commands down to a simulated pin.
 * sim/scenarios/relay-ramp.json: lab's temperature is a sine around 25 °C
 * (±3, 1 h), desk has a relay on GPIO 4.
 */
const RULE = new URL('../../examples/rules/relay-when-hot.json', import.meta.url).pathname;
const SCENARIO = new URL('../../sim/scenarios/relay-ramp.json', import.meta.url).pathname;
const tmp = tempDir('fazt-rules-scenario-test-');
after(() => tmp.cleanup());

type Report = {
  runtime: string;
  events: { at: number; type: string; data: Record<string, unknown> }[];
  pins: { at: number; node: string; output: string; pin: number; from: number | null; to: number | null }[];
};

describe('fazt rules test --scenario', () => {
  it('XS firmware → uplink → hub → rule → command → downlink → pin: the firing, the node-signed effect.applied and the pin going high', async () => {
    const r = await rules(['test', RULE, '--scenario', SCENARIO, '--duration', '10m', '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as Report;
    assert.equal(report.runtime, 'xs');
    const fired = report.events.filter((e) => e.type === 'system.rule.fired');
    assert.deepEqual(
      fired.map((e) => [e.data.rule, e.data.trigger]),
      [['relay-when-hot', 'hot']],
    );
    assert.equal((fired[0].data.causes as string[]).length, 2, 'the reading that entered the zone and the one that proved five minutes');
    const applied = report.events.find((e) => e.type === 'effect.applied');
    assert.deepEqual([applied?.data.output, applied?.data.op, applied?.data.value], ['relay', 'on', true]);
    const high = report.pins.filter((p) => p.node === 'desk' && p.to === 1);
    assert.equal(high.length, 1, JSON.stringify(report.pins));
    assert.deepEqual([high[0].output, high[0].pin, high[0].from], ['relay', 4, 0]);
    assert.ok(high[0].at >= fired[0].at && high[0].at - fired[0].at <= 10_000, 'the pin follows within one downlink poll (10 s)');
  });

  it('prints one line per firing, effect and pin change, and the pins at the end', async () => {
    const r = await rules(['test', RULE, '--scenario', SCENARIO, '--duration', '35m', '--runtime', 'node']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^scenario relay-ramp: lab, desk \(firmware in node\), 2026-01-01T00:00:00.000Z … 2026-01-01T00:35:00.000Z; rule relay-when-hot /);
    const kinds = lines.slice(1, -1).map((l) => l.split(/\s+/).slice(1, 2)[0]);
    assert.deepEqual(kinds, ['pin', 'fired', 'requested', 'applied', 'pin', 'fired', 'requested', 'applied', 'pin']);
    assert.match(lines[5], /pin +desk relay \(GPIO 4\) 0 → 1$/);
    assert.match(lines[6], /fired +rule relay-when-hot trigger cool /);
    assert.equal(lines[lines.length - 1], '2 firing(s), 2 command(s) applied on the nodes; pins at the end: desk/relay=0');
  });

  it('a rule aimed at an output the scenario lacks is refused naming the path', async () => {
    const doc = {
      id: 'siren',
      name: 'siren',
      triggers: [{ kind: 'cron', cron: '* * * * *' }],
      actions: [{ kind: 'output', node: 'desk', output: 'siren', op: 'on' }],
    };
    const f = join(tmp.dir, 'siren.json');
    writeFileSync(f, JSON.stringify(doc));
    await assert.rejects(rules(['test', f, '--scenario', SCENARIO, '--duration', '1m', '--runtime', 'node']), {
      code: 'unknown-output',
      message: /^rule: \/actions\/0\/output node desk has no output 'siren' \(its outputs: relay on GPIO 4\)/,
    });
    await assert.rejects(rules(['test', f, '--scenario', SCENARIO, '--since', '1h']), /--since is for a test against a hub/);
  });
});
