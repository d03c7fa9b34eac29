import type { Preferences } from '../../hal/contracts/preferences.js';
import type { SerialOptions, SerialPort } from '../../hal/contracts/serial.js';
import { ImprovProvisioner, type ImprovProvisionerOptions } from '../provision/improv-provisioner.js';
import { wifiCredentials } from '../provision/wifi-credentials.js';

export interface WifiBootOptions {
  prefs: Preferences;
  /** mc/config's ssid and password (what setup/network joined before main ran), if the build has them. */
  built: { ssid?: unknown; password?: unknown };
  join: ImprovProvisionerOptions['join'];
  openSerial: (o: SerialOptions) => SerialPort;
  device: ImprovProvisionerOptions['device'];
  /** Starts the node (once the station has a network). */
  start: () => void;
  log: (line: string) => void;
}

/**
 * How a device gets onto Wi-Fi without a rebuild. Improv serial listens on
 * the console UART for as long as the device runs (ESPHome does the same),
 * so a node can be moved to another network at any time. At boot:
 *  - credentials provisioned into Preferences: join them, then start;
 *  - none, but the build has an ssid: setup/network joined it already: start;
 *  - none at all: wait; the node starts once Improv provisioning joined.
 * Only ssids are logged.
 */
export function wifiBoot(o: WifiBootOptions): { provisioner: ImprovProvisioner; port: SerialPort | undefined } {
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    o.start();
  };
  let provisioner: ImprovProvisioner | undefined;
  let port: SerialPort | undefined;
  try {
    port = o.openSerial({ baud: 115200, onBytes: (b) => provisioner?.receive(b) });
  } catch (e) {
    // The UART may be taken (xsbug's, in a debug build): the node runs on, without Improv.
    o.log(`Improv serial unavailable (${(e as Error).message}): Wi-Fi only from the build or earlier provisioning`);
  }
  provisioner = new ImprovProvisioner({
    prefs: o.prefs,
    send: (b) => port?.write(b),
    join: o.join,
    device: o.device,
    log: o.log,
    onProvisioned: () => start(),
  });
  const creds = wifiCredentials(o.prefs, o.built);
  if (!creds) o.log('no Wi-Fi credentials: waiting for Improv provisioning on the serial port');
  else if (creds.source === 'build') start();
  else {
    o.log(`joining "${creds.ssid}" (provisioned)`);
    o.join(creds.ssid, creds.password, (ok) => {
      if (ok) start();
      else o.log(`could not join "${creds.ssid}": waiting for Improv provisioning on the serial port`);
    });
  }
  return { provisioner, port };
}
