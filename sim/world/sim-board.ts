import { SimHealth } from '../../hal/sim/sim-health.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import type { Board } from '../../hal/board/board.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import { createSimBackend } from '../../hal/sim/sim-backend.js';
import { LinuxUdp } from '../../hal/linux/linux-udp.js';
import type { SimAnalogPort, SimAudioPort, SimBleAirPort, SimUdpPort } from '../../hal/sim/sim-ports.js';
import type { I2cDeviceModel } from '../i2c/i2c-device-model.js';
import { SimI2cBus } from '../i2c/sim-i2c-bus.js';
import { SimPins } from './sim-pins.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * A virtual board: any boards/*.json with simulated buses and pins behind the
 * same HAL the hardware uses. The simulator is just another board: drivers
 * and firmware cannot tell (STYLE habit 4).
 */
export class SimBoard {
  readonly claims: PinClaims;
  readonly pins: SimPins;
  readonly backend: HalBackend;
  /** The board's heap, uptime and signal as the scenario scripts them (health.set). */
  readonly health: SimHealth;
  private readonly buses = new Map<string, SimI2cBus>();
  /** The device models wired to this board, by the sensor name the node's config gives them (the simulator page's controls). */
  readonly devices = new Map<string, object>();

  /**
   * `udp` is the board's network: omitted, the simulator's own (node:dgram
   * on this process's network: loopback in tests, a namespace in the LAN
   * tests); null, a board without a network.
   */
  constructor(
    readonly name: string,
    readonly board: Board,
    readonly clock: VirtualClock,
    extra: { audio?: SimAudioPort; ble?: SimBleAirPort; udp?: SimUdpPort | null; battery?: SimAnalogPort } = {},
  ) {
    this.claims = new PinClaims(board);
    this.pins = new SimPins();
    const udp = extra.udp === null ? undefined : (extra.udp ?? ((o) => new LinuxUdp(o)));
    this.health = new SimHealth(clock);
    this.backend = createSimBackend(this.claims, {
      i2c: (sda, scl) => this.bus(sda, scl),
      pins: this.pins,
      audio: extra.audio,
      ble: extra.ble,
      udp,
      health: this.health,
      batteryPin: extra.battery,
    });
  }

  /** The bus on these pins (the default bus when omitted), created on first use. */
  bus(sda?: number, scl?: number): SimI2cBus {
    if (sda === undefined || scl === undefined) {
      const def = this.board.i2c.buses.find((b) => b.default);
      if (!def) throw new RangeError(`${this.board.id} has no default I2C bus`);
      sda = def.sda;
      scl = def.scl;
    }
    const key = `${sda}/${scl}`;
    let bus = this.buses.get(key);
    if (!bus) {
      const listed = this.board.i2c.buses.find((b) => b.sda === sda && b.scl === scl);
      bus = new SimI2cBus(listed ? listed.id : this.buses.size + 100);
      this.buses.set(key, bus);
    }
    return bus;
  }

  attachI2c(model: I2cDeviceModel, pins: { sda?: number; scl?: number } = {}): void {
    this.bus(pins.sda, pins.scl).attach(model);
  }
}
