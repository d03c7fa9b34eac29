import { spawn, type ChildProcess } from 'node:child_process';
import { IoError } from '../contracts/errors.js';
import type { Digital } from '../contracts/io.js';
import type { CheckedDigital } from './digital-options.js';
import { getArgs, gpiodFailure, monArgs, parseEdgeEvent, parseLineValue, setArgs, type GpiodBias, type GpiodLine, type GpiodTools } from './gpiod-tools.js';
import { assertOpen, FaultLatch } from './linux-context.js';
import { runTool } from './run-tool.js';

/**
 * Digital through the GPIO character device, driven by libgpiod's tools
 * (Pi 5, where pigpio cannot reach RP1). How each mode maps:
 *
 * - input, no edge: every read() runs gpioget (a few ms each).
 * - input with an edge: gpiomon holds the line and prints each edge; read()
 *   returns the level the last edge left (the first from a gpioget at open).
 * - output: a gpioset process holds the line, because a line released by its
 *   last holder reverts to an undefined state. With v2's interactive gpioset
 *   a write is a "set" command on its stdin; otherwise (v1, or v2 without
 *   libedit) a changed value replaces the holder, and the line is briefly
 *   unrequested in between. read() gives the value last written. Push-pull
 *   starts low, open-drain starts released (high via the pull-up).
 *
 * Errors at open (no chip, line busy) are thrown at once, from a synchronous
 * gpioget/gpioset run; a helper that dies later is reported through the
 * fault latch and thrown from the next call.
 */
export class GpiodDigital implements Digital {
  private readonly line: GpiodLine;
  private readonly bias: GpiodBias;
  private readonly faults: FaultLatch;
  private level: 0 | 1 = 0;
  private closed = false;
  private helper: ChildProcess | undefined;
  private replacing = false;

  constructor(
    private readonly tools: GpiodTools,
    chipLabel: string,
    private readonly o: CheckedDigital,
    onFault: ((e: IoError) => void) | undefined,
    private readonly onClose: () => void,
  ) {
    this.faults = new FaultLatch(onFault);
    this.line = { chip: tools.chipByLabel(chipLabel), offset: o.pin };
    this.bias = o.mode === 'input-pullup' ? 'pull-up' : o.mode === 'input-pulldown' ? 'pull-down' : 'disable';
    if (!o.output) {
      this.level = this.get();
      if (o.edge) this.monitor();
    } else {
      this.level = o.mode === 'output-opendrain' ? 1 : 0;
      const r = runTool(tools.bin('gpioset'), setArgs(tools.version(), this.line, this.level, this.openDrain, 'once'), 'gpiod');
      if (r.status !== 0) throw gpiodFailure('gpioset', this.line, r.stderr);
      this.hold();
    }
  }

  private get openDrain(): boolean {
    return this.o.mode === 'output-opendrain';
  }

  private get what(): string {
    return `digital pin ${this.o.pin} (${this.line.chip} line ${this.line.offset})`;
  }

  private get(): 0 | 1 {
    const r = runTool(this.tools.bin('gpioget'), getArgs(this.tools.version(), this.line, this.bias), 'gpiod');
    if (r.status !== 0) throw gpiodFailure('gpioget', this.line, r.stderr);
    return parseLineValue(r.stdout);
  }

  /** Spawns a helper that should live until close(); its early death is a fault. */
  private start(tool: 'gpiomon' | 'gpioset', args: string[]): ChildProcess {
    // gpiomon talks on stdout; gpioset listens on stdin (interactive) and its prompts are not read.
    const child = spawn(this.tools.bin(tool), args, { stdio: tool === 'gpiomon' ? ['ignore', 'pipe', 'pipe'] : ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
    child.stdin?.on('error', () => undefined); // EPIPE after the helper died: reported by its exit
    child.on('error', (e) => this.faults.report(new IoError('absent', `${this.what}: ${tool} could not run: ${e.message}`, { cause: e })));
    child.on('exit', (code, signal) => {
      if (this.closed || child !== this.helper || this.replacing) return;
      this.faults.report(new IoError('absent', `${this.what}: ${tool} exited (${signal ?? code}) ${stderr.trim()}`.trim()));
    });
    return child;
  }

  private monitor(): void {
    const major = this.tools.version();
    const child = (this.helper = this.start('gpiomon', monArgs(major, this.line, this.bias, this.o.edge ?? 'both')));
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      pending += s;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const edge = parseEdgeEvent(major, pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (!edge || this.closed) continue;
        this.level = edge === 'rising' ? 1 : 0;
        this.o.onReadable?.();
      }
    });
  }

  private hold(): void {
    const how = this.tools.interactive() ? 'interactive' : 'hold';
    this.helper = this.start('gpioset', setArgs(this.tools.version(), this.line, this.level, this.openDrain, how));
  }

  read(): 0 | 1 {
    assertOpen(this.closed, this.what);
    this.faults.throwIfFaulted();
    return this.o.output || this.o.edge ? this.level : (this.level = this.get());
  }

  write(value: 0 | 1): void {
    assertOpen(this.closed, this.what);
    if (!this.o.output) throw new TypeError(`${this.what} is an input (mode ${this.o.mode}); write needs an output mode`);
    if (value !== 0 && value !== 1) throw new RangeError(`value must be 0 or 1, got ${String(value)}`);
    this.faults.throwIfFaulted();
    if (value === this.level) return;
    this.level = value;
    const old = this.helper;
    if (this.tools.interactive() && old?.stdin) {
      old.stdin.write(`set ${this.line.offset}=${value}\n`);
      return;
    }
    if (this.replacing) return; // the holder being started next takes the latest level
    if (!old || old.exitCode !== null || old.signalCode !== null) return this.hold();
    this.replacing = true;
    old.once('exit', () => {
      this.replacing = false;
      if (!this.closed) this.hold();
    });
    old.kill('SIGTERM');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.helper?.kill('SIGTERM');
    this.helper = undefined;
    this.onClose();
  }
}
