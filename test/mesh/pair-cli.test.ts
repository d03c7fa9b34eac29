import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { root } from '../../host/cli/root.js';
import { startHub, tempDir } from '../hub/helpers.js';
import type { RunningHub } from './pair-helpers.js';

/** Runs `fazt …` in this process against `hub` as its owner; the exit code and what it printed, an error as main() prints it. */
async function fazt(hub: RunningHub, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdin: async () => Buffer.alloc(0), out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
  try {
    return { code: await dispatch(root, [...argv, '--hub', hub.url, '--token', hub.hub.ownerToken], ['fazt'], io), out };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { code: e instanceof UsageError ? 2 : 1, out: `${out}fazt: ${code ? `${code}: ` : ''}${(e as Error).message}\n` };
  }
}

describe('fazt mesh pair and fazt mesh peers', () => {
  let a: RunningHub;
  let b: RunningHub;
  let c: RunningHub;
  const tmp = tempDir('fazt-pair-cli-');
  before(async () => {
    [a, b, c] = await Promise.all([startHub(), startHub(), startHub()]);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    tmp.cleanup();
  });

  it('makes an invite on one hub and accepts its token on the other; peers lists both ways', async () => {
    const made = await fazt(a, 'mesh', 'pair', '--ttl', '10m', '--json');
    assert.equal(made.code, 0, made.out);
    const inv = JSON.parse(made.out) as { token: string; words: string; hub: string };
    assert.equal(inv.words.split(' ').length, 24);
    const acc = await fazt(b, 'mesh', 'pair', '--accept', inv.token, '--name', 'workshop');
    assert.equal(acc.code, 0, acc.out);
    assert.match(acc.out, new RegExp(`paired with hub ${a.hub.hubLog.id}`));
    const onA = JSON.parse((await fazt(a, 'mesh', 'peers', '--json')).out) as { hub: string; name: string }[];
    assert.deepEqual(
      onA.map((p) => [p.hub, p.name]),
      [[b.hub.hubLog.id, 'workshop']],
    );
    const text = await fazt(b, 'mesh', 'peers');
    assert.match(text.out, new RegExp(`${a.hub.hubLog.id} .* nodes: all`));
    const again = await fazt(c, 'mesh', 'pair', '--accept', inv.token);
    assert.equal(again.code, 1);
    assert.match(again.out, /pair-invite.*already used/);
  });

  it('the sound form: --chirp -o writes it, --listen --from-wav accepts it', async () => {
    const wav = join(tmp.dir, 'pair.wav');
    const made = await fazt(a, 'mesh', 'pair', '--chirp', '-o', wav, '--mode', 'fast');
    assert.equal(made.code, 0, made.out);
    assert.match(made.out, /sound: .*pair\.wav/);
    const acc = await fazt(c, 'mesh', 'pair', '--listen', '--from-wav', wav);
    assert.equal(acc.code, 0, acc.out);
    assert.ok((await fazt(a, 'mesh', 'peers')).out.includes(c.hub.hubLog.id));
  });

  it('--only, --set-url and --remove change the peer; bad usage exits 2', async () => {
    const id = c.hub.hubLog.id;
    const node = a.hub.hubLog.id;
    assert.equal((await fazt(a, 'mesh', 'peers', '--only', id, node)).code, 0);
    assert.match((await fazt(a, 'mesh', 'peers')).out, new RegExp(`${id} .* nodes: ${node}`));
    assert.equal((await fazt(a, 'mesh', 'peers', '--set-url', id, 'http://192.0.2.1:7070')).code, 0);
    assert.match((await fazt(a, 'mesh', 'peers')).out, new RegExp(`${id} .* http://192.0.2.1:7070`));
    assert.equal((await fazt(a, 'mesh', 'peers', '--remove', id)).code, 0);
    assert.ok(!(await fazt(a, 'mesh', 'peers')).out.includes(id));
    assert.equal((await fazt(a, 'mesh', 'pair', '--accept', 'x', '--words', 'y')).code, 2);
    assert.equal((await fazt(a, 'mesh', 'peers', '--set-url', id)).code, 2);
  });
});
