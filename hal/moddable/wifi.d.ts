/**
 * Moddable's `wifi` module (modules/network/wifi; included for esp32 by
 * examples/manifest_net.json), declared by the project: a monitor joins a
 * network and reports "connect", "gotIP" and "disconnect" (code -1: the
 * password was refused).
 */
declare module 'wifi' {
  export default class WiFi {
    constructor(options: { ssid: string; password?: string }, onNotify: (message: string, code?: number) => void);
    close(): void;
    static mode: number;
  }
}
