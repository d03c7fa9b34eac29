import type { Timers } from '../contracts/time.js';

/** The shape of Moddable's `wifi` module (modules/network/wifi) this binding uses. */
export interface ModdableWiFiClass {
  new (options: { ssid: string; password?: string }, onNotify: (message: string, code?: number) => void): { close(): void };
}

/**
 * Joins a Wi-Fi network the way Moddable's setup/network does at boot
 * (build/devices/esp32/setup/network.js, which joins only mc/config's ssid):
 * a WiFi monitor with the credentials, done(true) at "gotIP", done(false) at
 * the first "disconnect" (code -1: the password was refused) or when no
 * address came within timeoutMs. The password is handed to the radio only.
 */
export function moddableWifiJoin(WiFi: ModdableWiFiClass, timers: Timers, timeoutMs = 30_000) {
  return (ssid: string, password: string, done: (ok: boolean) => void): void => {
    let finished = false;
    let monitor: { close(): void } | undefined;
    let timer: number | undefined;
    const finish = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      // Closing the monitor stops the notifications; the station stays joined.
      monitor?.close();
      done(ok);
    };
    timer = timers.setTimeout(() => {
      timer = undefined;
      finish(false);
    }, timeoutMs);
    monitor = new WiFi({ ssid, password }, (message) => {
      if (message === 'gotIP') finish(true);
      else if (message === 'disconnect') finish(false);
    });
    if (finished) monitor.close();
  };
}
