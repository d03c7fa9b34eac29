import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { batchToValue } from '../../firmware/batch/batch.js';
import { CompactBatchEncoder } from '../../firmware/batch/batch-encoder.js';
import { encodeCbor } from '../../firmware/codec/cbor-encode.js';
import { toBase64url, toHex } from '../../firmware/codec/text-encodings.js';
import { entryToValue } from '../../firmware/event/envelope.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Cartridge } from '../../host/store/cartridge.js';
import { getBoard } from '../../host/boards/board-registry.js';
import { ChirpError } from '../../host/chirp/chirp-error.js';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { PinClaims } from '../../hal/board/pin-claims.js';
import { createLinuxBackend } from '../../hal/linux/linux-backend.js';
import { makeChirpCommand, type ChirpCliDeps } from '../../host/cli/commands/chirp.js';
import { AcousticChannel } from '../../sim/acoustic/acoustic-channel.js';
import { AcousticAir } from '../../sim/world/acoustic-air.js';
import { SimBoard } from '../../sim/world/sim-board.js';
import { VirtualClock } from '../../sim/world/virtual-clock.js';
import { bme280Backlog } from './bme280-backlog.js';

const tmp = mkdtempSync(join(tmpdir(), 'fazt-chirp-cli-'));
const noAudio = async (): Promise<never> => {
  throw new Error('no audio in this test');
};

