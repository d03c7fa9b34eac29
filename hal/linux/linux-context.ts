import { IoError } from '../contracts/errors.js';
import type { Board } from '../board/board.js';
import type { PinClaims } from '../board/pin-claims.js';
import type { NativeLoader } from './load-native.js';

/**
 * What every linux io needs: the board and its claims, how native packages
 * load, where the kernel's device and sysfs files are, which command-line
 * tools to run, and where faults that happen between calls go. Everything
 * has a production default; tests point the paths and tools at fakes.
 */
export interface LinuxBackendOptions {
  board: Board;
  claims: PinClaims;
  /** How pigpio, i2c-bus and node-ble are loaded (default: require by name). */
  loader?: NativeLoader;
  /** Folder holding i2c-N (default /dev). */
  devDir?: string;
  /** Where procfs is mounted, for the health figures (default /proc). */
  procDir?: string;
  /** The device tree, whose root `compatible` names the SoC (default /proc/device-tree). */
  deviceTreeDir?: string;
  /** The sysfs PWM class folder (default /sys/class/pwm). */
  pwmSysDir?: string;
  /** Folder holding gpiodetect/gpioget/gpioset/gpiomon (default: found on PATH). */
  gpiodBinDir?: string;
  /** aplay and arecord executables (default: found on PATH). */
  aplay?: string;
  arecord?: string;
  /** The BlueZ adapter to scan with, e.g. "hci0" (default: the first one). */
  bleAdapter?: string;
  /** How often the scanner reads BlueZ's device list (default 1000 ms). */
  blePollMs?: number;
  /** Faults that happen between calls (a helper process died, D-Bus failed). */
  onFault?: (error: IoError) => void;
}

export interface LinuxContext {
  readonly board: Board;
  readonly claims: PinClaims;
  readonly loader: NativeLoader;
  readonly devDir: string;
  readonly deviceTreeDir: string;
  readonly pwmSysDir: string;
  readonly gpiodBinDir: string | undefined;
  readonly aplay: string;
  readonly arecord: string;
  readonly bleAdapter: string | undefined;
  readonly blePollMs: number;
  readonly onFault: ((error: IoError) => void) | undefined;
}

/**
 * The first fault an io met between calls. It is handed to onFault at once
 * and thrown from the io's next call (close() excepted), so a fault is never
 * silent even without a listener.
 */
export class FaultLatch {
  private fault: IoError | undefined;

  constructor(private readonly onFault: ((error: IoError) => void) | undefined) {}

  report(error: IoError): void {
    if (this.fault) return;
    this.fault = error;
    this.onFault?.(error);
  }

  get current(): IoError | undefined {
    return this.fault;
  }

  throwIfFaulted(): void {
    if (this.fault) throw this.fault;
  }
}

/** Use-after-close guard shared by every linux io. */
export function assertOpen(closed: boolean, what: string): void {
  if (closed) throw new IoError('closed', `${what} used after close`);
}
