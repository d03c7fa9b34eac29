import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { batchToValue } from '../../firmware/batch/batch.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toHex } from '../../firmware/codec/text-encodings.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { verifyChain } from '../../firmware/event/verify-chain.js';
import type { HalBackend } from '../../hal/contracts/io.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { inlineCompactValue } from '../../host/chirp/chirp-batch.js';
import { encodeBytes } from '../../host/chirp/chirp.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { toInt16 } from '../../host/chirp/ggwave-engine.js';
import { writeWav } from '../../host/chirp/wav.js';
import { dispatch } from '../../host/cli/command.js';
import { makeChirpCommand, type ChirpCliDeps } from '../../host/cli/commands/chirp.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { AcousticChannel } from '../../sim/acoustic/acoustic-channel.js';
import { transmit } from '../../sim/acoustic/channel-transmit.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { startHub } from '../hub/helpers.js';
import { bme280Backlog } from './bme280-backlog.js';

/**
 * The proof that a node's backlog crosses on sound: a 32-reading BME280
 * batch, signed by the node, chirped from one simulated board's speaker
 * through a noisy, echoing room with clock drift into another board's
 * microphone, decoded and POSTed by `fazt chirp listen --ingest --hub` to a
 * real hub on loopback, which stores it exactly as signed. A batch changed
 * on the way is refused and stores nothing; audio buried in noise gives a
 * chirp error and stores nothing.
 */
let hub: Awaited<ReturnType<typeof startHub>>;
const node = bme280Backlog(32, 7);
const other = bme280Backlog(32, 8);

async function chirp(args: string[], deps: Partial<ChirpCliDeps>): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const cmd = makeChirpCommand({ audioBackend: async () => Promise.reject(new Error('no audio here')), tty: false, sleep: async () => undefined, ...deps });
  await dispatch(cmd, args, ['fazt', 'chirp'], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { out, err };
}

/** Two boards in one room (the channel the CLI send/listen test uses); `listening` settles once the microphone is open. */
function room(seed: number): { air: AcousticChannel; speaker: SimBoard; mic: HalBackend; listening: Promise<void> } {
  const clock = new VirtualClock(0);
  const air = new AcousticChannel({ seed, drift: 0.002, echo: { seed }, noise: { colour: 'pink', rms: 0.01 } });
  const speaker = new SimBoard('speaker', getBoard('esp32-devkitc'), clock, { audio: air });
  const board = new SimBoard('mic', getBoard('rpi-4b'), clock, { audio: air });
  let opened!: () => void;
  const listening = new Promise<void>((r) => (opened = r));
  const mic: HalBackend = Object.create(board.backend);
  mic.audioIn = (o) => {
    const input = board.backend.audioIn(o);
    opened();
    return input;
  };
  return { air, speaker, mic, listening };
}

const cborOf = (entries: typeof node.entries): string[] => entries.map((e) => toHex(encodeCbor(entryToValue(e))));

before(async () => {
  hub = await startHub({ log: () => undefined });
  hub.hub.cartridge.addNode(node.identity.publicKey, { board: 'esp32-devkitc' });
  hub.hub.cartridge.addNode(other.identity.publicKey, { board: 'esp32-devkitc' });
});
after(async () => {
  await hub.stop();
});

describe('a batch over sound', () => {
  it('32 BME280 readings: speaker → noisy room → microphone → hub, stored byte for byte and verified', async () => {
    const file = join(hub.dir, 'backlog.cbor');
    writeFileSync(file, encodeCbor(batchToValue(node.batch)));
    const { air, speaker, mic, listening } = room(3);
    const heard = chirp(['listen', '--timeout', '60s', '--ingest', '--hub', hub.url], { audioBackend: async () => mic });
    await listening;
    const sent = await chirp(['send', '--batch', file, '--mode', 'fast'], { audioBackend: async () => speaker.backend });
    air.settle();
    assert.match(sent.err, new RegExp(`a batch of 32 entries from ${node.identity.id} \\(seq 1–32\\): \\d+ bytes compact with its dictionary`));
    assert.equal((await heard).out, `the hub at ${hub.url} stored 32 entries from ${node.identity.id}; ack 32\n`);

    const stored = [...hub.hub.cartridge.chain(node.identity.id)];
    assert.deepStrictEqual(cborOf(stored), cborOf(node.entries));
    assert.equal(verifyChain(node.identity.id, stored, nodeCrypto).fresh.length, 32);
    assert.deepStrictEqual(hub.hub.cartridge.head(node.identity.id), { seq: 32, hash: node.batch.head });
  });

  it('a batch with one byte flipped in a value is refused as tampered; nothing is stored', async () => {
    const bytes = encodeCbor(inlineCompactValue(other.batch));
    // A temperature (in 0.01 °C: a float64 in CBOR); its last byte flipped is another float64 still.
    const value = encodeCbor((other.entries[21].data as { value: number }).value);
    const at = Buffer.from(bytes).indexOf(Buffer.from(value));
    assert.ok(at > 0 && value.length === 9, 'the reading is a float64 in the message');
    const flipped = bytes.slice();
    flipped[at + 8] ^= 1;
    const before = JSON.stringify(hub.hub.cartridge.counts());
    // The CLI would not send it (it verifies a batch first), so it is played straight into the room.
    const { air, speaker, mic, listening } = room(5);
    const heard = chirp(['listen', '--timeout', '60s', '--ingest', '--hub', hub.url], { audioBackend: async () => mic });
    await listening;
    speaker.backend.audioOut({ sampleRate: 48000, channels: 1, bitsPerSample: 16 }).write(toInt16(await encodeBytes(flipped, { mode: 'fast' })));
    air.settle();
    await assert.rejects(
      heard,
      (e: unknown) => (e as { code?: string }).code === 'tampered' && /the hub refused the batch \(HTTP 409\)/.test((e as Error).message),
    );
    assert.equal(JSON.stringify(hub.hub.cartridge.counts()), before);
    assert.equal(hub.hub.cartridge.head(other.identity.id)?.seq, 0);
  });

  it('audio buried under the noise does not decode: a chirp error, and nothing is stored', async () => {
    const pcm = await encodeBytes(encodeCbor(inlineCompactValue(other.batch)), { mode: 'fast' });
    const wav = join(hub.dir, 'buried.wav');
    writeFileSync(wav, writeWav(transmit(pcm, { seed: 1, noiseRms: 0.001, attenuationDb: 60 })));
    const before = JSON.stringify(hub.hub.cartridge.counts());
    await assert.rejects(chirp(['decode', wav, '--ingest', '--hub', hub.url], {}), (e: unknown) => e instanceof ChirpError && e.code === 'nothing-detected');
    assert.equal(JSON.stringify(hub.hub.cartridge.counts()), before);
  });
});
