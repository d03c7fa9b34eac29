import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../host/cli/command.js';
import { mqttFlags } from '../../host/cli/mqtt-flags.js';
import { resolveMqtt } from '../../host/mqtt/mqtt-options.js';

const dir = mkdtempSync(join(tmpdir(), 'fazt-mqtt-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'hunter2-secret';
const file = join(dir, 'pw');
writeFileSync(file, `${SECRET}\nignored\n`);

describe('fazt hub --mqtt flags', () => {
  it('are off without --mqtt, and the other flags need it', () => {
    assert.deepEqual(mqttFlags({}), {});
    for (const f of ['mqtt-user', 'mqtt-password-file', 'ha-prefix'])
      assert.throws(
        () => mqttFlags({ [f]: 'x' }),
        (e: Error) => e instanceof UsageError && e.message === `--${f} needs --mqtt (the broker's URL)`,
      );
  });

  it('take a URL, a user with a password file and a prefix', () => {
    const got = mqttFlags({ mqtt: 'mqtt://127.0.0.1:1883', 'mqtt-user': 'hub', 'mqtt-password-file': file, 'ha-prefix': 'ha' });
    assert.deepEqual(got, { mqtt: { url: 'mqtt://127.0.0.1:1883', user: 'hub', passwordFile: file, haPrefix: 'ha' } });
    assert.equal(resolveMqtt(got.mqtt as NonNullable<typeof got.mqtt>).password, SECRET, 'the first line of the file');
  });

  it('refuse a URL that is not mqtt://HOST:PORT, never echoing credentials put in it', () => {
    assert.throws(() => mqttFlags({ mqtt: 'http://127.0.0.1:1883' }), /--mqtt: 'http:\/\/127\.0\.0\.1:1883' is not mqtt:\/\/HOST:PORT/);
    assert.throws(
      () => mqttFlags({ mqtt: `mqtt://hub:${SECRET}@127.0.0.1:1883` }),
      (e: Error) => e instanceof UsageError && !e.message.includes(SECRET) && e.message.includes('//…@127.0.0.1:1883'),
    );
  });

  it('want the user and the password file together, and a readable, non-empty file, naming it and never its content', () => {
    assert.throws(() => mqttFlags({ mqtt: 'mqtt://h:1883', 'mqtt-user': 'hub' }), /--mqtt-user and --mqtt-password-file go together/);
    assert.throws(
      () => mqttFlags({ mqtt: 'mqtt://h:1883', 'mqtt-user': 'hub', 'mqtt-password-file': join(dir, 'none') }),
      /password file .*none cannot be read \(ENOENT\)/,
    );
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    assert.throws(() => mqttFlags({ mqtt: 'mqtt://h:1883', 'mqtt-user': 'hub', 'mqtt-password-file': empty }), /password file .*empty is empty/);
  });

  it('refuse a discovery prefix that is not topic levels', () => {
    assert.throws(() => mqttFlags({ mqtt: 'mqtt://h:1883', 'ha-prefix': 'home/#' }), /haPrefix 'home\/#' is not topic levels/);
  });
});
