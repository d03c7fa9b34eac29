import { dispatch } from '../../host/cli/command.js';
import { rulesCommand } from '../../host/cli/commands/rules.js';

/** `fazt rules …` in process, as main() dispatches it. */
export async function rules(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await dispatch(rulesCommand, argv, ['fazt', 'rules'], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}
