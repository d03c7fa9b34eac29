import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoardError } from '../../hal/contracts/errors.js';
import { SchemaError } from '../../firmware/errors.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import { pinExclusion } from '../../hal/board/pin-rules.js';
import { getBoard, loadBoards } from '../../host/boards/board-registry.js';
import { checkDocumentOnHost } from '../../host/schema/host-validators.js';

const refused = (code: string, pattern?: RegExp) => (e: unknown) => e instanceof BoardError && e.code === code && (!pattern || pattern.test(e.message));

describe('board definitions', () => {
  it('all six boards load and validate', () => {
    assert.deepStrictEqual([...loadBoards().keys()], ['esp32-c3-devkitm-1', 'esp32-devkitc', 'esp32-s3-devkitc-1', 'rpi-4b', 'rpi-5', 'rpi-zero-2w']);
  });
  it('MCU boards name their Moddable platform; Pis run node', () => {
    assert.equal(getBoard('esp32-devkitc').moddable?.platform, 'esp32');
    assert.equal(getBoard('esp32-c3-devkitm-1').moddable?.platform, 'esp32/esp32c3');
    assert.equal(getBoard('esp32-s3-devkitc-1').moddable?.platform, 'esp32/esp32s3');
    for (const id of ['rpi-4b', 'rpi-5', 'rpi-zero-2w']) assert.equal(getBoard(id).runtime, 'node');
  });
  it('ESP32 classic facts: 34–39 input-only, 6–11 flash, 0/2/5/12/15 strapping', () => {
    const b = getBoard('esp32-devkitc');
    const pin = (g: number) => b.pins.find((p) => p.gpio === g);
    for (const g of [34, 35, 36, 39]) assert.equal(pin(g)?.inputOnly, true, `GPIO ${g}`);
    for (const g of [6, 7, 8, 9, 10, 11]) assert.equal(pin(g)?.reserved, 'flash', `GPIO ${g}`);
    for (const g of [0, 2, 5, 12, 15]) assert.ok(pin(g)?.strapping, `GPIO ${g}`);
  });
  it('Pi 5 drives GPIO through gpiod (RP1), Pi 4B through pigpio', () => {
    assert.deepStrictEqual(getBoard('rpi-5').gpio, { backend: 'gpiod', chip: 'pinctrl-rp1' });
    assert.equal(getBoard('rpi-4b').gpio.backend, 'pigpio');
  });
  it('the schema refuses a board with a bad pin, naming the path and rule', () => {
    const b = structuredClone(getBoard('rpi-4b')) as unknown as { pins: { caps: string[] }[] };
    b.pins[3].caps.push('teleport');
    const err = checkDocumentOnHost('board', b);
    assert.ok(err instanceof SchemaError);
    assert.equal(err.path, '/pins/3/caps/4');
    assert.equal(err.rule, 'enum');
  });
  it('the schema requires a Moddable platform for moddable boards', () => {
    const b = structuredClone(getBoard('esp32-devkitc')) as unknown as Record<string, unknown>;
    delete b.moddable;
    assert.equal(checkDocumentOnHost('board', b)?.path, '/moddable');
  });
});

