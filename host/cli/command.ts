import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A CLI command: a name, a one-line summary, a help text, its options (for
 * node:util parseArgs, strict) and either a handler or subcommands. Every
 * level answers --help.
 */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  help?: string;
  options?: ParseArgsConfig['options'];
  subcommands?: Command[];
  run?: (ctx: CommandContext) => Promise<number | void> | number | void;
}

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  stdin: () => Promise<Buffer>;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A mistake in how the command was called: exit 2, with a hint to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function helpText(cmd: Command, path: string[]): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary];
  if (cmd.help) lines.push('', cmd.help);
  if (cmd.subcommands) {
    lines.push('', 'Commands:');
    const w = Math.max(...cmd.subcommands.map((c) => c.name.length));
    for (const c of cmd.subcommands) lines.push(`  ${c.name.padEnd(w)}  ${c.summary}`);
    lines.push('', `Run '${[...path, '<command>'].join(' ')} --help' for a command's options.`);
  }
  if (cmd.options && Object.keys(cmd.options).length) {
    lines.push('', 'Options:');
    for (const [name, o] of Object.entries(cmd.options)) {
      const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' <value>' : ''}`;
      lines.push(`  ${flag}`);
    }
  }
  lines.push('  -h, --help');
  return lines.join('\n') + '\n';
}

export async function dispatch(cmd: Command, argv: string[], path: string[], io: Omit<CommandContext, 'positionals' | 'values'>): Promise<number> {
  if (cmd.subcommands) {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.out(helpText(cmd, path));
      return first === undefined ? 2 : 0;
    }
    const sub = cmd.subcommands.find((c) => c.name === first);
    if (sub) return dispatch(sub, rest, [...path, sub.name], io);
    if (!cmd.run) throw new UsageError(`unknown command '${first}' for '${path.join(' ')}' (try --help)`);
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(helpText(cmd, path));
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: cmd.options ?? {}, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${path.join(' ')}: ${(e as Error).message.split('\n')[0]}`);
  }
  const code = await (cmd.run as NonNullable<Command['run']>)({ ...io, positionals: parsed.positionals, values: parsed.values });
  return code ?? 0;
}
