import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Command, dispatch, UsageError } from '../../host/cli/command.js';
import { retentionCommand } from '../../host/cli/commands/retention.js';
import { retentionFlags } from '../../host/cli/retention-flags.js';
import { CARTRIDGE_FILE } from '../../host/hub/hub.js';
import { tempDir } from '../hub/helpers.js';
import { DAY, openWithHub, pass, storeMixed } from './fixture.js';

const tmp = tempDir('fazt-retention-cli-');
after(() => tmp.cleanup());

async function run(cmd: Command, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: (t) => void (out += t) });
  return { code, out };
}

describe('fazt retention and --retain-raw', () => {
  it('--retain-raw: 30 days unless given, off for none, a period of at least an hour', () => {
    assert.deepEqual(retentionFlags({}), { retention: { keepMs: 30 * DAY } });
    assert.deepEqual(retentionFlags({ 'retain-raw': '7d' }), { retention: { keepMs: 7 * DAY } });
    assert.deepEqual(retentionFlags({ 'retain-raw': 'off' }), {});
    assert.throws(
      () => retentionFlags({ 'retain-raw': '10m' }),
      (e: unknown) => e instanceof UsageError && /--retain-raw must be at least 1h \(or off\), got '10m'/.test(e.message),
    );
    assert.throws(
      () => retentionFlags({ 'retain-raw': 'forever' }),
      (e: unknown) => e instanceof UsageError && /--retain-raw/.test(e.message),
    );
  });

  it('status lists what was pruned from each node chain', async () => {
    const { c, log } = openWithHub(join(tmp.dir, CARTRIDGE_FILE));
    const a = storeMixed(c, 91, 200);
    const b = storeMixed(c, 92, 20);
    pass(c, log, { now: Date.now() }).runAll();
    c.close();
    const r = await run(retentionCommand, ['status', '--data', tmp.dir, '--json']);
    assert.equal(r.code, 0, r.out);
    const rows = JSON.parse(r.out) as { node: string; ranges: number; pruned: number; through: number }[];
    const by = new Map(rows.map((x) => [x.node, [x.ranges, x.pruned, x.through]]));
    assert.deepEqual(by.get(a.id), [2, 200, 202]);
    assert.deepEqual(by.get(b.id), [2, 20, 22]);
    const text = await run(retentionCommand, ['status', '--data', tmp.dir]);
    assert.match(text.out, /NODE\s+NAME\s+RANGES\s+ROWS PRUNED/);
  });
});