describe('pin claims', () => {
  const esp = getBoard('esp32-devkitc');
  it('grants a good pin and refuses it to a second owner, naming the holder', () => {
    const c = new PinClaims(esp);
    c.claim(4, 'digital-out', { owner: 'led' });
    assert.throws(() => c.claim(4, 'digital-in', { owner: 'pir' }), refused('pin-in-use', /claimed by led/));
  });
  it('release frees the pin; releasing twice is harmless', () => {
    const c = new PinClaims(esp);
    const a = c.claim(4, 'digital-out');
    a.release();
    a.release();
    c.claim(4, 'pwm');
  });
  it('refuses an unknown pin', () =>
    assert.throws(() => new PinClaims(esp).claim(24, 'digital-in'), refused('unknown-pin', /GPIO 24 does not exist on esp32-devkitc/)));
  it('refuses an input-only pin as output', () =>
    assert.throws(() => new PinClaims(esp).claim(34, 'digital-out'), refused('input-only', /GPIO 34 is input-only/)));
  it('accepts an input-only pin as input and as ADC', () => {
    const c = new PinClaims(esp);
    c.claim(34, 'digital-in');
    c.claim(35, 'adc');
  });
  it('refuses a flash pin', () => assert.throws(() => new PinClaims(esp).claim(6, 'digital-in'), refused('reserved-pin', /SPI flash/)));
  it('refuses a PSRAM pin on the S3 N8R8', () =>
    assert.throws(() => new PinClaims(getBoard('esp32-s3-devkitc-1')).claim(35, 'digital-in'), refused('reserved-pin', /PSRAM/)));
  it('refuses a strapping pin without the opt-in, grants it with', () => {
    assert.throws(() => new PinClaims(esp).claim(12, 'digital-out'), refused('strapping-pin', /allowStrapping/));
    new PinClaims(esp).claim(12, 'digital-out', { allowStrapping: true });
  });
  it('refuses a capability the pin lacks', () => assert.throws(() => new PinClaims(esp).claim(16, 'adc'), refused('capability', /GPIO 16 has no adc/)));
  it('refuses the HAT EEPROM pins on a Pi', () =>
    assert.throws(() => new PinClaims(getBoard('rpi-4b')).claim(0, 'digital-in'), refused('reserved-pin', /EEPROM/)));
  it('refuses a bad pin number as a caller mistake', () => assert.throws(() => new PinClaims(esp).claim(-1, 'digital-in'), RangeError));
  it('I2C: default bus, matrix routing on ESP32, fixed pins on a Pi', () => {
    const c = new PinClaims(esp);
    const i2c = c.claimI2c({});
    assert.deepStrictEqual([i2c.sda, i2c.scl, i2c.bus], [21, 22, 0]);
    const other = new PinClaims(esp).claimI2c({ sda: 25, scl: 26 });
    assert.equal(other.bus, undefined);
    assert.throws(() => new PinClaims(esp).claimI2c({ sda: 34, scl: 26 }), refused('input-only'));
    const pi = new PinClaims(getBoard('rpi-5'));
    assert.throws(() => pi.claimI2c({ sda: 17, scl: 27 }), refused('bus-pins', /SDA 17\/SCL 27 is not possible/));
    assert.equal(pi.claimI2c({ sda: 2, scl: 3 }).bus, 1);
  });
  it('I2C buses are shared between devices and freed with the last one', () => {
    const c = new PinClaims(esp);
    const a = c.claimI2c({}, { owner: 'bme280' });
    const b = c.claimI2c({ sda: 21, scl: 22 }, { owner: 'sht4x' });
    assert.throws(() => c.claim(21, 'digital-out'), refused('pin-in-use', /i2c 21\/22/));
    a.release();
    a.release();
    assert.ok(c.holder(21), 'still held by the second device');
    b.release();
    assert.equal(c.holder(21), undefined);
  });
  it('I2C refusal on the second pin leaves the first unclaimed', () => {
    const c = new PinClaims(esp);
    c.claim(22, 'digital-out', { owner: 'relay' });
    assert.throws(() => c.claimI2c({ sda: 21, scl: 22 }), refused('pin-in-use'));
    assert.equal(c.holder(21), undefined);
  });
  it("every board's default I2C bus can be claimed with no opt-in", () => {
    for (const b of loadBoards().values()) new PinClaims(b).claimI2c({});
  });
  it('pinExclusion explains, for --can', () => {
    assert.equal(pinExclusion(esp, 4, 'pwm'), null);
    assert.match(pinExclusion(esp, 36, 'i2c-sda')?.reason ?? '', /input-only/);
    assert.match(pinExclusion(getBoard('rpi-4b'), 4, 'adc')?.reason ?? '', /has no adc/);
  });
});
