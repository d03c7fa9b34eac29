import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromSecretKey } from '../../firmware/identity/node-id.js';
import { MESH_CLOCK_WINDOW_MS, MESH_HEADERS, MeshGate, signMeshRequest } from '../../host/mesh/mesh-auth.js';
import { MeshError } from '../../host/mesh/mesh-error.js';
import { crypto } from './helpers.js';

const server = identityFromSecretKey(new Uint8Array(32).fill(81), crypto);
const paired = identityFromSecretKey(new Uint8Array(32).fill(82), crypto);
const stranger = identityFromSecretKey(new Uint8Array(32).fill(83), crypto);
let now = 1_767_225_600_000;
let n = 0;
const entropy = (len: number) => new Uint8Array(len).fill(++n);
const gate = new MeshGate({
  self: server,
  crypto,
  clock: () => now,
  peer: (hub) => (hub === paired.id ? { hub, publicKey: paired.publicKey, pairedAt: 0 } : undefined),
});
const body = new Uint8Array([1, 2, 3]);
const signed = (from = paired, at = now, target = server.id) =>
  signMeshRequest({ method: 'POST', path: '/v1/mesh/heads', body, target }, from, { crypto, clock: () => at, entropy }).headers;
const refused = (code: string) => (e: unknown) => e instanceof MeshError && e.code === code;

describe('signed mesh requests', () => {
  it("a paired hub's fresh request passes; its peer is named", () => {
    assert.equal(gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: signed() }).peer.hub, paired.id);
  });
  it('the same request again is a replay', () => {
    const headers = signed();
    gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers });
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers }), refused('replay'));
  });
  it('a request outside the clock window is stale', () => {
    assert.throws(
      () => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: signed(paired, now - MESH_CLOCK_WINDOW_MS - 1) }),
      refused('stale'),
    );
  });
  it('an unpaired or unsigned hub is refused as unpaired', () => {
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: signed(stranger) }), refused('unpaired'));
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: {} }), refused('unpaired'));
  });
  it('another body, path, target hub or signer does not verify', () => {
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body: new Uint8Array([9]), headers: signed() }), refused('bad-signature'));
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/page', body, headers: signed() }), refused('bad-signature'));
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: signed(paired, now, stranger.id) }), refused('bad-signature'));
    const forged = { ...signed(stranger), [MESH_HEADERS.hub]: paired.id };
    assert.throws(() => gate.check({ method: 'POST', path: '/v1/mesh/heads', body, headers: forged }), refused('bad-signature'));
    now += 1;
  });
});
