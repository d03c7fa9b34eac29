import type { Board, BoardPin } from './board.js';

/**
 * What a pin may be used for, judged from the board's data alone. Each rule
 * gives the reason in words, so `fazt boards <id> --can <use>` and a refused
 * claim say the same thing.
 */
export const PIN_USES = ['digital-in', 'digital-out', 'pwm', 'adc', 'dac', 'touch', 'i2c-sda', 'i2c-scl'] as const;
export type PinUse = (typeof PIN_USES)[number];

export type Exclusion = { code: 'unknown-pin' | 'reserved-pin' | 'input-only' | 'capability' | 'bus-pins' | 'strapping-pin'; reason: string };

const RESERVED_REASON: Record<NonNullable<BoardPin['reserved']>, string> = {
  flash: 'is wired to the SPI flash',
  psram: 'is wired to the PSRAM',
  'id-eeprom': 'is reserved for the HAT ID EEPROM',
};

const OUTPUT_USES: readonly PinUse[] = ['digital-out', 'pwm', 'dac', 'i2c-sda', 'i2c-scl'];

export function findPin(board: Board, gpio: number): BoardPin | undefined {
  for (const p of board.pins) if (p.gpio === gpio) return p;
  return undefined;
}

export function isPinUse(s: string): s is PinUse {
  return (PIN_USES as readonly string[]).indexOf(s) >= 0;
}

/**
 * Null when `gpio` can serve `use` on this board, else why not. Strapping pins
 * are refused unless `allowStrapping`: they decide the boot mode, and a sensor
 * pulling one the wrong way at reset bricks the boot until it is unplugged.
 */
export function pinExclusion(board: Board, gpio: number, use: PinUse, allowStrapping = false): Exclusion | null {
  const pin = findPin(board, gpio);
  const name = `GPIO ${gpio}`;
  if (!pin) return { code: 'unknown-pin', reason: `${name} does not exist on ${board.id}` };
  if (pin.reserved) return { code: 'reserved-pin', reason: `${name} ${RESERVED_REASON[pin.reserved]}` };
  if (pin.inputOnly && OUTPUT_USES.indexOf(use) >= 0) return { code: 'input-only', reason: `${name} is input-only` };
  if (use === 'i2c-sda' || use === 'i2c-scl') {
    if (board.i2c.routing === 'fixed') {
      const role = use === 'i2c-sda' ? 'sda' : 'scl';
      const bus = board.i2c.buses.find((b) => b[role] === gpio);
      if (!bus) return { code: 'bus-pins', reason: `${name} carries no I2C ${role.toUpperCase()} on ${board.id} (${describeBuses(board)})` };
    } else if (pin.caps.indexOf('digital-in') < 0 || pin.caps.indexOf('digital-out') < 0) {
      return { code: 'capability', reason: `${name} cannot do open-drain I/O for I2C` };
    }
  } else if (pin.caps.indexOf(use) < 0) {
    return { code: 'capability', reason: `${name} has no ${use}` };
  }
  if (pin.strapping && !allowStrapping) {
    return {
      code: 'strapping-pin',
      reason: `${name} is a strapping pin (${pin.strapping}); it needs an explicit opt-in (allowStrapping, or --allow-strapping on the CLI)`,
    };
  }
  return null;
}

export function describeBuses(board: Board): string {
  return board.i2c.buses.map((b) => `bus ${b.id}: SDA ${b.sda}/SCL ${b.scl}`).join('; ');
}
