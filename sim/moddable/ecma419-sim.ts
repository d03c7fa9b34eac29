import type { UDP as HalUdp, UdpOptions } from '../../hal/contracts/io.js';
import type { Ecma419Classes, Ecma419Digital, Ecma419I2C, Ecma419PWM } from '../../hal/moddable/moddable-backend.js';
import type { Ecma419UDP } from '../../hal/moddable/moddable-udp.js';
import type { SimI2cPort, SimPinPort } from '../../hal/sim/sim-ports.js';

/** The network behind the simulated UDP class: a host socket that can also join groups later (hal/linux/linux-udp.ts). */
export type Ecma419SimNetwork = (options: UdpOptions) => HalUdp & { join(group: string): void };

/**
 * ECMA-419 io classes as Moddable's esp32 implementations behave, over the
 * simulator: numeric mode constants (Moddable's values), Rising/Falling bit
 * flags, read() returning an ArrayBuffer, and a plain Error (not our IoError)
 * when a transfer is not acknowledged; a UDP socket (with `network`) whose
 * read() gives an ArrayBuffer carrying address and port, whose onReadable
 * gets the count waiting, whose write takes (buffer, address, port) and
 * whose add() joins a group. The Moddable backend is tested against these,
 * so its mapping runs without a device.
 */
export function ecma419SimClasses(pins: SimPinPort, i2c: (sda: number, scl: number) => SimI2cPort, network?: Ecma419SimNetwork): Ecma419Classes {
  class Digital implements Ecma419Digital {
    static readonly Input = 0;
    static readonly InputPullUp = 1;
    static readonly InputPullDown = 2;
    static readonly Output = 8;
    static readonly OutputOpenDrain = 9;
    static readonly Rising = 1;
    static readonly Falling = 2;
    private unwatch: (() => void) | undefined;
    private readonly pin: number;
    private readonly mode: number;
    private outLevel: 0 | 1 = 0;

    constructor(o: { pin: number; mode: number; edge?: number; onReadable?: () => void }) {
      this.pin = o.pin;
      this.mode = o.mode;
      if (o.onReadable && o.edge) {
        const edge = o.edge;
        const cb = o.onReadable;
        let last = this.read();
        this.unwatch = pins.watch(o.pin, () => {
          const now = this.read();
          if (now === last) return;
          if ((now === 1 && edge & 1) || (now === 0 && edge & 2)) cb();
          last = now;
        });
      }
    }

    read(): 0 | 1 {
      if (this.mode >= 8) return this.outLevel;
      const l = pins.level(this.pin);
      if (l !== null) return l;
      return this.mode === 1 ? 1 : 0;
    }

    write(v: 0 | 1): void {
      this.outLevel = v;
      pins.drive(this.pin, v);
    }

    close(): void {
      this.unwatch?.();
    }
  }

  class I2C implements Ecma419I2C {
    private readonly port: SimI2cPort;
    private readonly address: number;
    constructor(o: { data: number; clock: number; hz: number; address: number }) {
      this.port = i2c(o.data, o.clock);
      this.address = o.address;
    }
    read(count: number): ArrayBuffer {
      try {
        const b = this.port.read(this.address, count);
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      } catch {
        throw new Error('read failed'); // Moddable's message carries no code
      }
    }
    write(buffer: ArrayBuffer | ArrayBufferView): void {
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      try {
        this.port.write(this.address, bytes);
      } catch {
        throw new Error('write failed');
      }
    }
    close(): void {}
  }

  class PWM implements Ecma419PWM {
    private readonly pin: number;
    private readonly hz: number;
    private readonly resolution: number;
    constructor(o: { pin: number; hz?: number; resolution?: number }) {
      this.pin = o.pin;
      this.hz = o.hz ?? 1000;
      this.resolution = o.resolution ?? 10;
    }
    write(v: number): void {
      pins.pwm(this.pin, this.hz, v / ((1 << this.resolution) - 1));
    }
    close(): void {}
  }

  class UDP implements Ecma419UDP {
    private readonly io: ReturnType<Ecma419SimNetwork>;
    private readonly waiting: (ArrayBuffer & { address: string; port: number })[] = [];

    constructor(o: { port?: number; timeToLive?: number; onReadable?: (count: number) => void }) {
      const port = o.port ?? 0;
      if (!(port >= 0 && port <= 65535)) throw new RangeError('invalid port');
      if (o.timeToLive !== undefined && !(o.timeToLive > 0 && o.timeToLive <= 255)) throw new RangeError('invalid timeToLive');
      const cb = o.onReadable;
      // Like lwip's packet list: each arrival is queued here, then onReadable hears how many wait.
      this.io = (network as Ecma419SimNetwork)({
        port,
        onReadable: () => {
          for (let d = this.io.read(); d; d = this.io.read()) {
            const b = d.bytes.slice().buffer as ArrayBuffer & { address: string; port: number };
            b.address = d.address;
            b.port = d.port;
            this.waiting.push(b);
          }
          if (cb && this.waiting.length) cb(this.waiting.length);
        },
      });
    }

    read(): (ArrayBuffer & { address: string; port: number }) | undefined {
      return this.waiting.shift();
    }

    write(buffer: ArrayBuffer | ArrayBufferView, address: string, port: number): void {
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      try {
        this.io.write(bytes, address, port);
      } catch {
        throw new Error('UDP send failed'); // Moddable's message carries no code
      }
    }

    add(group: string): void {
      this.io.join(group);
    }

    close(): void {
      this.waiting.length = 0;
      this.io.close();
    }
  }

  return network ? { Digital, I2C, PWM, UDP } : { Digital, I2C, PWM };
}
