import { IoError } from '../contracts/errors.js';
import { checkFunction } from '../contracts/check-options.js';
import type { Advertisement, BleScanner, BleScannerOptions } from '../contracts/io.js';
import type { SimBleAirPort } from './sim-ports.js';

/** A BLE scanner listening to the simulator's air. */
export class SimBleScanner implements BleScanner {
  private stopScan: (() => void) | undefined;
  private closed = false;
  private readonly seen = new Set<string>();
  private readonly onAdvertisement: (adv: Advertisement) => void;

  constructor(
    private readonly air: SimBleAirPort | undefined,
    private readonly options: BleScannerOptions,
    boardId: string,
  ) {
    this.onAdvertisement = checkFunction('onAdvertisement', options.onAdvertisement) as (adv: Advertisement) => void;
    if (!air) throw new IoError('absent', `${boardId} has no BLE radio`);
  }

  start(): void {
    if (this.closed) throw new IoError('closed', 'BLE scanner used after close');
    if (this.stopScan) return;
    this.stopScan = (this.air as SimBleAirPort).scan((adv) => {
      if (this.options.duplicates === false) {
        if (this.seen.has(adv.address)) return;
        this.seen.add(adv.address);
      }
      this.onAdvertisement(adv);
    });
  }

  stop(): void {
    this.stopScan?.();
    this.stopScan = undefined;
  }

  close(): void {
    this.stop();
    this.closed = true;
  }
}
