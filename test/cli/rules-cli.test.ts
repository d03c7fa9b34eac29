import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventEntry } from '../../firmware/event/envelope.js';
import { momentFlag } from '../../host/cli/moment-flag.js';
import { tempDir } from '../hub/helpers.js';
import { rules } from './rules-run.js';
import { hotRule, MIN, ruleHub, type RuleHub, T0 } from '../rules/hub-rig.js';

let h: RuleHub;
let temps: EventEntry[];
const tmp = tempDir('fazt-rulescli-');
const file = (name: string, doc: unknown) => {
  const f = join(tmp.dir, name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
};

before(async () => {
  h = await ruleHub();
  temps = await h.readings(h.lab, 'bme280', 'temperature', [
    [T0 + 1 * MIN, 25],
    [T0 + 2 * MIN, 27],
    [T0 + 3 * MIN, 27],
    [T0 + 4 * MIN, 27],
    [T0 + 5 * MIN, 27],
    [T0 + 6 * MIN, 24],
  ]);
  h.setClock(T0 + 10 * MIN);
  process.env.FAZT_TOKEN = h.hub.ownerToken; // the CLI calls this hub as its owner
});
after(async () => {
  delete process.env.FAZT_TOKEN;
  await h.stop();
  tmp.cleanup();
});

describe('fazt rules test (against a hub)', () => {
  it('prints one line per firing (time, trigger, causes, actions), then that nothing is enabled to compare with', async () => {
    const r = await rules(['test', file('hot.json', hotRule()), '--since', '10m', '--hub', h.url]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^rule hot \(version [0-9a-f]{12}\) over 2026-01-05T00:00:00.000Z … 2026-01-05T00:10:00.000Z: \d+ events read, 1 firing\(s\)$/);
    assert.equal(
      lines[1],
      `2026-01-05T00:05:00.500Z  fired     trigger hot  causes ${temps[1].id},${temps[4].id}  → notify info "lab is hot"; output lab relay on`,
    );
    assert.equal(lines[2], 'no version of this rule on the hub: nothing to compare with');
  });

  it('--json prints the answer as the API gives it; --since takes an ISO time, --node a name', async () => {
    const r = await rules(['test', file('hot.json', hotRule()), '--since', '2026-01-05T00:04:00Z', '--node', 'lab', '--json', '--hub', h.url]);
    assert.equal(r.code, 0, r.err);
    const a = JSON.parse(r.out) as { from: number; node: string; firings: { at: number; causes: string[] }[] };
    assert.deepEqual([a.from, a.node, a.firings.map((f) => [f.at, f.causes])], [T0 + 4 * MIN, h.lab.id, [[T0 + 5 * MIN + 500, [temps[1].id, temps[4].id]]]]);
  });

  it('prints the difference from the enabled version: + added, - removed', async () => {
    h.rules().put(hotRule({ triggers: [{ ...(hotRule().triggers as object[])[0], above: 24 }] }));
    try {
      const r = await rules(['test', file('hot.json', hotRule()), '--since', '10m', '--hub', h.url]);
      assert.equal(r.code, 0, r.err);
      const lines = r.out.trim().split('\n');
      assert.match(lines[2], /^against the enabled version [0-9a-f]{12}: 1 added, 1 removed, 0 unchanged$/);
      assert.match(lines[3], /^\+ 2026-01-05T00:05:00.500Z {2}fired /);
      assert.match(lines[4], new RegExp(`^- 2026-01-05T00:04:00.500Z  fired     trigger hot  causes ${temps[0].id},${temps[3].id}`));
    } finally {
      h.rules().remove('hot');
    }
  });

  it('a refused rule is one line naming the code and the path; usage mistakes exit 2', async () => {
    const bad = file('bad.json', hotRule({ actions: [{ kind: 'output', node: 'lab', pin: 34, op: 'on' }] }));
    await assert.rejects(rules(['test', bad, '--since', '1h', '--hub', h.url]), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'input-only');
      assert.match(e.message, /^hub answered 400 for \/v1\/rules\/test: rule: \/actions\/0\/pin /);
      return true;
    });
    await assert.rejects(rules(['test', bad, '--hub', h.url]), /give --since/);
    await assert.rejects(rules(['test', bad, '--since', 'yesterday', '--hub', h.url]), /--since 'yesterday' is neither an ISO time/);
    await assert.rejects(rules(['test', join(tmp.dir, 'none.json'), '--since', '1h']), /cannot read .*none.json: no such file/);
  });
});

