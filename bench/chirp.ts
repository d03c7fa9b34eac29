/**
 * bench/chirp: Chirp's airtime and goodput per mode for 32 B, 140 B, 1 KB and
 * 4 KB messages, against ggwave's own single-frame rate measured in the same
 * run (one raw 140-byte ggwave frame: the most one transmission carries;
 * goal: framing costs under 10 %), and success rates through the simulated
 * acoustic channel (white noise at 20, 10, 5, 0, −5 dB SNR, a seeded room's
 * echo, ±0.3 % sample-rate drift; goal ≥ 99 % at 0 dB in robust).
 *
 * And sensor data over sound: a node's signed batch of 32 BME280 readings
 * in the compact form with its dictionary inline (what `fazt chirp send
 * --batch` sends), its airtime and seconds per reading per mode, against
 * the full form of the same batch as the baseline (over 4 KB: sent as two
 * messages).
 *
 * Airtime is the whole message as sent: 0.25 s of silence before and after,
 * 0.1 s between frames. SNR is over the full band, the signal's power taken
 * where it sounds. Each throughput figure is checked by decoding it once.
 *
 *   node --import tsx bench/chirp.ts [--trials 20] [--bytes 140] [--robust0 100] [--modes robust,fast] [--quick]
 */
import { parseArgs } from 'node:util';
import { batchToValue } from '../firmware/batch/batch.js';
import { encodeCbor } from '../firmware/codec/cbor-encode.js';
import { inlineCompactValue } from '../host/chirp/chirp-batch.js';
import { chunked, encodeBytes, receiveBytes } from '../host/chirp/chirp.js';
import { CHIRP_MODES, isChirpMode, loadGgwave, type ChirpMode } from '../host/chirp/ggwave-engine.js';
import { frameCount, MAX_MESSAGE_BYTES } from '../host/chirp/frames.js';
import { transmit } from '../sim/acoustic/channel-transmit.js';
import { runTrial, successes } from '../sim/acoustic/chirp-trials.js';
import { bme280Backlog } from '../test/chirp/bme280-backlog.js';

const { values } = parseArgs({
  options: { trials: { type: 'string' }, bytes: { type: 'string' }, robust0: { type: 'string' }, modes: { type: 'string' }, quick: { type: 'boolean' } },
});
const quick = values.quick === true;
const trials = Number(values.trials ?? (quick ? 4 : 20));
const sweepBytes = Number(values.bytes ?? 140);
const robust0 = Number(values.robust0 ?? (quick ? 10 : 100));
const modes = (values.modes ? values.modes.split(',') : CHIRP_MODES).filter(isChirpMode) as ChirpMode[];
const payloads = quick ? [32, 140, 1024] : [32, 140, 1024, 4096];
const engine = await loadGgwave();
const started = performance.now();

const pad = (s: string | number, n: number): string => String(s).padStart(n);
const raw = (bytes: number, mode: ChirpMode): number => engine.encode(new Uint8Array(bytes).fill(0x5a), mode).length / 48000;

console.log(`bench/chirp: ggwave 0.4.0, 48 kHz; ${modes.length} modes`);
console.log('');
console.log('Throughput (decoded once on a clean channel to check):');
console.log(
  `  ${'mode'.padEnd(20)} ${pad('bytes', 5)} ${pad('frames', 6)} ${pad('airtime s', 9)} ${pad('goodput B/s', 11)} ${pad('vs ggwave', 9)} ${pad('framing cost', 12)}  decoded`,
);
let worst4k: number | undefined;
for (const mode of modes) {
  const frameAir = raw(140, mode);
  const ggRate = 140 / frameAir;
  console.log(`  ${mode.padEnd(20)} ggwave alone: one 140-byte frame in ${frameAir.toFixed(2)} s = ${ggRate.toFixed(2)} B/s (the baseline)`);
  for (const bytes of payloads) {
    const airtime = (await encodeBytes(new Uint8Array(bytes), { mode })).length / 48000;
    const goodput = bytes / airtime;
    const ratio = goodput / ggRate;
    const check = await runTrial(engine, mode, bytes, 1, { snrDb: 30 });
    if (bytes === 4096) worst4k = Math.max(worst4k ?? 0, 1 - ratio);
    console.log(
      `  ${''.padEnd(20)} ${pad(bytes, 5)} ${pad(frameCount(bytes), 6)} ${pad(airtime.toFixed(1), 9)} ${pad(goodput.toFixed(2), 11)} ${pad(ratio.toFixed(3), 9)} ${pad(((1 - ratio) * 100).toFixed(1) + ' %', 12)}  ${check.ok ? 'yes' : `NO (${check.code})`}`,
    );
  }
}
if (worst4k !== undefined)
  console.log(`  goal: framing costs under 10 % at 4 KB: ${worst4k < 0.1 ? 'met' : 'NOT met'} (worst ${(worst4k * 100).toFixed(1)} %)`);
