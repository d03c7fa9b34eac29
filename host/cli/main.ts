import { faztVersion } from '../fazt-version.js';
import { plainSystemError } from '../system-error.js';
import { dispatch, UsageError } from './command.js';
import { root } from './root.js';

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/** Runs the CLI; errors become one line on stderr: exit 2 for usage, 1 for everything else. */
export async function main(argv: string[]): Promise<number> {
  const io = { stdin: readStdin, out: (t: string) => void process.stdout.write(t), err: (t: string) => void process.stderr.write(t) };
  try {
    return await dispatch(root, argv, ['fazt'], io, faztVersion());
  } catch (e) {
    const plain = plainSystemError(e);
    const msg = plain ?? (e as Error).message?.split('\n')[0] ?? String(e);
    const code = plain ? undefined : (e as { code?: string }).code;
    process.stderr.write(`fazt: ${e instanceof UsageError || !code ? '' : `${code}: `}${msg}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
