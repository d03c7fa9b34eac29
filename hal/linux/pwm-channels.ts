import { BoardError } from '../contracts/errors.js';

/**
 * Which hardware PWM channel drives which header GPIO. Two GPIOs on one
 * channel share its frequency and duty, so the second is refused while the
 * first holds it.
 *
 * BCM2835–BCM2711 PWM0 (BCM2711 ARM Peripherals §8 and the alternate
 * function table in §5.3): GPIO 12 and 18 are channel 0 (ALT0 / ALT5),
 * GPIO 13 and 19 are channel 1.
 *
 * RP1 PWM0 (RP1 peripherals datasheet, GPIO function table; the kernel's
 * pinctrl-rp1 names PWM0_CHAN0..3): GPIO 12 → 0, 13 → 1, 14 → 2, 15 → 3
 * (function a0), 18 → 2, 19 → 3 (function a3). The kernel's pwm-rp1 exposes
 * the four channels as pwm0..pwm3 of one pwmchip.
 */
export const BCM_PWM0_CHANNELS: Readonly<Record<number, number>> = { 12: 0, 13: 1, 18: 0, 19: 1 };
export const RP1_PWM0_CHANNELS: Readonly<Record<number, number>> = { 12: 0, 13: 1, 14: 2, 15: 3, 18: 2, 19: 3 };

/** Hands out channels; one guard per backend and PWM block. */
export class PwmChannels {
  private readonly held = new Map<number, number>();

  constructor(
    private readonly boardId: string,
    private readonly table: Readonly<Record<number, number>>,
  ) {}

  /** The channel for `pin`, taken until the returned release is called. */
  take(pin: number): { channel: number; release: () => void } {
    const channel = this.table[pin];
    if (channel === undefined) throw new BoardError('capability', `${this.boardId}: GPIO ${pin} has no hardware PWM channel`);
    const other = this.held.get(channel);
    if (other !== undefined) {
      throw new BoardError('pin-in-use', `${this.boardId}: GPIO ${pin} shares PWM channel ${channel} with GPIO ${other}, which is already driving it`);
    }
    this.held.set(channel, pin);
    let released = false;
    return {
      channel,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(channel);
      },
    };
  }
}
