import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { fromJsonValue } from '../../firmware/codec/json-form.js';
import { compileRule, RuleError, ruleVersion, type RuleDocument } from '../../host/rules/index.js';
import { rule } from './rule-log.js';

const A = 'fzaaaaaaaaaaaaaaaaaaaaaaaa';
const series = { node: A, component: 'bme280', name: 'temperature' };
const hot = rule({ triggers: [{ kind: 'numeric', series, above: 26, hysteresis: 1, for: '5m' }], cooldown: '30s' });

function refused(doc: unknown, path: string, pattern: RegExp, options = {}): void {
  assert.throws(
    () => compileRule(doc, options),
    (e: unknown) => {
      assert.ok(e instanceof RuleError, String(e));
      assert.equal(e.path, path, e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('rule documents', () => {
  it('a valid rule compiles: durations in ms, defaults filled, the version a SHA-256', () => {
    const r = compileRule(hot);
    assert.equal(r.mode, 'single');
    assert.equal(r.cooldownMs, 30_000);
    assert.equal(r.enabled, true);
    assert.equal(r.zone.name, 'UTC');
    assert.match(r.version, /^[0-9a-f]{64}$/);
    const t = r.triggers[0];
    assert.ok(t.kind === 'numeric' && t.forMs === 300_000 && t.id === '0' && t.series.key === `${A}/bme280/temperature`);
  });

  it('schema violations are refused naming the JSON path', () => {
    refused(rule({ triggers: [{ kind: 'numeric', series, above: 'hot' }] }), '/triggers/0/above', /must be number/);
    refused(rule({ triggers: [{ kind: 'numeric', series: { node: A, component: 'bme280' }, above: 1 }] }), '/triggers/0/series/name', /is required/);
    refused(rule({ triggers: [{ kind: 'sunrise' }] }), '/triggers/0/kind', /must be one of "event"/);
    refused(rule({ triggers: [{ kind: 'event', type: 'sensor.*', colour: 'red' }] }), '/triggers/0/colour', /is not allowed here/);
    refused(rule({ triggers: [{ kind: 'time', at: '7:30' }] }), '/triggers/0/at', /must match pattern/);
    refused(
      rule({ triggers: [{ kind: 'event', type: 'a.#' }], actions: [{ kind: 'output', node: A, output: 'led', op: 'pulse' }] }),
      '/actions/0/ms',
      /is required/,
    );
    refused(
      rule({
        triggers: [{ kind: 'event', type: 'a.#' }],
        conditions: [{ kind: 'or', conditions: [{ kind: 'not', condition: { kind: 'time', after: '25:00' } }] }],
      }),
      '/conditions/0/conditions/0/condition/after',
      /pattern/,
    );
    refused(rule({ triggers: [{ kind: 'event', type: 'a.#' }], max: 3 }), '/mode', /is required/);
    refused(rule({ triggers: [{ kind: 'event', type: 'a.#' }], cooldown: '5 min' }), '/cooldown', /must match one alternative/);
    // The schema bounds whole milliseconds at a year; a "…d" string is held to the same (found by probing the fuzz target 'rules').
    refused(rule({ triggers: [{ kind: 'event', type: 'a.#' }], cooldown: '99999999999d' }), '/cooldown', /longer than a year/);
    refused(rule({ triggers: [{ kind: 'absence', node: A, for: '9007199254740993ms' }] }), '/triggers/0/for', /longer than a year/);
    assert.equal(compileRule(rule({ triggers: [{ kind: 'absence', node: A, for: '365d' }] })).triggers[0].kind, 'absence');
    refused({ id: 'r', name: 'no triggers', actions: [] }, '/triggers', /is required/);
  });

  it('what a schema cannot say is refused naming the path too', () => {
    refused(rule({ triggers: [{ kind: 'event', type: 'sensor.#.x' }] }), '/triggers/0/type', /'#' may only be the last segment/);
    refused(rule({ triggers: [{ kind: 'cron', cron: '0 25 * * *' }] }), '/triggers/0/cron', /hour: '25'/);
    refused(rule({ timeZone: 'Europe/Atlantis', triggers: [{ kind: 'cron', cron: '0 0 * * *' }] }), '/timeZone', /not an IANA time zone/);
    refused(
      rule({
        triggers: [
          { kind: 'event', type: 'a.b', id: 'x' },
          { kind: 'event', type: 'a.c', id: 'x' },
        ],
      }),
      '/triggers/1/id',
      /'x' is used twice/,
    );
    refused(
      rule({ triggers: [{ kind: 'event', type: 'a.b' }], conditions: [{ kind: 'trigger', ids: ['0', 'nope'] }] }),
      '/conditions/0/ids/1',
      /'nope' is no trigger/,
    );
    refused(
      rule({ triggers: [{ kind: 'event', type: 'a.b' }], actions: [{ kind: 'emit', type: 'system.rule.added' }] }),
      '/actions/0/type',
      /a rule cannot emit them/,
    );
    refused(rule({ triggers: [{ kind: 'absence', node: A, for: 0 }] }), '/triggers/0/for', /longer than 0/);
  });

  it('node names resolve through the enrolled nodes; unknown and ambiguous names are refused', () => {
    const nodes = [
      { id: A, name: 'desk' },
      { id: 'fzbbbbbbbbbbbbbbbbbbbbbbbb', name: 'hall' },
      { id: 'fzcccccccccccccccccccccccc', name: 'hall' },
    ];
    const r = compileRule(rule({ triggers: [{ kind: 'numeric', series: { ...series, node: 'desk' }, above: 1 }] }), { nodes });
    assert.ok(r.triggers[0].kind === 'numeric' && r.triggers[0].series.node === A);
    refused(
      rule({ triggers: [{ kind: 'absence', node: 'attic', for: '1m' }] }),
      '/triggers/0/node',
      /'attic' is no enrolled node's id or name \(desk, hall, hall\)/,
      { nodes },
    );
    refused(rule({ triggers: [{ kind: 'absence', node: 'hall', for: '1m' }] }), '/triggers/0/node', /names 2 nodes/, { nodes });
  });

  it('the version hash names the rule, not how it is written or whether it is enabled', () => {
    const same = { ...hot, enabled: false, cooldown: 30_000, triggers: [{ kind: 'numeric', series, above: 26, hysteresis: 1, for: 300_000 }], mode: 'single' };
    assert.equal(ruleVersion(same as unknown as RuleDocument), ruleVersion(hot as unknown as RuleDocument));
    const other = { ...hot, triggers: [{ kind: 'numeric', series, above: 27, hysteresis: 1, for: '5m' }] };
    assert.notEqual(ruleVersion(other as unknown as RuleDocument), ruleVersion(hot as unknown as RuleDocument));
    // The canonical form written out by hand: defaults filled in, `enabled` left out, deterministic CBOR.
    const doc = rule({ enabled: true, triggers: [{ kind: 'event', type: 'percept.motion' }] });
    const canonical = { ...doc, version: 1, mode: 'single', conditions: [] } as Record<string, unknown>;
    delete canonical.enabled;
    const expected = createHash('sha256')
      .update(encodeCbor(fromJsonValue(canonical)))
      .digest('hex');
    assert.equal(compileRule(doc).version, expected);
    assert.equal(expected, '266acf24c2052926e59838e1344bf3534328e209af3c57892554314aec7e32d2');
  });
});
