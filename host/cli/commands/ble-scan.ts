import { bthomeServiceData, parseBthome, type BthomePacket } from '../../../firmware/ble/bthome.js';
import type { IoError } from '../../../hal/contracts/errors.js';
import type { Advertisement } from '../../../hal/contracts/io.js';
import { bluezScanner } from '../../ble/bluez-scanner.js';
import { type Command, UsageError } from '../command.js';
import { table } from '../table.js';

/** One BTHome advertiser heard: its newest advertisement, decoded when plaintext. */
interface HeardAdvertiser {
  mac: string;
  name: string | null;
  rssi: number;
  encrypted: boolean;
  objects: { name: string; value: number | boolean | string; unit?: string }[] | null;
  error?: string;
}

function describe(adv: Advertisement, data: Uint8Array): HeardAdvertiser {
  const base = { mac: adv.address.toUpperCase(), name: adv.name ?? null, rssi: adv.rssi };
  let p: BthomePacket;
  try {
    p = parseBthome(data);
  } catch (e) {
    return { ...base, encrypted: false, objects: null, error: (e as Error).message };
  }
  if (p.encrypted) return { ...base, encrypted: true, objects: null };
  return { ...base, encrypted: false, objects: p.objects.map((o) => ({ name: o.name, value: o.value, ...(o.unit !== undefined ? { unit: o.unit } : {}) })) };
}

const show = (h: HeardAdvertiser) =>
  h.error
    ? `not BTHome v2: ${h.error}`
    : h.objects
      ? h.objects.map((o) => `${o.name} ${o.value}${o.unit ? ` ${o.unit}` : ''}`).join(', ')
      : '(encrypted: fazt ble add --key)';

export const bleScanCommand: Command = {
  name: 'scan',
  summary: 'List the BTHome advertisers heard through BlueZ for a while',
  usage: 'fazt ble scan [--seconds 10] [--adapter hci0] [--json]',
  help: [
    'Listens through BlueZ on the system D-Bus (the bluetooth service must run) and prints each device whose',
    'advertisements carry BTHome v2 service data (UUID 0xFCD2): address, name, signal, whether it is encrypted',
    'and, when it is not, what it says. A running hub may scan at the same time.',
  ].join('\n'),
  options: {
    seconds: { type: 'string', value: 'N', description: 'how long to listen (default 10)' },
    adapter: { type: 'string', value: 'NAME', description: 'the BlueZ adapter (default: the first)' },
    json: { type: 'boolean', description: 'print the advertisers as JSON' },
  },
  run: async ({ values, out, err }) => {
    const seconds = values.seconds === undefined ? 10 : Number(values.seconds);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) throw new UsageError('--seconds must be a number of seconds between 0 and 3600');
    const adapter = typeof values.adapter === 'string' ? values.adapter : undefined;
    const heard = new Map<string, HeardAdvertiser>();
    let fault: IoError | undefined;
    let wake = () => {};
    const scanner = bluezScanner({ adapter })(
      (adv) => {
        const data = bthomeServiceData(adv);
        if (data) heard.set(adv.address.toUpperCase(), describe(adv, data));
      },
      { onFault: (e) => ((fault = e), wake()) },
    );
    scanner.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((done) => {
      wake = done;
      timer = setTimeout(done, seconds * 1000);
    });
    clearTimeout(timer); // a fault ends the wait early: nothing may keep the process alive after it
    scanner.close();
    if (fault) {
      err(`${fault.message}\n`);
      return 1;
    }
    const list = [...heard.values()].sort((a, b) => b.rssi - a.rssi);
    if (values.json) return void out(`${JSON.stringify(list)}\n`);
    if (list.length === 0) return void out(`no BTHome advertisers heard in ${seconds} s\n`);
    out(
      `${table(
        ['MAC', 'NAME', 'RSSI', 'DATA'],
        list.map((h) => [h.mac, h.name ?? '-', String(h.rssi), show(h)]),
      )}\n`,
    );
  },
};
