import { Command as Program, CommanderError, Option } from 'commander';

/** An option as a command declares it; --help shows its description, so every option has one. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** The value's name in --help (string options), e.g. DIR; default "value". */
  value?: string;
  /** A string option given once per item (--sensor a --sensor b): its value is the list, in order. */
  multiple?: boolean;
}

/**
 * A CLI command: a name, a one-line summary, a help text, its options and
 * positional arguments, and either a handler or subcommands. Commander
 * parses the command line, writes --help and refuses what it does not know.
 */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  help?: string;
  /** Positional arguments in commander's syntax (`<file>`, `[id]`, `[words...]`); none when absent. */
  args?: string;
  options?: Record<string, OptionSpec>;
  subcommands?: Command[];
  /** The exit code (0 when it returns nothing). */
  run?: (ctx: CommandContext) => Promise<number | undefined> | number | undefined;
}

export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
  stdin: () => Promise<Buffer>;
  out: (text: string) => void;
  err: (text: string) => void;
}

type Io = Omit<CommandContext, 'positionals' | 'values'>;

/** A flag's value when it is a string (commander gives true, an array or undefined for the others). */
export const stringFlag = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A mistake in how the command was called: exit 2, with a hint to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function flags(name: string, o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;
}

/** The commander program for `spec`, named by its path (`fazt`, `fazt hub`); `done` receives the handler's exit code. */
function program(spec: Command, name: string, fullPath: string, io: Io, done: (code: number) => void, version?: string): Program {
  const p = new Program(name)
    .description(spec.summary)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => {} })
    .helpOption('-h, --help', 'show this help');
  // The usage line is commander's path plus what the command declares after its own path.
  if (spec.usage.startsWith(`${fullPath} `)) p.usage(spec.usage.slice(fullPath.length + 1));
  if (version !== undefined) p.version(version, '-V, --version', 'print the version');
  if (spec.help) p.addHelpText('after', `\n${spec.help}`);
  for (const sub of spec.subcommands ?? []) {
    p.addCommand(program(sub, sub.name, `${fullPath} ${sub.name}`, io, done));
  }
  if (spec.subcommands?.length) p.helpCommand('help [command]', 'show the help of a command');
  // A command's flags come before its subcommand (commander needs this on every level above one that
  // runs itself and has subcommands, fazt pulse and fazt pulse history, each with its own --hub).
  if (spec.subcommands?.length) p.enablePositionalOptions();
  const run = spec.run;
  if (!run) return p;
  if (spec.args) p.arguments(spec.args);
  const names = new Map<string, string>();
  for (const [key, o] of Object.entries(spec.options ?? {})) {
    const opt = new Option(flags(key, o), o.description);
    if (o.multiple) opt.argParser((v: string, list: string[] | undefined) => [...(list ?? []), v]);
    names.set(opt.attributeName(), key);
    p.addOption(opt);
  }
  p.action(async () => {
    const values: CommandContext['values'] = {};
    for (const [attr, v] of Object.entries(p.opts())) values[names.get(attr) ?? attr] = v as string | boolean | string[];
    done((await run({ ...io, positionals: [...p.args], values })) ?? 0);
  });
  return p;
}

/** Commander's message as one line: "unknown option '--jsn' (Did you mean --json?)". */
function oneLine(message: string): string {
  return message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

/**
 * Parses `argv` for `cmd` (reached by `path`) and runs its handler. Help and
 * the version answer 0; help shown because a subcommand is missing answers 2;
 * every other parse failure is a UsageError with commander's message.
 */
export async function dispatch(cmd: Command, argv: string[], path: string[], io: Io, version?: string): Promise<number> {
  let code = 0;
  const p = program(cmd, path.join(' '), path.join(' '), io, (c) => (code = c), version);
  try {
    await p.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (e.code === 'commander.help') return e.exitCode === 0 ? 0 : 2;
    throw new UsageError(oneLine(e.message));
  }
  return code;
}
