import { BoardError } from '../contracts/errors.js';
import type { Board, I2cBusDef } from './board.js';
import { describeBuses, pinExclusion, type PinUse } from './pin-rules.js';

export interface ClaimOptions {
  /** Who holds the pin, named in a refusal to anyone else. */
  owner?: string;
  /** Accept a strapping pin (see pin-rules.ts). */
  allowStrapping?: boolean;
}

export interface PinClaim {
  readonly gpio: number;
  readonly use: PinUse;
  readonly owner: string;
  release(): void;
}

export interface I2cClaim {
  readonly sda: number;
  readonly scl: number;
  /** The board's bus id when the pair is one of its listed buses. */
  readonly bus: number | undefined;
  readonly owner: string;
  release(): void;
}

/**
 * The one place pins are handed out. Every HAL backend asks here before it
 * touches hardware, so a bad request fails the same way on sim, Linux and
 * Moddable, with a BoardError whose code says which rule refused it.
 */
export class PinClaims {
  private readonly held = new Map<number, { use: PinUse; owner: string }>();
  private readonly buses = new Map<string, { users: number; release: () => void }>();

  constructor(readonly board: Board) {}

  claim(gpio: number, use: PinUse, options: ClaimOptions = {}): PinClaim {
    if (!Number.isInteger(gpio) || gpio < 0) throw new RangeError(`pin must be a GPIO number ≥ 0, got ${gpio}`);
    const owner = options.owner ?? 'anonymous';
    const ex = pinExclusion(this.board, gpio, use, options.allowStrapping === true);
    if (ex) throw new BoardError(ex.code, `${this.board.id}: ${ex.reason}`);
    const holder = this.held.get(gpio);
    if (holder) throw new BoardError('pin-in-use', `${this.board.id}: GPIO ${gpio} is already claimed by ${holder.owner} (${holder.use})`);
    this.held.set(gpio, { use, owner });
    let released = false;
    return {
      gpio,
      use,
      owner,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(gpio);
      },
    };
  }

  /**
   * SDA and SCL as one claim. On fixed-routing boards (the Pis) the pair must
   * be one of the board's buses; on matrix boards (ESP32s) any two pins that
   * can do open-drain I/O. Omitting both pins takes the default bus. Devices
   * share a bus: claiming the same pair again adds a user, and the pins are
   * freed when the last user releases.
   */
  claimI2c(pins: { sda?: number; scl?: number }, options: ClaimOptions = {}): I2cClaim {
    let { sda, scl } = pins;
    if (sda === undefined && scl === undefined) {
      const def = this.board.i2c.buses.find((b) => b.default) as I2cBusDef;
      sda = def.sda;
      scl = def.scl;
    }
    if (sda === undefined || scl === undefined) throw new TypeError('claimI2c needs both sda and scl, or neither for the default bus');
    if (sda === scl) throw new RangeError(`sda and scl must differ (both ${sda})`);
    const bus = this.board.i2c.buses.find((b) => b.sda === sda && b.scl === scl);
    if (this.board.i2c.routing === 'fixed' && !bus) {
      throw new BoardError('bus-pins', `${this.board.id}: I2C on SDA ${sda}/SCL ${scl} is not possible; its buses are ${describeBuses(this.board)}`);
    }
    const key = `${sda}/${scl}`;
    let shared = this.buses.get(key);
    if (!shared) {
      const a = this.claim(sda, 'i2c-sda', { ...options, owner: `i2c ${key}` });
      let b: PinClaim;
      try {
        b = this.claim(scl, 'i2c-scl', { ...options, owner: `i2c ${key}` });
      } catch (e) {
        a.release();
        throw e;
      }
      shared = {
        users: 0,
        release: () => {
          a.release();
          b.release();
        },
      };
      this.buses.set(key, shared);
    }
    shared.users++;
    const entry = shared;
    let released = false;
    return {
      sda,
      scl,
      bus: bus?.id,
      owner: options.owner ?? 'anonymous',
      release: () => {
        if (released) return;
        released = true;
        if (--entry.users === 0) {
          entry.release();
          this.buses.delete(key);
        }
      },
    };
  }

  holder(gpio: number): { use: PinUse; owner: string } | undefined {
    return this.held.get(gpio);
  }
}