describe('fazt rules explain', () => {
  it('prints the verdict, the triggers, the conditions and the decisions; --json the answer', async () => {
    const cond = [{ kind: 'numeric', series: { node: 'lab', component: 'bme280', name: 'temperature' }, below: 20 }];
    const added = await rules(['add', file('cold-hot.json', hotRule({ id: 'cold-hot', conditions: cond })), '--hub', h.url]);
    assert.match(added.out, /^added cold-hot \(version [0-9a-f]{12}, enabled\)\n$/);
    const r = await rules(['explain', 'cold-hot', '--at', '2026-01-05T00:06:00Z', '--hub', h.url]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^rule cold-hot \(version [0-9a-f]{12}, added since: judged as it is now\) at 2026-01-05T00:06:00.000Z:$/);
    assert.match(lines[1], /^ {2}did not fire: trigger 'hot' fired but \/conditions\/0 was false/);
    assert.ok(lines.includes('conditions:'));
    assert.ok(lines.some((l) => /^ {2}false \/conditions\/0: /.test(l)));
    assert.ok(lines.some((l) => / conditions-false \/conditions\/0: /.test(l)));
    const j = await rules(['explain', 'cold-hot', '--at', '4m', '--json', '--hub', h.url]);
    assert.equal((JSON.parse(j.out) as { at: number }).at, T0 + 6 * MIN, '4m before the hub clock');
  });

  it('an unknown rule is the 404 in one line', async () => {
    await assert.rejects(rules(['explain', 'nope', '--at', '1m', '--hub', h.url]), { code: 'unknown-rule', message: /no rule 'nope'/ });
  });
});

describe('fazt rules add|list|show|enable|disable|remove against a hub running rules', () => {
  const doc = hotRule({ id: 'desk', name: 'Desk relay' });
  it('add, change, list, show, disable, enable, remove; each human and --json', async () => {
    const f = file('desk.json', doc);
    assert.match((await rules(['add', f, '--hub', h.url])).out, /^added desk \(version ([0-9a-f]{12}), enabled\)\n$/);
    assert.match((await rules(['add', f, '--hub', h.url])).out, /^unchanged desk /);
    const changed = await rules(['add', file('desk.json', { ...doc, cooldown: '1m' }), '--json', '--hub', h.url]);
    const c = JSON.parse(changed.out) as { change: string; rule: { id: string; version: string } };
    assert.deepEqual([c.change, c.rule.id], ['changed', 'desk']);

    const list = await rules(['list', '--hub', h.url]);
    const row = list.out.split('\n').find((l) => l.startsWith('desk '));
    assert.match(list.out, /^ID +NAME +STATE +VERSION +FIRINGS +LAST FIRED\n/);
    assert.match(row ?? '', new RegExp(`^desk +Desk relay +enabled +${c.rule.version.slice(0, 12)} +0 +-$`));
    const listed = JSON.parse((await rules(['list', '--json', '--hub', h.url])).out) as { rules: { id: string }[] };
    assert.ok(listed.rules.some((r) => r.id === 'desk'));

    const shown = await rules(['show', 'desk', '--hub', h.url]);
    assert.match(shown.out, /^rule {5}desk: Desk relay\nstate {4}enabled\nversion {2}[0-9a-f]{64}\nfirings {2}0 \(last -\)\n\{/);
    assert.equal((JSON.parse((await rules(['show', 'desk', '--json', '--hub', h.url])).out) as { document: { cooldown: string } }).document.cooldown, '1m');

    assert.equal((await rules(['disable', 'desk', '--hub', h.url])).out, 'disabled desk\n');
    assert.match((await rules(['list', '--hub', h.url])).out, /\ndesk +Desk relay +disabled /);
    assert.equal((JSON.parse((await rules(['enable', 'desk', '--json', '--hub', h.url])).out) as { rule: { enabled: boolean } }).rule.enabled, true);
    assert.equal((await rules(['remove', 'desk', '--hub', h.url])).out, 'removed desk\n');
    await assert.rejects(rules(['show', 'desk', '--hub', h.url]), { code: 'unknown-rule' });
    await assert.rejects(rules(['enable', 'desk', '--hub', h.url]), { code: 'unknown-rule' });
  });

  it('add refuses an impossible pin, naming the path; nothing is stored', async () => {
    const before = (await rules(['list', '--json', '--hub', h.url])).out;
    await assert.rejects(
      rules(['add', file('pin.json', hotRule({ id: 'pin', actions: [{ kind: 'output', node: 'lab', pin: 34, op: 'on' }] })), '--hub', h.url]),
      {
        code: 'input-only',
        message: /^hub answered 400 for \/v1\/rules: rule: \/actions\/0\/pin .*input-only/,
      },
    );
    assert.equal((await rules(['list', '--json', '--hub', h.url])).out, before);
  });
});

describe('moments people type', () => {
  it('a duration ago counts back from the given now; an ISO time needs its zone', () => {
    assert.equal(momentFlag('7d', '--since', T0), T0 - 7 * 86_400_000);
    assert.equal(momentFlag('2026-01-05T01:00:00+01:00', '--at', 0), T0);
    assert.throws(() => momentFlag('2026-01-05T01:00', '--at', 0), /--at '2026-01-05T01:00' is neither an ISO time with its zone/);
    assert.throws(() => momentFlag('7', '--since', 0), /neither/);
  });

  it('every subcommand has --help', async () => {
    for (const sub of ['add', 'list', 'show', 'enable', 'disable', 'remove', 'test', 'explain']) {
      const r = await rules([sub, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^Usage: fazt rules ${sub} `));
      assert.match(r.out, /--json/);
    }
  });
});
