import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createUser, createAccount } from '@nats-io/nkeys';
import { UsageError } from '../../host/cli/command.js';
import { meshNatsFlags } from '../../host/cli/mesh-nats-flags.js';
import { resolveMeshNats } from '../../host/mesh/nats/nats-options.js';
import { tempDir } from '../hub/helpers.js';

const t = tempDir('fazt-nats-options-');
after(t.cleanup);
const SECRET = 'correct-horse-battery-staple';
const file = (name: string, text: string) => {
  const p = join(t.dir, name);
  writeFileSync(p, text);
  return p;
};
const password = file('password', `${SECRET}\n`);
const seed = new TextDecoder().decode(createUser().getSeed());
const nkey = file('nkey', `${seed}\n`);

/** Throws `kind` with a message matching `re` that holds no secret. */
function refuses(fn: () => unknown, kind: new (...a: never[]) => Error, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof kind, `${e.name}: ${e.message}`);
    assert.match(e.message, re);
    assert.ok(!e.message.includes(SECRET) && !e.message.includes(seed), 'no secret in the message');
    return true;
  });
}

describe('mesh-nats options', () => {
  it('resolves a password user and an nkey user, naming who signs in and no secret', () => {
    const u = resolveMeshNats({ url: 'nats://127.0.0.1:4222', user: 'hub', passwordFile: password });
    assert.equal(u.as, "user 'hub'");
    assert.deepEqual(u.credentials, { user: 'hub', password: SECRET });
    const r = resolveMeshNats({ url: 'nats://a:4222,tls://b:4443', nkeyFile: nkey });
    assert.deepEqual(r.servers, ['nats://a:4222', 'tls://b:4443']);
    assert.match(r.as, /^nkey U[A-Z2-7]{55}$/);
    assert.deepEqual(r.credentials, { seed: new TextEncoder().encode(seed) });
    assert.equal(resolveMeshNats({ url: 'nats://127.0.0.1:4222' }).credentials, undefined);
  });

  it('refuses bad options with a message naming the option', () => {
    refuses(() => resolveMeshNats({ url: 'http://x:4222' }), RangeError, /meshNats\.url 'http:\/\/x:4222' is not nats:\/\/HOST:PORT/);
    refuses(() => resolveMeshNats({ url: `nats://hub:${SECRET}@x:4222` }), RangeError, /credentials go in files/);
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', user: 'hub' }), TypeError, /go together/);
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', user: 'hub', passwordFile: password, nkeyFile: nkey }), TypeError, /not both/);
    refuses(
      () => resolveMeshNats({ url: 'nats://x:4222', user: 'hub', passwordFile: join(t.dir, 'missing') }),
      TypeError,
      /password file .*missing cannot be read \(ENOENT\)/,
    );
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', user: 'hub', passwordFile: file('empty', '\n') }), RangeError, /is empty/);
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', nkeyFile: password }), RangeError, /does not hold an nkey seed/);
    const account = file('account', new TextDecoder().decode(createAccount().getSeed()));
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', nkeyFile: account }), RangeError, /not a user's/);
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', stream: 'a.b' }), RangeError, /meshNats\.stream/);
    refuses(() => resolveMeshNats({ url: 'nats://x:4222', prefix: 'fazt.>' }), RangeError, /meshNats\.prefix/);
  });

  it('the fazt hub flags: usage errors naming the flag', () => {
    assert.deepEqual(meshNatsFlags({}), {});
    assert.deepEqual(meshNatsFlags({ 'mesh-nats': 'nats://127.0.0.1:4222', 'mesh-nats-nkey-file': nkey }), {
      meshNats: { url: 'nats://127.0.0.1:4222', nkeyFile: nkey },
    });
    refuses(() => meshNatsFlags({ 'mesh-nats-user': 'hub' }), UsageError, /--mesh-nats-user needs --mesh-nats/);
    refuses(
      () => meshNatsFlags({ 'mesh-nats': 'nats://x:4222', 'mesh-nats-user': 'hub' }),
      UsageError,
      /--mesh-nats-user and --mesh-nats-password-file go together/,
    );
    refuses(
      () => meshNatsFlags({ 'mesh-nats': 'nats://x:4222', 'mesh-nats-user': 'hub', 'mesh-nats-password-file': password, 'mesh-nats-nkey-file': nkey }),
      UsageError,
      /not both/,
    );
    refuses(() => meshNatsFlags({ 'mesh-nats': 'x:4222' }), UsageError, /^--mesh-nats: 'x:4222' is not nats:\/\/HOST:PORT/);
    refuses(() => meshNatsFlags({ 'mesh-nats': 'nats://x:4222', 'mesh-nats-nkey-file': password }), UsageError, /--mesh-nats: the NATS nkey file/);
  });
});
