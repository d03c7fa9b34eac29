import { type Command, dispatch } from '../../host/cli/command.js';

/** `fazt <cmd.name> …argv` in this process with empty stdin: its exit code and what it wrote (a UsageError rejects). */
export async function runCommand(cmd: Command, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await dispatch(cmd, argv, ['fazt', cmd.name], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}
