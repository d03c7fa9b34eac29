import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunked, concatPcm, encodeBytes, encodeMessage, receiveBytes, receiveMessage, type ReceiveProgress } from '../../host/chirp/chirp.js';
import { ChirpError, type ChirpErrorCode } from '../../host/chirp/chirp-error.js';
import { splitMessage } from '../../host/chirp/frames.js';
import { loadGgwave, toInt16 } from '../../host/chirp/ggwave-engine.js';
import { resample } from '../../host/chirp/resampler.js';
import { readWavAt48k, writeWav } from '../../host/chirp/wav.js';

const message = Uint8Array.from({ length: 300 }, (_, i) => (i * 29 + 3) & 255); // three frames
const gap = new Float32Array(4800);
const isChirp =
  (code: ChirpErrorCode, check: (e: ChirpError) => boolean = () => true) =>
  (e: unknown) =>
    e instanceof ChirpError && e.code === code && check(e);

/** The frames of `message` in the order given (indices; 'x' for a foreign ggwave payload), as PCM. */
async function framesPcm(order: (number | 'x')[], mutate?: (frames: Uint8Array[]) => void): Promise<Float32Array> {
  const engine = await loadGgwave();
  const frames = splitMessage(message);
  mutate?.(frames);
  const parts: Float32Array[] = [gap];
  for (const i of order) parts.push(engine.encode(i === 'x' ? new TextEncoder().encode('hello from another app') : frames[i], 'fast'), gap);
  return concatPcm(parts);
}

describe('chirp send and receive', () => {
  it('a three-frame message, streamed in 4096-sample chunks', async () => {
    const pcm = await encodeBytes(message, { mode: 'fast' });
    assert.deepStrictEqual(await receiveBytes(chunked(toInt16(pcm))), message);
  });

  it('a value as deterministic CBOR, standard mode', async () => {
    const value = { t: 'hello', n: [1, 2.5, -3], b: new Uint8Array([0, 255]) };
    const pcm = await encodeMessage(value, { mode: 'standard' });
    assert.deepStrictEqual(await receiveMessage(chunked(pcm, 1000)), value);
  });

  it('through WAV files at 48 kHz and at 44.1 kHz', async () => {
    const pcm = await encodeBytes(message.subarray(0, 100), { mode: 'fast' });
    assert.deepStrictEqual(await receiveBytes(chunked(readWavAt48k(writeWav(pcm)))), message.subarray(0, 100));
    const at44 = writeWav(resample(pcm, 48000 / 44100), 44100);
    assert.deepStrictEqual(await receiveBytes(chunked(readWavAt48k(at44))), message.subarray(0, 100));
  });

  it("frames in any order, a frame decoded twice and another app's ggwave data: still the message", async () => {
    assert.deepStrictEqual(await receiveBytes(chunked(await framesPcm([2, 'x', 0, 0, 1]))), message);
  });

  it('says which frames are missing', async () => {
    const pcm = await framesPcm([0, 2]);
    await assert.rejects(
      receiveBytes(chunked(pcm)),
      isChirp('frames-missing', (e) => e.missing.join() === '1' && e.count === 3 && /frames 1 of 3 missing/.test(e.message)),
    );
  });

  it('says when the frames do not add up to their digest', async () => {
    const pcm = await framesPcm([0, 1, 2], (f) => {
      f[2][40] ^= 0x55;
    });
    await assert.rejects(receiveBytes(chunked(pcm)), isChirp('digest-mismatch'));
  });

  it('says when nothing was detected, and when time ran out (with what is missing)', async () => {
    await assert.rejects(
      receiveBytes(chunked(new Int16Array(48000 * 3))),
      isChirp('nothing-detected', (e) => /3\.0 s of audio/.test(e.message)),
    );
    const pcm = await framesPcm([0, 1, 2]);
    const firstFrameEnds = (await framesPcm([0])).length / 48000;
    await assert.rejects(
      receiveBytes(chunked(pcm), { timeoutSeconds: firstFrameEnds + 0.5 }),
      isChirp('timeout', (e) => e.missing.join() === '1,2'),
    );
    await assert.rejects(
      receiveBytes(chunked(new Int16Array(48000 * 2)), { timeoutSeconds: 1 }),
      isChirp('timeout', (e) => /no chirp heard/.test(e.message)),
    );
    const stop = new AbortController();
    stop.abort();
    await assert.rejects(receiveBytes(chunked(pcm), { signal: stop.signal }), isChirp('timeout'));
  });

  it('reports progress: seconds heard and frames received', async () => {
    const seen: ReceiveProgress[] = [];
    await receiveBytes(chunked(await framesPcm([1, 0, 2])), { onProgress: (p) => seen.push(p) });
    assert.ok(seen.length > 10);
    assert.ok(seen.every((p, i) => i === 0 || p.seconds > seen[i - 1].seconds));
    const last = seen[seen.length - 1];
    assert.deepStrictEqual([last.received, last.count, last.missing], [2, 3, [2]]);
  });

  it('refuses a message over 4 KB and bad options, naming them', async () => {
    await assert.rejects(encodeBytes(new Uint8Array(4097)), /at most 4096 bytes/);
    await assert.rejects(encodeMessage('x'.repeat(4100)), /at most 4096 bytes of CBOR/);
    await assert.rejects(encodeBytes(message, { gapSeconds: -1 }), /gap and lead/);
    await assert.rejects(receiveBytes([], { timeoutSeconds: 0 }), /timeoutSeconds/);
    await assert.rejects(receiveBytes([], { sampleRate: 100 }), /sampleRate/);
  });
});
