import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../host/boards/board-registry.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { makeChirpCommand, type ChirpCliDeps } from '../../host/cli/commands/chirp.js';
import { AcousticChannel } from '../../sim/acoustic/acoustic-channel.js';
import { AcousticAir } from '../../sim/world/acoustic-air.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';

const tmp = mkdtempSync(join(tmpdir(), 'fazt-chirp-cli-'));
const noAudio = async (): Promise<never> => {
  throw new Error('no audio in this test');
};

/** Runs `fazt chirp …` in-process; resolves with what it printed. */
async function chirp(args: string[], deps: Partial<ChirpCliDeps> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cmd = makeChirpCommand({ audioBackend: noAudio, tty: false, sleep: async () => undefined, ...deps });
  const code = await dispatch(cmd, args, ['fazt', 'chirp'], { stdin: async () => Buffer.alloc(0), out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('fazt chirp', () => {
  it('answers --help at every level', async () => {
    for (const args of [['--help'], ['encode', '--help'], ['decode', '--help'], ['send', '--help'], ['listen', '--help']]) {
      const r = await chirp(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /^Usage: fazt chirp/);
    }
  });

  it('encode → WAV → decode: text, a file, a JSON document', async () => {
    const wav = join(tmp, 'hello.wav');
    const enc = await chirp(['encode', 'hello', 'sound', '-o', wav, '--mode', 'fast']);
    assert.match(enc.out, /wrote .*hello\.wav: 12 bytes of CBOR in 1 frame, [\d.]+ s of sound, mode fast/);
    assert.equal((await chirp(['decode', wav])).out, 'hello sound\n');

    const src = join(tmp, 'notes.bin');
    writeFileSync(src, Uint8Array.from({ length: 200 }, (_, i) => i));
    await chirp(['encode', '--file', src, '-o', wav, '--mode', 'fast']);
    await assert.rejects(chirp(['decode', wav]), (e: unknown) => e instanceof UsageError && /carries the file 'notes\.bin' \(200 bytes\)/.test(e.message));
    await chirp(['decode', wav, '-o', join(tmp, 'notes.out')]);
    assert.deepStrictEqual(readFileSync(join(tmp, 'notes.out')), readFileSync(src));

    await chirp(['encode', '--json', '{"temp": 21.5, "ok": true}', '-o', wav, '--mode', 'fast']);
    assert.deepStrictEqual(JSON.parse((await chirp(['decode', wav, '--json'])).out), { ok: true, temp: 21.5 });
  });

  it('says what is wrong with the call', async () => {
    await assert.rejects(chirp(['encode', 'x']), /give the WAV file to write with -o/);
    await assert.rejects(chirp(['encode', 'x', '-o', join(tmp, 'x.wav'), '--mode', 'loud']), /--mode must be one of robust, standard, fast/);
    await assert.rejects(chirp(['encode', 'x', '--file', 'y', '-o', join(tmp, 'x.wav')]), /exactly one of/);
    await assert.rejects(chirp(['encode', 'x', '-o', join(tmp, 'x.wav'), '--volume', '0']), /--volume/);
    await assert.rejects(chirp(['listen', '--timeout', 'soon']), /not a duration/);
    writeFileSync(join(tmp, 'not.wav'), 'RIFF nonsense');
    await assert.rejects(chirp(['decode', join(tmp, 'not.wav')]), (e: unknown) => e instanceof ChirpError && e.code === 'bad-wav');
  });

  it('send on one simulated board, listen on another, through a noisy, echoing channel with drift', async () => {
    const clock = new VirtualClock(0);
    const air = new AcousticChannel({ seed: 3, drift: 0.002, echo: { seed: 3 }, noise: { colour: 'pink', rms: 0.01 } });
    const speaker = new SimBoard('speaker', getBoard('rpi-4b'), clock, { audio: air });
    const mic = new SimBoard('mic', getBoard('rpi-5'), clock, { audio: air });
    const listening = chirp(['listen', '--timeout', '20s'], { audioBackend: async () => mic.backend });
    await new Promise((r) => setTimeout(r, 20));
    const sent = await chirp(['send', 'over', 'the', 'air', '--mode', 'fast'], { audioBackend: async () => speaker.backend });
    air.settle();
    assert.match(sent.err, /sending 13 bytes of CBOR in 1 frame[\s\S]*sending \[[#.]+\][\s\S]*sent\n$/);
    const heard = await listening;
    assert.equal(heard.out, 'over the air\n');
    assert.match(heard.err, /listening \[/);
  });

  it('listen: a timeout says so', async () => {
    const air = new AcousticAir();
    const clock = new VirtualClock(0);
    const a = new SimBoard('a', getBoard('rpi-4b'), clock, { audio: air });
    const b = new SimBoard('b', getBoard('rpi-4b'), clock, { audio: air });
    const listening = chirp(['listen', '--timeout', '2s'], { audioBackend: async () => b.backend });
    await new Promise((r) => setTimeout(r, 20));
    const out = a.backend.audioOut({ sampleRate: 48000, channels: 1, bitsPerSample: 16 });
    for (let i = 0; i < 12; i++) out.write(new Int16Array(12000));
    await assert.rejects(listening, (e: unknown) => e instanceof ChirpError && e.code === 'timeout' && /no chirp heard/.test(e.message));
  });
});
