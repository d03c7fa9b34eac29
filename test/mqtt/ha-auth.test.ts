import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { Hub } from '../../host/hub/hub.js';
import { Mosquitto, mosquittoSkip } from '../helpers/mosquitto.js';
import { asOwner, cbor, post, TestNode, tempDir } from '../hub/helpers.js';

/** The broker's password file decides: a wrong password is said (never shown) and ingest goes on. */
describe('Home Assistant over MQTT: authentication (real Mosquitto with a password file)', { skip: mosquittoSkip }, () => {
  const tmp = tempDir('fazt-mqtt-auth-');
  let broker: Mosquitto;

  before(async () => {
    broker = await Mosquitto.start({ auth: true });
  });
  after(async () => {
    await broker?.cleanup();
    tmp.cleanup();
  });

  it('the broker refuses anonymous clients and takes the user with its password', async () => {
    await assert.rejects(mqtt.connectAsync(broker.url, { reconnectPeriod: 0 }), /Not authorized/);
    const c = await mqtt.connectAsync(broker.url, { username: broker.user, password: broker.password, reconnectPeriod: 0 });
    await c.endAsync();
  });

  it('a wrong password: an mqtt-auth error naming the user, never the password; the hub keeps storing', async () => {
    const wrong = `not-${broker.password}`;
    const passwordFile = join(tmp.dir, 'pw');
    writeFileSync(passwordFile, wrong);
    const lines: string[] = [];
    const hub = new Hub({
      dataDir: join(tmp.dir, 'hub'),
      port: 0,
      log: (l) => lines.push(l),
      mqtt: { url: broker.url, user: broker.user, passwordFile, retryMs: { min: 50, max: 200 } },
    });
    const url = asOwner(hub, await hub.start()).url;
    try {
      const deadline = Date.now() + 15_000;
      while (!lines.some((l) => l.includes('"mqtt-auth"'))) {
        assert.ok(Date.now() < deadline, `no mqtt-auth record in ${lines.join('\n')}`);
        await new Promise((ok) => setTimeout(ok, 20));
      }
      const rec = JSON.parse(lines.find((l) => l.includes('"mqtt-auth"')) as string) as Record<string, unknown>;
      assert.equal(rec.level, 'error');
      assert.match(String(rec.message), /the broker refused user 'hub' \(.*Not authorized.*\)/);
      assert.equal(hub.homeAssistant?.isConnected, false);
      const node = new TestNode(0x44);
      hub.cartridge.addNode(node.identity.publicKey, { name: 'porch' });
      node.append(3);
      assert.equal((await post(`${url}/v1/uplink`, cbor(node.batch(1, 3)))).status, 200);
      assert.equal([...hub.cartridge.chain(node.id)].length, 3);
      assert.equal(lines.filter((l) => l.includes('"mqtt-auth"')).length, 1, 'said once while it lasts, however often it is retried');
      assert.ok(!lines.some((l) => l.includes(wrong) || l.includes(broker.password)), 'no password in the log');
    } finally {
      await hub.stop();
    }
  });
});
