import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { dispatch, UsageError } from '../../host/cli/command.js';
import { firmwareCommand } from '../../host/cli/commands/firmware.js';
import { readBuild } from '../../host/cli/commands/firmware-publish.js';
import { nodeCrypto } from '../../host/crypto/node-crypto.js';
import { Hub } from '../../host/hub/hub.js';
import { tempDir } from '../hub/helpers.js';

const tmp = tempDir('fazt-fw-publish-');
let hub: Hub;
let url = '';
const node = identityFromSecretKey(new Uint8Array(32).fill(0x5a), nodeCrypto);

/** A folder as `fazt firmware build` leaves it after mcconfig: manifest.json naming the board, the image under out/. */
function buildFolder(name: string, board: string, image?: Uint8Array): string {
  const dir = join(tmp.dir, name);
  mkdirSync(join(dir, 'out/bin/esp32/release/fazt'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ config: { fazt: { board: { id: board } } } }));
  if (image) writeFileSync(join(dir, 'out/bin/esp32/release/fazt/xs_esp32.bin'), image);
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { stdin: async () => Buffer.alloc(0), out: (t: string) => void (out += t), err: (t: string) => void (out += t) };
  const code = await dispatch(firmwareCommand, [...args, '--hub', url, '--token', hub.ownerToken], ['fazt', 'firmware'], io);
  return { code, out };
}

before(async () => {
  hub = new Hub({ dataDir: join(tmp.dir, 'hub'), port: 0, log: () => undefined });
  url = (await hub.start()).url;
  hub.cartridge.addNode(node.publicKey, { name: 'porch', board: 'esp32-devkitc' });
});
after(async () => {
  await hub.stop();
  tmp.cleanup();
});

describe('fazt firmware publish and list', () => {
  it('publishes the image of a build folder for its board and offers it to a node named; list shows both', async () => {
    const image = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const dir = buildFolder('devkitc', 'esp32-devkitc', image);
    const r = await cli(['publish', dir, '--version', '0.2.0', '--node', 'porch']);
    assert.equal(r.code, 0, r.out);
    const sha = Buffer.from(nodeCrypto.sha256(image)).toString('hex');
    assert.match(
      r.out,
      new RegExp(`^published esp32-devkitc 0.2.0 \\(5000 bytes, sha256 ${sha.slice(0, 12)}…\\)\\noffered to ${node.id} \\(command [a-z2-7]{16}\\)\\n$`),
    );
    assert.equal(hub.cartridge.firmware.find('esp32-devkitc', '0.2.0')?.sha256, sha);
    const again = await cli(['publish', dir, '--version', '0.2.0']);
    assert.match(again.out, /^already published/);
    const list = await cli(['list']);
    assert.match(list.out, new RegExp(`^esp32-devkitc 0.2.0  5000 bytes  sha256 ${sha.slice(0, 12)}…  published .*\\n  ${node.id}: queued\\n$`));
  });

  it('names what is wrong with <build> before it asks the hub', () => {
    assert.throws(() => readBuild(join(tmp.dir, 'nowhere'), undefined), UsageError);
    assert.throws(() => readBuild(buildFolder('empty', 'esp32-devkitc'), undefined), /holds no xs_esp32.bin/);
    const dir = buildFolder('c3', 'esp32-c3-devkitm-1', new Uint8Array(10));
    assert.throws(() => readBuild(dir, 'esp32-devkitc'), /built for esp32-c3-devkitm-1, not --board esp32-devkitc/);
    assert.equal(readBuild(dir, undefined).board, 'esp32-c3-devkitm-1');
    const bin = join(dir, 'out/bin/esp32/release/fazt/xs_esp32.bin');
    assert.throws(() => readBuild(bin, undefined), /give --board ID/);
    assert.equal(readBuild(bin, 'esp32-c3-devkitm-1').bytes.length, 10);
  });
});
