/**
 * The parts of Moddable's ECMA-419 IO modules (embedded:io/*) this backend
 * uses, declared by the project (ECMA-419 2nd ed. §9.2 Digital, §9.6 I2C,
 * §9.5 PWM; Moddable's modules/io). Only mcconfig builds resolve these
 * modules; on Node and in tests the backend gets the classes injected.
 */
declare module 'embedded:io/digital' {
  export default class Digital {
    static readonly Input: number;
    static readonly InputPullUp: number;
    static readonly InputPullDown: number;
    static readonly Output: number;
    static readonly OutputOpenDrain: number;
    static readonly Rising: number;
    static readonly Falling: number;
    constructor(options: { pin: number; mode: number; edge?: number; onReadable?: (this: Digital) => void });
    read(): 0 | 1;
    write(value: 0 | 1): void;
    close(): void;
  }
}

declare module 'embedded:io/i2c' {
  export default class I2C {
    constructor(options: { data: number; clock: number; hz: number; address: number; port?: number });
    read(count: number, stop?: boolean): ArrayBuffer;
    write(buffer: ArrayBuffer | ArrayBufferView, stop?: boolean): void;
    close(): void;
  }
}

declare module 'embedded:io/pwm' {
  export default class PWM {
    constructor(options: { pin: number; hz?: number; resolution?: number });
    readonly hz: number;
    readonly resolution: number;
    write(value: number): void;
    close(): void;
  }
}

declare module 'embedded:io/analog' {
  export default class Analog {
    constructor(options: { pin: number; resolution?: number });
    readonly resolution: number;
    read(): number;
    close(): void;
  }
}

declare module 'embedded:io/serial' {
  export default class Serial {
    constructor(options: {
      port?: number;
      baud: number;
      format: 'buffer';
      onReadable?: (this: Serial, count: number) => void;
    });
    read(): ArrayBuffer | undefined;
    write(bytes: ArrayBuffer): void;
    close(): void;
  }
}
