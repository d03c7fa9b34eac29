import { join } from 'node:path';
import { BoardError, IoError } from '../contracts/errors.js';
import type { Edge } from '../contracts/io.js';
import { runTool } from './run-tool.js';

/**
 * The libgpiod command-line tools (Debian package `gpiod`) as the character-
 * device route to GPIO, for boards pigpio cannot drive (Pi 5: RP1). Their
 * syntax changed between libgpiod v1 (Debian 12, Raspberry Pi OS Bookworm:
 * 1.6.x) and v2 (Debian 13: 2.x); `gpioget --version` tells which, and every
 * command line is built here for both. Sources: libgpiod tools/*.c, v1.6
 * (gpioset --mode, gpiomon -b/-F %e = 0|1) and v2 (-c chip, gpiomon -F %e =
 * 1 rising | 2 falling, gpioset -t 0 = set and exit, -i only when built with
 * libedit).
 */
export type GpiodMajor = 1 | 2;
export type GpiodBias = 'pull-up' | 'pull-down' | 'disable';

export interface GpiodLine {
  /** Chip name as gpiodetect prints it, e.g. "gpiochip0". */
  chip: string;
  offset: number;
}

const GPIOD_DEBIAN_PACKAGE = 'gpiod';

/** "gpioget (libgpiod) v1.6.3" → 1; anything unrecognised → undefined. */
export function parseGpiodMajor(versionText: string): GpiodMajor | undefined {
  const m = /libgpiod\)?\s+v?(\d+)\.\d+/.exec(versionText);
  if (!m) return undefined;
  return m[1] === '1' ? 1 : Number(m[1]) >= 2 ? 2 : undefined;
}

/** gpiodetect lines: "gpiochip0 [pinctrl-rp1] (54 lines)" (the same in v1 and v2). */
export function parseGpiodetect(text: string): { name: string; label: string; lines: number }[] {
  const chips: { name: string; label: string; lines: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+\[([^\]]*)\]\s+\((\d+) lines?\)/.exec(line.trim());
    if (m) chips.push({ name: m[1], label: m[2], lines: Number(m[3]) });
  }
  return chips;
}

/** One line's value as gpioget prints it: "1", v2's `"17"=active`, or `17=inactive`. */
export function parseLineValue(text: string): 0 | 1 {
  const t = text.trim();
  if (t === '0' || /=inactive$/.test(t)) return 0;
  if (t === '1' || /=active$/.test(t)) return 1;
  throw new IoError('absent', `unexpected gpioget output: ${JSON.stringify(t)}`);
}

/** One gpiomon line printed with -F %e: v1 0 falling / 1 rising; v2 1 rising / 2 falling. */
export function parseEdgeEvent(major: GpiodMajor, line: string): 'rising' | 'falling' | undefined {
  const t = line.trim();
  if (t === '1') return 'rising';
  if ((major === 1 && t === '0') || (major === 2 && t === '2')) return 'falling';
  return undefined;
}

const biasWord = (major: GpiodMajor, bias: GpiodBias) => (major === 2 && bias === 'disable' ? 'disabled' : bias);

export function getArgs(major: GpiodMajor, line: GpiodLine, bias: GpiodBias): string[] {
  return major === 1
    ? ['-B', biasWord(1, bias), line.chip, String(line.offset)]
    : ['--numeric', '-C', 'fazt', '-b', biasWord(2, bias), '-c', line.chip, String(line.offset)];
}

/**
 * gpioset: `once` sets and exits (v1 --mode=exit, v2 -t 0), `hold` keeps the
 * line requested until SIGTERM (v1 --mode=signal, v2's default), `interactive`
 * (v2 built with libedit) takes further "set" commands on stdin.
 */
