import { spawnSync } from 'node:child_process';
import { IoError } from '../contracts/errors.js';

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command-line tool to completion, synchronously and bounded in time
 * (ECMA-419 reads and writes are synchronous). A tool that is not there is
 * IoError('unsupported') naming the Debian package that ships it; one that
 * outlives `timeoutMs` is killed and reported as IoError('timeout'). A
 * non-zero exit is returned, for the caller to judge.
 */
export function runTool(file: string, args: readonly string[], debianPackage: string, timeoutMs = 2000): ToolResult {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new IoError('unsupported', `${file} not found: apt install ${debianPackage}`, { cause: r.error });
    if (code === 'ETIMEDOUT') throw new IoError('timeout', `${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`, { cause: r.error });
    throw new IoError('unsupported', `${file} could not run: ${r.error.message}`, { cause: r.error });
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.trim() };
}
