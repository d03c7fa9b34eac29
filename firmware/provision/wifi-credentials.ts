import type { Preferences } from '../../hal/contracts/preferences.js';

/** Where Wi-Fi credentials live in Preferences (set by Improv provisioning; read at boot). */
const WIFI_DOMAIN = 'wifi';

export interface WifiCredentials {
  ssid: string;
  password: string;
  /** preferences: provisioned at run time (Improv); build: mc/config's ssid, compiled in. */
  source: 'preferences' | 'build';
}

/**
 * The network to join at boot: the credentials provisioned into Preferences
 * when there are some (so a node moves networks without a rebuild), else the
 * ones the firmware was built with, else none (then the node waits to be
 * provisioned).
 */
export function wifiCredentials(prefs: Preferences, built?: { ssid?: unknown; password?: unknown }): WifiCredentials | undefined {
  const ssid = prefs.get(WIFI_DOMAIN, 'ssid');
  const password = prefs.get(WIFI_DOMAIN, 'password');
  if (typeof ssid === 'string' && ssid.length > 0) return { ssid, password: typeof password === 'string' ? password : '', source: 'preferences' };
  if (built && typeof built.ssid === 'string' && built.ssid.length > 0)
    return { ssid: built.ssid, password: typeof built.password === 'string' ? built.password : '', source: 'build' };
  return undefined;
}

/** Stores provisioned credentials (the password is written once, never read back out to anything but the Wi-Fi join). */
export function storeWifiCredentials(prefs: Preferences, ssid: string, password: string): void {
  prefs.set(WIFI_DOMAIN, 'ssid', ssid);
  prefs.set(WIFI_DOMAIN, 'password', password);
}