export function setArgs(major: GpiodMajor, line: GpiodLine, value: 0 | 1, openDrain: boolean, how: 'once' | 'hold' | 'interactive'): string[] {
  const assignment = `${line.offset}=${value}`;
  if (major === 1) {
    if (how === 'interactive') throw new RangeError('libgpiod v1 gpioset has no interactive mode');
    return ['-m', how === 'once' ? 'exit' : 'signal', ...(openDrain ? ['-D', 'open-drain'] : []), line.chip, assignment];
  }
  const mode = how === 'once' ? ['-t', '0'] : how === 'interactive' ? ['-i'] : [];
  return ['-C', 'fazt', ...mode, ...(openDrain ? ['-d', 'open-drain'] : []), '-c', line.chip, assignment];
}

export function monArgs(major: GpiodMajor, line: GpiodLine, bias: GpiodBias, edge: Edge): string[] {
  if (major === 1) {
    const only = edge === 'rising' ? ['-r'] : edge === 'falling' ? ['-f'] : [];
    return ['-b', '-F', '%e', '-B', biasWord(1, bias), ...only, line.chip, String(line.offset)];
  }
  return ['-C', 'fazt', '-F', '%e', '-e', edge, '-b', biasWord(2, bias), '-c', line.chip, String(line.offset)];
}

/** Judges a failed gpioget/gpioset: busy lines are a pin in use; the rest is an IoError. */
export function gpiodFailure(tool: string, line: GpiodLine, stderr: string): Error {
  const what = `${tool} ${line.chip} line ${line.offset}`;
  if (/busy/i.test(stderr)) return new BoardError('pin-in-use', `${what}: the line is held by another process or a kernel driver (${stderr})`);
  if (/permission denied/i.test(stderr)) return new IoError('unsupported', `${what}: permission denied (run as root or join the gpio group): ${stderr}`);
  return new IoError('absent', `${what} failed: ${stderr || 'no message'}`);
}

/** Finds the tools, their version and the board's chip, each once per backend. */
export class GpiodTools {
  private major: GpiodMajor | undefined;
  private interactiveSet: boolean | undefined;
  private readonly chips = new Map<string, string>();

  constructor(private readonly binDir: string | undefined) {}

  bin(tool: 'gpiodetect' | 'gpioget' | 'gpioset' | 'gpiomon'): string {
    return this.binDir ? join(this.binDir, tool) : tool;
  }

  version(): GpiodMajor {
    if (this.major) return this.major;
    const r = runTool(this.bin('gpioget'), ['--version'], GPIOD_DEBIAN_PACKAGE);
    const major = parseGpiodMajor(r.stdout);
    if (!major) throw new IoError('unsupported', `cannot tell the libgpiod version from gpioget --version: ${JSON.stringify(r.stdout.split('\n')[0])}`);
    return (this.major = major);
  }

  /** v2's gpioset takes "set" commands on stdin only when built with libedit. */
  interactive(): boolean {
    if (this.interactiveSet === undefined) {
      this.interactiveSet = this.version() === 2 && /--interactive/.test(runTool(this.bin('gpioset'), ['--help'], GPIOD_DEBIAN_PACKAGE).stdout);
    }
    return this.interactiveSet;
  }

  /** The chip whose label is `label` (its number differs across kernels: gpiochip4 then gpiochip0 on Pi 5). */
  chipByLabel(label: string): string {
    const known = this.chips.get(label);
    if (known) return known;
    const r = runTool(this.bin('gpiodetect'), [], GPIOD_DEBIAN_PACKAGE);
    const chips = parseGpiodetect(r.stdout);
    const chip = chips.find((c) => c.label === label);
    if (!chip) {
      const seen = chips.length ? chips.map((c) => `${c.name} [${c.label}]`).join(', ') : 'no gpiochip at all';
      throw new IoError('absent', `no GPIO chip labelled ${label} (gpiodetect found ${seen}${r.stderr ? `; ${r.stderr}` : ''})`);
    }
    this.chips.set(label, chip.name);
    return chip.name;
  }
}
