import { checkInt, checkObject } from '../contracts/check-options.js';
import type { SerialOptions, SerialPort } from '../contracts/serial.js';

/** The shape of ECMA-419's Serial class (embedded:io/serial) this binding uses; passed in so it runs on Node too. */
export interface Ecma419SerialClass {
  new (options: {
    port?: number;
    baud: number;
    format: 'buffer';
    onReadable?: (this: { read(): ArrayBuffer | undefined }, count: number) => void;
  }): { read(): ArrayBuffer | undefined; write(bytes: ArrayBuffer): void; close(): void };
}

/**
 * A serial port on a Moddable device over embedded:io/serial: readable
 * bytes are read as one buffer each time the port says some wait.
 */
export function moddableSerial(Serial: Ecma419SerialClass, o: SerialOptions): SerialPort {
  checkObject('options', o);
  checkInt('baud', o.baud, 300, 5_000_000);
  if (o.port !== undefined) checkInt('port', o.port, 0, 7);
  const onBytes = o.onBytes;
  const port = new Serial({
    port: o.port,
    baud: o.baud,
    format: 'buffer',
    onReadable() {
      const b = this.read();
      if (b && b.byteLength) onBytes(new Uint8Array(b));
    },
  });
  return {
    write: (bytes) => port.write(bytes.slice().buffer),
    close: () => port.close(),
  };
}
