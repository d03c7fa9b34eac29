import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IoError } from '../contracts/errors.js';
import { checkInt } from '../contracts/check-options.js';
import type { PWM } from '../contracts/io.js';
import { assertOpen } from './linux-context.js';

/**
 * The overlay lines that route RP1 PWM0 to the header on a Pi 5
 * (/boot/firmware/config.txt, then reboot). The overlays use the BCM2711
 * function codes, which the RP1 driver translates: 4 (ALT0) puts PWM0
 * channel 0/1 on GPIO 12/13, 2 (ALT5) puts channel 2/3 on GPIO 18/19.
 * GPIO 14/15 (channels 2/3 in RP1 function a0) have no verified overlay
 * line; check them with `pinctrl -c rp1 funcs 14-15` and `pinctrl get 14`.
 */
const RP1_PWM_OVERLAY = 'dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4 (GPIO 12/13) or dtoverlay=pwm-2chan,pin=18,func=2,pin2=19,func2=2 (GPIO 18/19)';

/** RP1's PWM0 sits at 0x1f00098000 in the Pi 5 device tree (bcm2712-rpi-5-b.dts: rp1_pwm0). */
const RP1_PWM0_DEVICE = /1f00098000\.pwm$/;

/**
 * The pwmchip of RP1 PWM0 under the sysfs PWM class folder: the chip whose
 * device is RP1's PWM0, else the only chip with four channels. Its number
 * differs between kernels (pwmchip2 on early Pi 5 kernels, pwmchip0 later).
 */
export function findRp1PwmChip(pwmSysDir: string): string {
  let names: string[];
  try {
    names = readdirSync(pwmSysDir).filter((n) => /^pwmchip\d+$/.test(n));
  } catch {
    names = [];
  }
  const chips = names.map((n) => {
    const dir = join(pwmSysDir, n);
    let device = '';
    let npwm = 0;
    try {
      device = basename(realpathSync(join(dir, 'device')));
    } catch {
      // a chip without a device link is judged on npwm alone
    }
    try {
      npwm = Number(readFileSync(join(dir, 'npwm'), 'utf8').trim());
    } catch {
      // unreadable: not ours
    }
    return { dir, device, npwm };
  });
  const rp1 =
    chips.find((c) => RP1_PWM0_DEVICE.test(c.device)) ?? (chips.filter((c) => c.npwm === 4).length === 1 ? chips.find((c) => c.npwm === 4) : undefined);
  if (!rp1) {
    const seen = chips.length ? chips.map((c) => `${basename(c.dir)} (${c.device || '?'}, ${c.npwm} channels)`).join(', ') : 'none';
    throw new IoError('absent', `no RP1 PWM chip in ${pwmSysDir} (found ${seen}); enable it with ${RP1_PWM_OVERLAY}`);
  }
  return rp1.dir;
}

/** Sleeps without yielding (the sysfs PWM files appear a moment after export). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Hardware PWM through the kernel's sysfs PWM interface
 * (Documentation/ABI/testing/sysfs-class-pwm): export the channel, then
 * period and duty_cycle in nanoseconds, then enable. Used on Pi 5, where the
 * RP1 PWM is driven by the kernel's pwm-rp1 and needs the overlay in
 * RP1_PWM_OVERLAY. close() disables and unexports the channel.
 */
export class SysfsPwm implements PWM {
  private readonly dir: string;
  private readonly periodNs: number;
  private closed = false;

  constructor(
    private readonly chipDir: string,
    private readonly channel: number,
    private readonly pin: number,
    readonly hz: number,
    readonly resolution: number,
    private readonly onClose: () => void,
    exportTimeoutMs = 1000,
  ) {
    this.dir = join(chipDir, `pwm${channel}`);
    this.periodNs = Math.round(1e9 / hz);
    if (!existsSync(this.dir)) {
      this.put(join(chipDir, 'export'), channel);
      for (let waited = 0; !existsSync(this.dir); waited += 10) {
        if (waited >= exportTimeoutMs) throw new IoError('timeout', `${this.what}: ${this.dir} did not appear within ${exportTimeoutMs} ms of export`);
        pause(10);
      }
    }
    // duty 0 first: a period shorter than the duty left by a previous user is refused (EINVAL).
    this.put(join(this.dir, 'duty_cycle'), 0);
    this.put(join(this.dir, 'period'), this.periodNs);
    this.put(join(this.dir, 'enable'), 1);
  }

  private get what(): string {
    return `PWM pin ${this.pin} (${basename(this.chipDir)}/pwm${this.channel})`;
  }

  private put(file: string, value: number): void {
    try {
      writeFileSync(file, `${value}\n`);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new IoError(code === 'ENOENT' ? 'absent' : 'unsupported', `${this.what}: writing ${value} to ${file} failed (${code ?? (e as Error).message})`, {
        cause: e,
      });
    }
  }

  /** duty (0 .. 2^resolution − 1) as nanoseconds of the period. */
  dutyNs(duty: number): number {
    return Math.round((this.periodNs * duty) / (2 ** this.resolution - 1));
  }

  write(duty: number): void {
    assertOpen(this.closed, this.what);
    this.put(join(this.dir, 'duty_cycle'), this.dutyNs(checkInt('duty', duty, 0, 2 ** this.resolution - 1)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.put(join(this.dir, 'enable'), 0);
      this.put(join(this.chipDir, 'unexport'), this.channel);
    } finally {
      this.onClose();
    }
  }
}
