import { type BatterySource, type BatteryWiring, batteryFromAdc } from '../contracts/battery.js';

/** The shape of ECMA-419's Analog class (embedded:io/analog, §10.2) this binding uses. */
export interface Ecma419AnalogClass {
  new (options: { pin: number; resolution?: number }): { readonly resolution: number; read(): number; close(): void };
}

/**
 * The board's battery on a Moddable device: one ADC sample through the
 * board's divider per read. The pin is opened only for the read, so the
 * battery holds no ADC channel between health reports.
 */
export function moddableBattery(Analog: Ecma419AnalogClass, wiring: BatteryWiring): BatterySource {
  return {
    read() {
      const adc = new Analog({ pin: wiring.pin });
      try {
        return batteryFromAdc(adc.read(), adc.resolution, wiring);
      } finally {
        adc.close();
      }
    },
  };
}