console.log('  (below 140 B a message cannot match a full frame: ggwave spends ~0.7 s of markers per frame whatever its length;');
console.log(
  '   a raw 32-byte ggwave frame alone reaches ' +
    modes.map((m) => `${m} ${(32 / raw(32, m) / (140 / raw(140, m))).toFixed(2)}`).join(', ') +
    ' of the baseline)',
);

console.log('');
const backlog = bme280Backlog(32);
const compact = encodeCbor(inlineCompactValue(backlog.batch));
const full = encodeCbor(batchToValue(backlog.batch));
const readings = backlog.entries.length;
/** Seconds of sound for `bytes`, as messages of at most 4 KB each (the full form needs more than one). */
const airtimeOf = async (bytes: Uint8Array, mode: ChirpMode): Promise<{ seconds: number; messages: number }> => {
  const messages = Math.ceil(bytes.length / MAX_MESSAGE_BYTES);
  const size = Math.ceil(bytes.length / messages);
  let seconds = 0;
  for (let at = 0; at < bytes.length; at += size) seconds += (await encodeBytes(bytes.subarray(at, at + size), { mode })).length / 48000;
  return { seconds, messages };
};
const group = (n: number): string => n.toLocaleString('en-US');
console.log(
  `Sensor data over sound: a signed batch of ${readings} BME280 readings, compact with its dictionary inline (${group(compact.length)} B, ${(compact.length / readings).toFixed(1)} B a reading) against the full form (${group(full.length)} B, the baseline); compact decoded once through a 10 dB room with echo and drift:`,
);
for (const mode of modes) {
  const c = await airtimeOf(compact, mode);
  const f = await airtimeOf(full, mode);
  const pcm = await encodeBytes(compact, { mode });
  const heard = await receiveBytes(chunked(transmit(pcm, { seed: 1, snrDb: 10, echo: { seed: 1 }, drift: 0.003 }))).catch(
    (e: { code?: string }) => e.code ?? 'error',
  );
  const decoded = heard instanceof Uint8Array && Buffer.compare(heard, compact) === 0 ? 'yes' : `NO (${typeof heard === 'string' ? heard : 'other bytes'})`;
  console.log(
    `  ${mode.padEnd(20)} batch of ${readings} over sound: compact ${group(compact.length)} B in ${c.seconds.toFixed(1)} s (${(c.seconds / readings).toFixed(2)} s a reading), full ${group(full.length)} B would take ${f.seconds.toFixed(0)} s (${f.messages} messages; ${(f.seconds / c.seconds).toFixed(1)}× longer)  decoded ${decoded}`,
  );
}

console.log('');
console.log(`Success rate, ${sweepBytes}-byte messages (${frameCount(sweepBytes)} frames), ${trials} trials per cell, echo (seeded room) and ±0.3 % drift:`);
const snrs = [20, 10, 5, 0, -5];
console.log(`  ${'mode'.padEnd(20)} ${snrs.map((s) => pad(`${s} dB`, 8)).join(' ')}   failures`);
for (const mode of modes) {
  const cells: string[] = [];
  const fails: string[] = [];
  for (const snrDb of snrs) {
    const r = await successes(engine, mode, sweepBytes, trials, { snrDb, echo: true, drift: 0.003 }, 1000);
    cells.push(pad(`${((100 * r.ok) / trials).toFixed(0)} %`, 8));
    if (r.codes.length) fails.push(`${snrDb} dB: ${[...new Set(r.codes)].map((c) => `${c}×${r.codes.filter((x) => x === c).length}`).join(' ')}`);
  }
  console.log(`  ${mode.padEnd(20)} ${cells.join(' ')}   ${fails.join('; ')}`);
}

if (modes.includes('robust') && robust0 > 0) {
  const r = await successes(engine, 'robust', sweepBytes, robust0, { snrDb: 0, echo: true, drift: 0.003 }, 5000);
  const p = r.ok / robust0;
  // Wilson score interval, 95 %: the lower bound is what these trials can vouch for
  const z = 1.96;
  const lower = (p + (z * z) / (2 * robust0) - z * Math.sqrt((p * (1 - p)) / robust0 + (z * z) / (4 * robust0 * robust0))) / (1 + (z * z) / robust0);
  console.log('');
  console.log(
    `Robust at 0 dB, echo and drift, ${robust0} more trials: ${r.ok}/${robust0} = ${(100 * p).toFixed(1)} % (95 % lower bound ${(100 * lower).toFixed(1)} %); goal ≥ 99 %: ${lower >= 0.99 ? 'met' : p >= 0.99 ? 'met by the observed rate (more trials would narrow the bound)' : 'NOT met'}${r.codes.length ? `; failures ${r.codes.join(', ')}` : ''}`,
  );
}
console.log('');
console.log(`bench/chirp took ${((performance.now() - started) / 1000).toFixed(0)} s`);
