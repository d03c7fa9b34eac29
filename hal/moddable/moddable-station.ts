// biome-ignore lint/style/useNodejsImportProtocol: Moddable's net module (Wi-Fi state), not Node's.
import Net from 'net';

/**
 * The Wi-Fi station as Moddable's `net` module reports it (a Moddable build
 * only). It lives in the backend, not in firmware/: the module's name is
 * also a Node built-in's, and firmware/ imports none.
 */
export const moddableStation = {
  /** The DNS servers DHCP gave the station ([] before it has any). */
  dns: (): string[] => Net.get('DNS') ?? [],
  ip: (): string | undefined => Net.get('IP'),
  /** The signal strength in dBm; undefined while not connected. */
  rssi: (): number | undefined => Net.get('RSSI'),
};
