import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IoError } from '../contracts/errors.js';
import { loadNative, type NativeLoader } from './load-native.js';
import type { PigpioModule } from './native-types.js';

function looksLikePigpio(m: unknown): m is PigpioModule {
  const gpio = (m as { Gpio?: unknown } | null)?.Gpio;
  return typeof gpio === 'function' && typeof (gpio as { INPUT?: unknown }).INPUT === 'number';
}

/**
 * pigpio, loaded once per backend and only when a pigpio board opens a pin.
 * Off a Pi its C library cannot work (it maps the BCM2835–BCM2711
 * peripherals), and requiring it prints a boxed warning; so first the device
 * tree's root `compatible` must name one of those SoCs (Pi 5's bcm2712 is not
 * one), and only then is the package required, its warning captured into the
 * error.
 * The package must be resolvable before the host is judged, so a missing
 * install is reported as such on any machine.
 */
export class PigpioLoader {
  private module: PigpioModule | undefined;

  constructor(
    private readonly loader: NativeLoader,
    private readonly boardId: string,
    private readonly deviceTreeDir: string,
  ) {}

  load(purpose: string): PigpioModule {
    if (this.module) return this.module;
    const where = { boardId: this.boardId, purpose };
    const soc = pigpioSoc(this.deviceTreeDir);
    if (!soc.ok) {
      // Resolved, not run: an absent package is still named as such on any machine.
      try {
        this.loader.resolve?.('pigpio');
      } catch (e) {
        throw new IoError('unsupported', `pigpio is not installed (needed for ${purpose} on ${this.boardId}): npm install pigpio`, { cause: e });
      }
      throw new IoError('unsupported', `pigpio drives only BCM2835–BCM2711 GPIO and this host is ${soc.found} (needed for ${purpose} on ${this.boardId})`);
    }
    this.module = loadNative(this.loader, 'pigpio', where, looksLikePigpio, (printed) =>
      /can't be loaded|did not self-register/i.test(printed)
        ? 'its C library cannot be loaded (install the pigpio C library — Raspberry Pi OS: apt install pigpio — then npm rebuild pigpio)'
        : undefined,
    );
    return this.module;
  }
}

/** Reads the device tree's root compatible list: "raspberrypi,4-model-b\0brcm,bcm2711\0". */
function pigpioSoc(deviceTreeDir: string): { ok: boolean; found: string } {
  let compatible: string;
  try {
    compatible = readFileSync(join(deviceTreeDir, 'compatible'), 'latin1');
  } catch {
    return { ok: false, found: `not a device-tree machine (no ${join(deviceTreeDir, 'compatible')})` };
  }
  const names = compatible.split('\0').filter(Boolean);
  return { ok: names.some((n) => /^brcm,bcm(2835|2836|2837|2710|2711)$/.test(n)), found: names.join(', ') || 'unnamed' };
}
