/**
 * The device build's binding of the native ECMA-419 classes (manifest.json
 * maps embedded:io/* to Moddable's implementations for esp32, the UDP socket
 * among them). Only mcconfig compiles this file; everything else receives
 * the classes through createModdableBackend.
 */
import Digital from 'embedded:io/digital';
import I2C from 'embedded:io/i2c';
import PWM from 'embedded:io/pwm';
import UDP from 'embedded:io/socket/udp';
import type { Ecma419Classes } from './moddable-backend.js';

// Moddable's own declarations (which mcconfig type-checks against) lack close() on I2C and PWM; the classes have it.
export const embeddedIo = { Digital, I2C, PWM, UDP } as unknown as Ecma419Classes;