/** Runs `fazt chirp …` in-process; resolves with what it printed. */
async function chirp(args: string[], deps: Partial<ChirpCliDeps> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cmd = makeChirpCommand({ audioBackend: noAudio, tty: false, sleep: async () => undefined, ...deps });
  const code = await dispatch(cmd, args, ['fazt', 'chirp'], {
    stdin: async () => Buffer.alloc(0),
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
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
    writeFileSync(
      src,
      Uint8Array.from({ length: 200 }, (_, i) => i),
    );
    await chirp(['encode', '--file', src, '-o', wav, '--mode', 'fast']);
    await assert.rejects(chirp(['decode', wav]), (e: unknown) => e instanceof UsageError && /carries the file 'notes\.bin' \(200 bytes\)/.test(e.message));
    await chirp(['decode', wav, '-o', join(tmp, 'notes.out')]);
    assert.deepStrictEqual(readFileSync(join(tmp, 'notes.out')), readFileSync(src));

    await chirp(['encode', '--json', '{"temp": 21.5, "ok": true}', '-o', wav, '--mode', 'fast']);
    assert.deepStrictEqual(JSON.parse((await chirp(['decode', wav, '--json'])).out), { ok: true, temp: 21.5 });
  });

  it("seals for a recipient's key, signs with the sender's, opens with --key", async () => {
    const keyFile = (name: string, b: number): { file: string; publicKey: string } => {
      const secretKey = new Uint8Array(32).fill(b);
      const publicKey = toHex(ed25519.getPublicKey(secretKey));
      const file = join(tmp, name);
      writeFileSync(file, JSON.stringify({ id: 'fz-test', publicKey, secretKey: { $bytes: toBase64url(secretKey) } }));
      return { file, publicKey };
    };
    const hub = keyFile('hub.json', 9);
    const phone = keyFile('phone.json', 10);
    const wav = join(tmp, 'sealed.wav');
    await chirp(['encode', 'the wifi password', '-o', wav, '--mode', 'fast', '--seal-to', hub.publicKey, '--sign-key', phone.file]);
    await assert.rejects(chirp(['decode', wav]), /the chirp is sealed: give --key/);
    await assert.rejects(chirp(['decode', wav, '--key', phone.file]), (e: unknown) => (e as { code?: string }).code === 'unseal');
    const opened = await chirp(['decode', wav, '--key', hub.file]);
    assert.equal(opened.out, 'the wifi password\n');
    assert.equal(opened.err, `opened a box sealed and signed by ${phone.publicKey}\n`);
    await chirp(['encode', 'x', '-o', wav, '--mode', 'fast', '--seal-to', hub.file]);
    assert.match((await chirp(['decode', wav, '--key', hub.file])).err, /unsigned: the sender is not known/);
    await assert.rejects(chirp(['encode', 'x', '-o', wav, '--sign-key', phone.file]), /give --seal-to too/);
    await assert.rejects(chirp(['encode', 'x', '-o', wav, '--seal-to', join(tmp, 'nokey.json')]), /not a key file/);
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

  it('send and listen through the linux backend: aplay and arecord (stand-ins that keep or replay raw S16_LE)', async () => {
    const board = getBoard('rpi-4b');
    const played = join(tmp, 'played.raw');
    const aplay = join(tmp, 'aplay');
    writeFileSync(aplay, `#!/bin/sh\ncat > '${played}'\n`, { mode: 0o755 });
    const linux = (o: { aplay?: string; arecord?: string }) => async () => createLinuxBackend({ board, claims: new PinClaims(board), ...o });
    await chirp(['send', 'from', 'a', 'pi', '--mode', 'fast'], { audioBackend: linux({ aplay }) });
    const raw = readFileSync(played);
    const arecord = join(tmp, 'arecord');
    writeFileSync(arecord, `#!/bin/sh\ncat '${played}'\nexec sleep 30\n`, { mode: 0o755 });
    const heard = await chirp(['listen', '--timeout', '10s'], { audioBackend: linux({ arecord }) });
    assert.equal(heard.out, 'from a pi\n');
    assert.ok(raw.length > 48000 * 2, 'aplay got the sound');
    await assert.rejects(
      chirp(['listen', '--timeout', '2s'], { audioBackend: linux({ arecord: join(tmp, 'no-arecord') }) }),
      /no-arecord not found: apt install alsa-utils/,
    );
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

describe('fazt chirp: a batch', () => {
  const node = bme280Backlog(32, 7);
  const hubDir = (name: string, enrol: boolean): string => {
    const dir = join(tmp, name);
    mkdirSync(dir);
    const c = Cartridge.open(join(dir, 'fazt.db'));
    if (enrol) c.addNode(node.identity.publicKey, { board: 'esp32-devkitc' });
    c.close();
    return dir;
  };
  const batchFile = (name: string, bytes: Uint8Array): string => {
    writeFileSync(join(tmp, name), bytes);
    return join(tmp, name);
  };

  it('encode --batch → WAV → decode --ingest --data DIR: stored as signed, once', async () => {
    const wav = join(tmp, 'batch.wav');
    const enc = await chirp(['encode', '--batch', batchFile('backlog.cbor', encodeCbor(batchToValue(node.batch))), '-o', wav, '--mode', 'fast']);
    assert.match(
      enc.out,
      new RegExp(
        `^a batch of 32 entries from ${node.identity.id} \\(seq 1–32\\): (\\d+) bytes compact with its dictionary \\([\\d.]+ B an entry; the full form is \\d+ B\\)\nwrote .*batch\\.wav: \\1 bytes of CBOR`,
      ),
    );
    const dir = hubDir('hub-a', true);
    const stored = await chirp(['decode', wav, '--ingest', '--data', dir]);
    assert.equal(stored.out, `the cartridge in ${dir} stored 32 entries from ${node.identity.id}; ack 32\n`);
    const again = await chirp(['decode', wav, '--ingest', '--data', dir]);
    assert.equal(again.out, `the cartridge in ${dir} stored nothing new from ${node.identity.id} (already held); ack 32\n`);
    const c = Cartridge.open(join(dir, 'fazt.db'));
    const chain = [...c.chain(node.identity.id)].map((e) => toHex(encodeCbor(entryToValue(e))));
    c.close();
    assert.deepStrictEqual(
      chain,
      node.entries.map((e) => toHex(encodeCbor(entryToValue(e)))),
    );
    // A hub that never enrolled the node refuses it with the uplink's code, and stores nothing.
    const stranger = hubDir('hub-b', false);
    await assert.rejects(chirp(['decode', wav, '--ingest', '--data', stranger]), (e: unknown) => (e as { code?: string }).code === 'unknown-node');
    const s = Cartridge.open(join(stranger, 'fazt.db'));
    assert.equal(s.counts().events, 0);
    s.close();
  });

  it('takes the compact form too, and refuses what it cannot send in one chirp', async () => {
    const wav = join(tmp, 'refused.wav');
    const compact = new CompactBatchEncoder(nodeCrypto);
    const inline = compact.encode(node.batch);
    assert.match((await chirp(['encode', '--batch', batchFile('inline.cbor', inline), '-o', wav, '--mode', 'fast'])).out, /a batch of 32 entries/);
    compact.accepted();
    await assert.rejects(
      chirp(['encode', '--batch', batchFile('by-hash.cbor', compact.encode(node.batch)), '-o', wav]),
      (e: unknown) => e instanceof UsageError && /names its dictionary by hash: over sound it must carry it/.test(e.message),
    );
    await assert.rejects(chirp(['encode', '--batch', batchFile('text.cbor', encodeCbor('hello')), '-o', wav]), /text\.cbor is not a batch/);
    await assert.rejects(
      chirp(['encode', '--batch', batchFile('junk.cbor', Uint8Array.of(0xff, 0x00)), '-o', wav]),
      /junk\.cbor is not a batch: not deterministic CBOR/,
    );
    await assert.rejects(chirp(['encode', '--batch', join(tmp, 'missing.cbor'), '-o', wav]), /cannot read .*missing\.cbor/);
    const tampered = structuredClone(node.batch);
    (tampered.entries[5].data as { value: number }).value += 0.01;
    await assert.rejects(
      chirp(['encode', '--batch', batchFile('tampered.cbor', encodeCbor(batchToValue(tampered))), '-o', wav]),
      /tampered\.cbor: the batch does not verify \(tampered\)/,
    );
    const big = bme280Backlog(400, 9);
    await assert.rejects(
      chirp(['encode', '--batch', batchFile('big.cbor', encodeCbor(batchToValue(big.batch))), '-o', wav]),
      /the batch of 400 entries is \d{4} bytes in its compact form \(\d+ in full\); one chirp message carries at most 4096 bytes/,
    );
  });

  it('--ingest refuses a message that is not a batch, and says what goes with what', async () => {
    const wav = join(tmp, 'text.wav');
    await chirp(['encode', 'just', 'words', '-o', wav, '--mode', 'fast']);
    const dir = hubDir('hub-c', true);
    await assert.rejects(
      chirp(['decode', wav, '--ingest', '--data', dir]),
      (e: unknown) => (e as { code?: string }).code === 'not-a-batch' && /the chirp carries text, not a batch/.test((e as Error).message),
    );
    await assert.rejects(chirp(['decode', wav, '--data', dir]), /give --ingest too/);
    await assert.rejects(chirp(['decode', wav, '--ingest', '--data', dir, '--hub', 'http://127.0.0.1:1']), /not both/);
    await assert.rejects(chirp(['decode', wav, '--ingest', '--data', dir, '-o', join(tmp, 'x')]), /-o and --json do not apply/);
    await assert.rejects(chirp(['decode', wav, '--ingest', '--data', join(tmp, 'nowhere')]), /does not exist/);
    await assert.rejects(chirp(['decode', wav, '--ingest', '--data', tmp]), /holds no cartridge \(fazt\.db\)/);
  });
});
