import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { get, post } from '../hub/helpers.js';
import { hotRule, MIN, ruleHub, type RuleHub, T0 } from './hub-rig.js';

/**
 * POST /v1/rules/test and GET /v1/rules/explain against a real hub on
 * loopback: the stored log decides, the enabled version comes from the
 * hub's own chain, refusals name the path.
 */
let h: RuleHub;
let temps: EventEntry[];
let hallTemps: EventEntry[];
let hallId = '';

const test = (body: unknown) => post(`${h.url}/v1/rules/test`, JSON.stringify(body), 'application/json');
type Firing = { at: number; trigger: string; causes: string[]; actions: { kind: string; [k: string]: unknown }[] };

before(async () => {
  h = await ruleHub();
  // lab: 25 (below), then 27 from +2m: the window opens at +2m and is proven by the reading of +5m.
  temps = await h.readings(h.lab, 'bme280', 'temperature', [
    [T0 + 1 * MIN, 25],
    [T0 + 2 * MIN, 27],
    [T0 + 3 * MIN, 27],
    [T0 + 4 * MIN, 27],
    [T0 + 5 * MIN, 27],
    [T0 + 6 * MIN, 24],
  ]);
  // hall: a window that opens and breaks.
  const hall = h.enrol(12, 'hall');
  hallId = hall.id;
  hallTemps = await h.readings(hall, 'sht4x', 'temperature', [
    [T0 + 1 * MIN, 27],
    [T0 + 2 * MIN, 24.5],
  ]);
  h.setClock(T0 + 10 * MIN);
});
after(() => h.stop());

