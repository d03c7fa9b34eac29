import type { OtaBoot, OtaWriter } from '../../hal/contracts/ota.js';

/**
 * ESP-IDF's states of an app partition (esp_ota_img_states_t) as far as the
 * model needs them: 'new' once written and set to boot, 'pending-verify'
 * from its first boot until it confirms, 'valid', and 'aborted' when a boot
 * ended before it confirmed (the bootloader then boots the other slot).
 */
export type SlotState = 'empty' | 'new' | 'pending-verify' | 'valid' | 'aborted';

interface Slot {
  state: SlotState;
  bytes: Uint8Array;
}

/**
 * Two OTA app slots (ota_0, ota_1), otadata's choice of boot slot, and the
 * bootloader's rollback (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE): a new image
 * boots once as pending-verify; a reset before it confirms marks it aborted
 * and boots the previous slot again. Survives the simulated node's reboots
 * (it is the flash): reset() is the bootloader at each boot.
 */
export class OtaSlots implements OtaWriter, OtaBoot {
  private readonly slots: [Slot, Slot];
  private running: 0 | 1 = 0;
  private bootSlot: 0 | 1 = 0;
  private writing: { size: number; parts: Uint8Array[]; written: number } | undefined;
  private rolledBack: Uint8Array | undefined;
  /** Boots so far (the bootloader ran). */
  boots = 0;

  /** `factory`: the image flashed over the cable, valid in ota_0. */
  constructor(
    factory: Uint8Array,
    private readonly versionOf: (bytes: Uint8Array) => string | undefined = () => undefined,
  ) {
    this.slots = [
      { state: 'valid', bytes: factory },
      { state: 'empty', bytes: new Uint8Array(0) },
    ];
  }

  /** The bootloader at a reset: picks the slot to run and returns its image. */
  reset(): Uint8Array {
    this.boots++;
    this.writing = undefined; // RAM: an open write does not survive a reset
    this.rolledBack = undefined;
    const chosen = this.slots[this.bootSlot];
    if (chosen.state === 'pending-verify') {
      // Booted once already and never confirmed: roll back.
      chosen.state = 'aborted';
      this.rolledBack = chosen.bytes;
      this.bootSlot = (1 - this.bootSlot) as 0 | 1;
    } else if (chosen.state === 'new') chosen.state = 'pending-verify';
    this.running = this.bootSlot;
    return this.slots[this.running].bytes;
  }

  /** Each slot's state (the test's back door). */
  get states(): [SlotState, SlotState] {
    return [this.slots[0].state, this.slots[1].state];
  }

  get runningSlot(): 0 | 1 {
    return this.running;
  }

  begin(size: number): void {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a whole number of bytes ≥ 1, got ${size}`);
    if (this.writing) throw new Error('an update is already being written');
    if (this.slots[this.running].state === 'pending-verify') throw new Error('the running image is not confirmed yet: no update before it is');
    this.writing = { size, parts: [], written: 0 };
    this.slots[1 - this.running] = { state: 'empty', bytes: new Uint8Array(0) };
  }

  write(bytes: Uint8Array): void {
    const w = this.writing;
    if (!w) throw new Error('write before begin');
    if (w.written + bytes.length > w.size) throw new RangeError(`the image would exceed the ${w.size} bytes begun with`);
    w.parts.push(bytes.slice());
    w.written += bytes.length;
  }

  commit(): void {
    const w = this.writing;
    if (!w) throw new Error('commit before begin');
    if (w.written !== w.size) throw new RangeError(`${w.written} of ${w.size} bytes written`);
    const bytes = new Uint8Array(w.size);
    let at = 0;
    for (const p of w.parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const next = (1 - this.running) as 0 | 1;
    this.slots[next] = { state: 'new', bytes };
    this.bootSlot = next;
    this.writing = undefined;
  }

  abort(): void {
    this.writing = undefined;
  }

  get pendingVerify(): boolean {
    return this.slots[this.running].state === 'pending-verify';
  }

  confirm(): void {
    const s = this.slots[this.running];
    if (s.state === 'pending-verify') s.state = 'valid';
  }

  get rolledBackFrom(): string | undefined {
    return this.rolledBack && (this.versionOf(this.rolledBack) ?? 'unknown');
  }
}
