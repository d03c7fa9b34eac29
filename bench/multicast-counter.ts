/**
 * Runs inside one host of bench/beacon's LAN: joins SSDP's group and counts,
 * per sender and kind (NOTIFY alive, NOTIFY byebye, M-SEARCH), the packets and
 * UDP payload bytes multicast for `seconds`. Prints one JSON line.
 *
 *   node --import tsx bench/multicast-counter.ts <seconds>
 */
import { createSocket } from 'node:dgram';

const seconds = Number(process.argv[2]);
const counts: Record<string, Record<string, { packets: number; bytes: number }>> = {};
const s = createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (m, r) => {
  const text = m.toString('latin1');
  const kind = text.startsWith('M-SEARCH') ? 'search' : /NTS:\s*ssdp:byebye/i.test(text) ? 'byebye' : text.startsWith('NOTIFY') ? 'alive' : 'other';
  const c = ((counts[r.address] ??= {})[kind] ??= { packets: 0, bytes: 0 });
  c.packets++;
  c.bytes += m.length;
});
s.bind(1900, () => {
  s.addMembership('239.255.255.250');
  process.stdout.write('listening\n');
  setTimeout(() => {
    s.close();
    process.stdout.write(JSON.stringify(counts) + '\n');
  }, seconds * 1000);
});
