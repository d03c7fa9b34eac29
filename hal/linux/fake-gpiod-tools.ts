import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Stand-ins for libgpiod's gpiodetect/gpioget/gpioset/gpiomon, for machines
 * with no GPIO chip and no gpio-sim (a fake, shipped as source for tests).
 * They are small POSIX shell scripts in `dir` that speak either major
 * version's syntax as far as the backend uses it, log every invocation, and
 * keep the line's state in files:
 *
 * - `level` is what the outside world drives onto the input (gpioget prints it);
 * - `out` is what the last gpioset drove;
 * - `events` is fed by emitEdge() and printed by gpiomon like `-F %e`;
 * - `holder.pid` is the pid of the gpioset or gpiomon holding the line;
 * - `busy` makes gpioget/gpioset fail as a line held elsewhere does.
 *
 * They model the tools' interface, not the kernel: they do not check that the
 * line exists or that two holders collide.
 */
export class FakeGpiodTools {
  readonly bin: string;
  private readonly state: string;

  constructor(
    readonly dir: string,
    readonly major: 1 | 2,
    options: { interactive?: boolean; chips?: string } = {},
  ) {
    this.bin = join(dir, 'bin');
    this.state = join(dir, 'state');
    mkdirSync(this.bin, { recursive: true });
    mkdirSync(this.state, { recursive: true });
    writeFileSync(join(this.state, 'level'), '0\n');
    writeFileSync(join(this.state, 'events'), '');
    const chips = options.chips ?? 'gpiochip0 [pinctrl-bcm2835] (58 lines)\ngpiochip4 [pinctrl-rp1] (54 lines)\n';
    const s = this.state;
    const version = major === 1 ? '1.6.3' : '2.1.3';
    const head = `#!/bin/sh\nS='${s}'\necho "$(basename "$0") $*" >> "$S/log"\n`;
    const busy = (tool: string) => `if [ -e "$S/busy" ]; then echo "${tool}: error requesting GPIO lines: Device or resource busy" >&2; exit 1; fi\n`;
    const last = 'for a in "$@"; do LAST="$a"; done\n';
    this.script('gpiodetect', `${head}printf '%s' '${chips}'\n`);
    this.script('gpioget', `${head}if [ "$1" = "--version" ]; then echo "gpioget (libgpiod) v${version}"; exit 0; fi\n${busy('gpioget')}cat "$S/level"\n`);
    const help = options.interactive
      ? '  -i, --interactive\\tset the lines then wait for additional set commands'
      : '  -z, --daemonize\\tset values then detach';
    this.script(
      'gpioset',
      `${head}if [ "$1" = "--help" ]; then printf 'Usage: gpioset [OPTIONS] <line=value>...\\n${help}\\n'; exit 0; fi\n` +
        `${busy('gpioset')}${last}echo "\${LAST#*=}" > "$S/out"\n` +
        `case " $* " in *" -m exit "*|*" -t 0 "*) exit 0;; esac\n` +
        `echo $$ > "$S/holder.pid"\n` +
        `case " $* " in *" -i "*) while read cmd arg; do [ "$cmd" = set ] && echo "\${arg#*=}" > "$S/out"; done; exit 0;; esac\n` +
        `exec sleep 3600\n`,
    );
    this.script('gpiomon', `${head}echo $$ > "$S/holder.pid"\nexec tail -n +1 -f "$S/events"\n`);
  }

  private script(name: string, text: string): void {
    writeFileSync(join(this.bin, name), text, { mode: 0o755 });
  }

  /** Every invocation so far, one "tool args…" line each. */
  log(): string[] {
    const f = join(this.state, 'log');
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n') : [];
  }

  setLevel(level: 0 | 1): void {
    writeFileSync(join(this.state, 'level'), `${level}\n`);
  }

  /** The value the last gpioset drove, or undefined before any. */
  driven(): 0 | 1 | undefined {
    const f = join(this.state, 'out');
    if (!existsSync(f)) return undefined;
    const t = readFileSync(f, 'utf8').trim();
    return t === '1' ? 1 : t === '0' ? 0 : undefined;
  }

  /** An edge as gpiomon -F %e prints it for this major version. */
  emitEdge(edge: 'rising' | 'falling'): void {
    appendFileSync(join(this.state, 'events'), edge === 'rising' ? '1\n' : this.major === 1 ? '0\n' : '2\n');
  }

  /**
   * The pid of the tool holding the line, once its pid file is whole. The
   * shell creates the file before it writes it: read empty, it would be pid 0,
   * and a kill of pid 0 signals the reader's whole process group.
   */
  holderPid(): number | undefined {
    const f = join(this.state, 'holder.pid');
    const pid = existsSync(f) ? Number(readFileSync(f, 'utf8').trim()) : NaN;
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
  }

  setBusy(busy: boolean): void {
    const f = join(this.state, 'busy');
    if (busy) writeFileSync(f, '');
    else rmSync(f, { force: true });
  }
}