describe('POST /v1/rules/test: the candidate replayed over the stored log', () => {
  it('reports each firing with the event ids that caused it and the actions it would take', async () => {
    const r = await test({ rule: hotRule(), since: T0 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const firings = r.body.firings as Firing[];
    assert.equal(firings.length, 1);
    assert.equal(firings[0].at, T0 + 5 * MIN + 500, 'when the reading that proves the window was stored');
    assert.deepEqual(firings[0].causes, [temps[1].id, temps[4].id]);
    assert.deepEqual(
      firings[0].actions.map((a) => [a.kind, a.output ?? a.message]),
      [
        ['notify', 'lab is hot'],
        ['output', 'relay'],
      ],
    );
    assert.equal(firings[0].actions[1].node, h.lab.id);
    assert.deepEqual([r.body.current, r.body.diff, r.body.from, r.body.to], [null, null, T0, T0 + 10 * MIN]);
  });

  it('reads the events before since (a for: window already open) but reports only firings in [since, until)', async () => {
    const opened = await test({ rule: hotRule(), since: T0 + 4 * MIN });
    assert.deepEqual(
      (opened.body.firings as Firing[]).map((f) => f.at),
      [T0 + 5 * MIN + 500],
      'the window opened at +2m, before since',
    );
    const later = await test({ rule: hotRule(), since: T0 + 6 * MIN });
    assert.deepEqual(later.body.firings, []);
    const before = await test({ rule: hotRule(), since: T0, until: T0 + 5 * MIN });
    assert.deepEqual(before.body.firings, [], 'until is exclusive: the proving reading came later');
  });

  it('node restricts the replay to that node (and the hub chain)', async () => {
    const all = await test({ rule: hotRule(), since: T0 });
    const hall = await test({ rule: hotRule(), since: T0, node: 'hall' });
    assert.equal(hall.status, 200, JSON.stringify(hall.body));
    assert.deepEqual(hall.body.firings, []);
    assert.equal(hall.body.node, hallId);
    assert.equal(hall.body.events, (all.body.events as number) - temps.length - 1, "lab's boot and readings left out");
  });

  it('compares against the enabled version of the same id, from the rule events on the hub chain', async () => {
    // The enabled version: above 24 for 3 min, whose window opens at +1m (25) and is proven by +4m.
    h.rules().put(hotRule({ triggers: [{ ...(hotRule().triggers as object[])[0], above: 24 }] }));
    try {
      const r = await test({ rule: hotRule(), since: T0 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const current = r.body.current as { version: string; enabled: boolean; firings: number };
      assert.deepEqual([current.enabled, current.firings], [true, 1]);
      assert.notEqual(current.version, r.body.version);
      const diff = r.body.diff as { added: Firing[]; removed: Firing[]; unchanged: number };
      assert.deepEqual(
        diff.added.map((f) => f.at),
        [T0 + 5 * MIN + 500],
      );
      assert.deepEqual(
        diff.removed.map((f) => [f.at, f.causes]),
        [[T0 + 4 * MIN + 500, [temps[0].id, temps[3].id]]],
      );
      assert.equal(diff.unchanged, 0);
      const same = await test({ rule: hotRule({ triggers: [{ ...(hotRule().triggers as object[])[0], above: 24 }] }), since: T0 });
      assert.deepEqual([(same.body.diff as { unchanged: number }).unchanged, (same.body.diff as { added: unknown[] }).added], [1, []]);

      h.rules().disable('hot');
      const off = await test({ rule: hotRule(), since: T0 });
      assert.deepEqual([(off.body.current as { enabled: boolean }).enabled, off.body.diff], [false, null], 'a disabled version is no baseline');
    } finally {
      h.rules().remove('hot');
    }
  });

  it('refuses a bad document (422, as POST /v1/rules does), an impossible pin and an unknown node (400), naming the path', async () => {
    const cases: [unknown, string, string, number][] = [
      [
        hotRule({ triggers: [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, above: 'hot' }] }),
        'schema',
        '/triggers/0/above',
        422,
      ],
      [hotRule({ actions: [{ kind: 'output', node: 'lab', pin: 34, op: 'on' }] }), 'input-only', '/actions/0/pin', 400],
      [hotRule({ actions: [{ kind: 'output', node: 'lab', output: 'siren', op: 'on' }] }), 'unknown-output', '/actions/0/output', 400],
      [hotRule({ actions: [{ kind: 'output', node: 'attic', output: 'relay', op: 'on' }] }), 'unknown-node', '/actions/0/node', 400],
    ];
    for (const [rule, code, path, status] of cases) {
      const r = await test({ rule, since: T0 });
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.deepEqual([r.body.error?.code, r.body.error?.path], [code, path], JSON.stringify(r.body));
      assert.match(r.body.error?.message ?? '', new RegExp(`^rule: ${path} `));
    }
  });

  it('refuses a malformed request, naming the field', async () => {
    for (const [body, re] of [
      [{ rule: hotRule() }, /since must be ms since the epoch/],
      [{ rule: hotRule(), since: T0, until: T0 }, /until .* must be after since/],
      [{ rule: hotRule(), since: T0, nodes: 'lab' }, /unknown field 'nodes'/],
      [{ rule: hotRule(), since: T0, node: 'attic' }, /node 'attic' is neither a node id nor the name of a node/],
    ] as const) {
      const r = await test(body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.error?.message ?? '', re);
    }
  });
});

describe('GET /v1/rules/explain: why a rule fired, or why not', () => {
  const explain = (id: string, at: number) => get(`${h.url}/v1/rules/explain?id=${id}&at=${at}`);
  const add = (rule: Record<string, unknown>) => h.rules().put(rule);

  it('fired: the trigger and the events that caused it', async () => {
    add(hotRule({ id: 'hot-explained' }));
    const r = await explain('hot-explained', T0 + 6 * MIN);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(String(r.body.verdict), new RegExp(`^fired at .*trigger 'hot', caused by ${temps[1].id}, ${temps[4].id}\\)`));
    assert.equal(r.body.enabled, true);
  });

  it('why not: which condition was false', async () => {
    add(hotRule({ id: 'hot-cold', conditions: [{ kind: 'numeric', series: { node: 'hall', component: 'sht4x', name: 'temperature' }, above: 30 }] }));
    const r = await explain('hot-cold', T0 + 6 * MIN);
    assert.match(String(r.body.verdict), /^did not fire: trigger 'hot' fired but \/conditions\/0 was false/);
    assert.deepEqual(
      (r.body.conditions as { ok: boolean; path: string }[]).map((c) => [c.ok, c.path]),
      [[false, '/conditions/0']],
    );
  });

  it('why not: where the for: window broke, by which event', async () => {
    add(
      hotRule({
        id: 'hall-hot',
        triggers: [{ kind: 'numeric', series: { node: 'hall', component: 'sht4x', name: 'temperature' }, above: 26, hysteresis: 1, for: '3m' }],
      }),
    );
    const r = await explain('hall-hot', T0 + 4 * MIN);
    assert.match(String(r.body.verdict), new RegExp(`^did not fire: the window begun at .*\\(${hallTemps[0].id}\\) broke: .*\\(${hallTemps[1].id}\\)`));
    assert.ok((r.body.decisions as { what: string }[]).some((d) => d.what === 'window-broken'));
  });

  it('judges the version in force at that time; a rule added since, as it is now', async () => {
    h.setClock(T0 + 10 * MIN);
    const v1 = add(hotRule({ id: 'hot-versions' })).rule.version;
    h.setClock(T0 + 20 * MIN);
    const v2 = add(hotRule({ id: 'hot-versions', triggers: [{ ...(hotRule().triggers as object[])[0], above: 30 }] })).rule.version;
    assert.notEqual(v1, v2);
    const before = await explain('hot-versions', T0 + 15 * MIN);
    assert.deepEqual([before.body.version, before.body.judged], [v1, 'in force then']);
    const now = await explain('hot-versions', T0 + 25 * MIN);
    assert.deepEqual([now.body.version, now.body.judged], [v2, 'in force then']);
    const earlier = await explain('hot-versions', T0 + 6 * MIN);
    assert.deepEqual([earlier.body.version, earlier.body.judged], [v2, 'added since: judged as it is now']);
    h.setClock(T0 + 10 * MIN);
  });

  it('an unknown rule is 404; a bad at is 400', async () => {
    const r = await explain('nope', T0);
    assert.deepEqual([r.status, r.body.error?.code], [404, 'unknown-rule']);
    const bad = await get(`${h.url}/v1/rules/explain?id=hot-explained&at=yesterday`);
    assert.deepEqual([bad.status, bad.body.error?.code], [400, 'bad-query']);
  });
});
