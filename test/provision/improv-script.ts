import { memoryPreferences, type Preferences } from '../../hal/contracts/preferences.js';
import { ImprovProvisioner } from '../../firmware/provision/improv-provisioner.js';
import { ImprovParser } from '../../firmware/provision/improv-serial.js';

/**
 * One Improv session as data, run the same way on Node and inside XS
 * (test/xs/entries/improv-entry.ts): the chunks a client writes, the
 * packets the device answered, its log and what it stored. The network
 * accepts only `goodPassword`.
 */
export interface ImprovRun {
  packets: { type: number; data: number[] }[];
  /** Every byte the device wrote, as hex. */
  wire: string;
  log: string[];
  stored: { ssid: unknown; password: unknown };
  state: number;
}

export function runImprov(chunks: Uint8Array[], goodPassword: string, prefs: Preferences = memoryPreferences()): ImprovRun {
  const out: Uint8Array[] = [];
  const log: string[] = [];
  const p = new ImprovProvisioner({
    prefs,
    send: (b) => void out.push(b.slice()),
    join: (_ssid, password, done) => done(password === goodPassword),
    device: { firmware: 'fazt', version: '0.1.0', chip: 'esp32-devkitc/esp32', name: 'battery-node' },
    nextUrl: () => 'http://hub.local:8080/',
    log: (l) => void log.push(l),
  });
  for (const c of chunks) p.receive(c);
  const packets: ImprovRun['packets'] = [];
  const reader = new ImprovParser(
    (type, data) => void packets.push({ type, data: Array.from(data) }),
    (e) => {
      throw e;
    },
  );
  let wire = '';
  for (const b of out) {
    reader.push(b);
    for (const x of b) wire += (x < 16 ? '0' : '') + x.toString(16);
  }
  return { packets, wire, log, stored: { ssid: prefs.get('wifi', 'ssid'), password: prefs.get('wifi', 'password') }, state: p.state };
}
