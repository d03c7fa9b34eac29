import { randomBytes } from 'node:crypto';
import { batchFromValue } from '../../../firmware/batch/batch.js';
import { verifyBatch } from '../../../firmware/batch/verify-batch.js';
import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { toJsonValue } from '../../../firmware/codec/json-form.js';
import { fromHex } from '../../../firmware/codec/text-encodings.js';
import type { EventLogHead } from '../../../firmware/event/event-log.js';
import type { Reading } from '../../../firmware/event/reading.js';
import { quantize, sine, type Signal } from '../../../sim/environment/signals.js';
import { parseDuration } from '../../../sim/scenario/duration.js';
import { XsSession } from '../../../sim/xs/xs-session.js';
import { getBoard } from '../../boards/board-registry.js';
import { nodeCrypto } from '../../crypto/node-crypto.js';
import { projectRoot } from '../../project-root.js';
import { validateOnHost } from '../../schema/host-validators.js';
import { UsageError, type Command } from '../command.js';
import { join } from 'node:path';

interface SimSensor {
  component: string;
  name: string;
  unit: Reading['unit'];
  signal: Signal;
  digits: number;
}

interface SimNode {
  board: string;
  sensors: SimSensor[];
}

const DAY = 86_400_000;

/** The three demo nodes; their values follow smooth simulated signals. */
const NODES: SimNode[] = [
  { board: 'esp32-devkitc', sensors: [
    { component: 'bme280', name: 'temperature', unit: 'Cel', signal: quantize(sine(21.5, 2.5, DAY, 0.1), 0.01), digits: 2 },
    { component: 'bme280', name: 'pressure', unit: 'Pa', signal: quantize(sine(101325, 150, DAY, 0.3), 1), digits: 0 },
  ] },
  { board: 'esp32-c3-devkitm-1', sensors: [
    { component: 'sht4x', name: 'humidity', unit: '%RH', signal: quantize(sine(45, 8, DAY, 0.6), 0.01), digits: 2 },
  ] },
  { board: 'esp32-s3-devkitc-1', sensors: [
    { component: 'bh1750', name: 'illuminance', unit: 'lx', signal: quantize(sine(300, 280, DAY, 0.8), 0.5), digits: 1 },
  ] },
];

function duration(text: string, option: string): number {
  try {
    return parseDuration(text, option);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Run three simulated nodes (event core inside XS) and verify their signed batches live',
  usage: 'fazt start [--interval 1s] [--batch 4] [--duration 30s]',
  help: [
    'Each node runs the firmware event core inside the XS engine: it appends readings to its',
    'hash-chained log and signs them in batches (CBOR). The host verifies every batch (schema,',
    'signature, chain, continuity) and prints each reading. Sensor values come from simulated',
    'signals. Stops on Ctrl-C or after --duration.',
  ].join('\n'),
  options: { interval: { type: 'string' }, batch: { type: 'string' }, duration: { type: 'string' } },
  run: async ({ values, out, err }) => {
    const interval = duration(String(values.interval ?? '1s'), '--interval');
    const batchSize = Number(values.batch ?? 4);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 512) throw new UsageError('--batch must be an integer from 1 to 512');
    const limit = values.duration === undefined ? Infinity : duration(String(values.duration), '--duration');
    const entry = join(projectRoot(), 'sim/xs/entries/node-core-entry.ts');

    const nodes: { spec: SimNode; xs: XsSession; id: string; known?: EventLogHead; readings: number }[] = [];
    const stop = async () => Promise.all(nodes.map((n) => n.xs.close()));
    try {
      for (const spec of NODES) {
        getBoard(spec.board);
        const xs = await XsSession.start(entry);
        const { value } = await xs.call<{ id: string }>('init', randomBytes(32).toString('hex'));
        nodes.push({ spec, xs, id: value.id, readings: 0 });
        out(`node ${value.id} on ${spec.board} (${spec.sensors.map((s) => s.component).join(', ')}): event core running in XS\n`);
      }
    } catch (e) {
      await stop();
      err(`fazt: the XS engine could not start (${(e as Error).message}); run npm install to build it\n`);
      return 1;
    }

    let stopping = false;
    const onSignal = () => void (stopping = true);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const started = Date.now();
    out(`verifying batches of ${batchSize}; Ctrl-C stops\n`);
    try {
      for (let tick = 1; !stopping && Date.now() - started < limit; tick++) {
        const now = Date.now();
        for (const n of nodes) {
          for (const s of n.spec.sensors) {
            const reading: Reading = { name: s.name, unit: s.unit, value: Number(s.signal(now).toFixed(s.digits)), quality: 'good', time: now };
            await n.xs.call('append', now, 'sensor.reading', s.component, reading as unknown as Record<string, string | number>);
            n.readings++;
          }
          if (tick % batchSize !== 0) continue;
          const { value: hex } = await n.xs.call<string | null>('batch');
          if (!hex) continue;
          const doc = decodeCbor(fromHex(hex));
          validateOnHost('uplinkBatch', toJsonValue(doc));
          const verified = verifyBatch(batchFromValue(doc), { crypto: nodeCrypto, known: n.known });
          n.known = verified.head;
          for (const e of verified.fresh) {
            const r = e.data as unknown as Reading;
            out(`${new Date(e.time).toISOString().slice(11, 19)} ${n.id.slice(0, 10)}… ${n.spec.board.padEnd(18)} ${e.source.split('/')[1].padEnd(7)} ${r.name.padEnd(12)} ${String(r.value).padStart(9)} ${r.unit ?? ''}  seq ${e.seq}\n`);
          }
          out(`  batch ${verified.head.seq - verified.fresh.length + 1}..${verified.head.seq} from ${n.id.slice(0, 10)}…: ${hex.length / 2} bytes CBOR, signature and chain verified\n`);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, started + tick * interval - Date.now())));
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stop();
    }
    out(`stopped: ${nodes.reduce((a, n) => a + n.readings, 0)} readings from ${nodes.length} nodes\n`);
    return 0;
  },
};
