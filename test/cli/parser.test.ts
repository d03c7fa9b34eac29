import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dispatch, UsageError, type Command } from '../../host/cli/command.js';
import { root } from '../../host/cli/root.js';
import { runFazt } from '../helpers/child-process.js';

const repo = new URL('../..', import.meta.url).pathname;

/** Every command with a handler, with its path. */
function leaves(cmd: Command, path: string[]): { cmd: Command; path: string[] }[] {
  if (!cmd.subcommands) return [{ cmd, path }];
  return cmd.subcommands.flatMap((c) => leaves(c, [...path, c.name]));
}

async function helpOf(path: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await dispatch(root, [...path, '--help'], ['fazt'], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => {
      text += t;
    },
    err: (t) => {
      text += t;
    },
  });
  return { code, text };
}

describe('the CLI parser (commander)', () => {
  it('every command answers --help, and every option there says what it does', async () => {
    const all = leaves(root, []);
    assert.ok(all.length >= 25, `${all.length} commands`);
    for (const { cmd, path } of all) {
      const { code, text } = await helpOf(path);
      assert.equal(code, 0, path.join(' '));
      assert.match(text, new RegExp(`^Usage: fazt ${path.join(' ')}`), path.join(' '));
      const lines = text.split('\n');
      for (const [name, o] of Object.entries(cmd.options ?? {})) {
        assert.ok(o.description.length > 10, `${path.join(' ')} --${name} has a description`);
        const flag = new RegExp(`^\\s+(-\\w, )?--${name}( |$)`);
        const line = lines.find((l) => flag.test(l));
        assert.ok(line, `${path.join(' ')} --help lists --${name}:\n${text}`);
        // the description starts on the option's own line (commander wraps the rest)
        assert.ok(line.includes(o.description.slice(0, 12)), `${path.join(' ')} --${name} is described in --help: ${line}`);
      }
    }
  });
  it('fazt --version prints the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const r = runFazt(['--version']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), version);
  });
  it("fazt help boards prints the help of boards, not the top level's", () => {
    const r = runFazt(['help', 'boards']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Usage: fazt boards/);
    assert.match(r.out, /--allow-strapping\s+count strapping pins/);
    assert.doesNotMatch(r.out, /Commands:/);
    assert.match(runFazt(['sim', 'help', 'run']).out, /^Usage: fazt sim run/);
  });
  it("a mistyped flag: commander's unknown-option message and its suggestion, one line on stderr, exit 2", () => {
    const r = runFazt(['boards', '--jsn']);
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(r.err, "fazt: unknown option '--jsn' (Did you mean --json?)\n");
    const sub = runFazt(['sim', 'run', 'sim/scenarios/c3-room.json', '--duraton', '1m']);
    assert.equal(sub.code, 2);
    assert.equal(sub.err, "fazt: unknown option '--duraton' (Did you mean --duration?)\n");
    assert.doesNotMatch(sub.err, /positional argument|parseArgs/);
  });
  it('exit codes: 0 on success, 2 for usage mistakes, 1 for everything else', () => {
    assert.equal(runFazt(['boards', 'rpi-5', '--json']).code, 0);
    for (const args of [['frobnicate'], ['boards', 'a', 'b'], ['boards', '--can'], ['sim'], ['event', 'verify']]) {
      const r = runFazt(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.ok(r.err.startsWith('fazt: ') || r.err.startsWith('Usage: '), r.err);
    }
    assert.equal(runFazt(['boards', 'nope']).code, 1);
  });
  it('a command missing its subcommand shows its help on stderr and exits 2', async () => {
    let err = '';
    const code = await dispatch(root, ['beacon'], ['fazt'], {
      stdin: async () => Buffer.alloc(0),
      out: () => {},
      err: (t) => {
        err += t;
      },
    });
    assert.equal(code, 2);
    assert.match(err, /^Usage: fazt beacon/);
    assert.match(err, /scan .*Search the LAN/);
  });
  it('usage mistakes in process are UsageErrors with the message commander gives', async () => {
    const io = { stdin: async () => Buffer.alloc(0), out: () => {}, err: () => {} };
    await assert.rejects(
      dispatch(root, ['keygen', '--fromat', 'json'], ['fazt'], io),
      (e: unknown) => e instanceof UsageError && /unknown option '--fromat' \(Did you mean --format\?\)/.test(e.message),
    );
    await assert.rejects(dispatch(root, ['hub', 'extra'], ['fazt'], io), (e: unknown) => e instanceof UsageError && /too many arguments/.test(e.message));
    await assert.rejects(
      dispatch(root, ['invite', '--ttl'], ['fazt'], io),
      (e: unknown) => e instanceof UsageError && /--ttl <DURATION>' argument missing/.test(e.message),
    );
  });
});
