import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SaidOnce } from '../../host/mesh/nats/said-once.js';

test('a subject is said the first time only, while it is remembered', () => {
  const said = new SaidOnce(8);
  assert.equal(said.first('fazt.mesh.n1'), true);
  assert.equal(said.first('fazt.mesh.n1'), false);
  assert.equal(said.first('from hub-b'), true);
  assert.equal(said.first('from hub-b'), false);
});

test('a publisher naming endless unknown chains holds at most the limit; the oldest is forgotten and said again', () => {
  const said = new SaidOnce(100);
  for (let i = 0; i < 10_000; i++) assert.equal(said.first(`fazt.mesh.unknown-${i}`), true);
  assert.equal(said.size, 100);
  assert.equal(said.first('fazt.mesh.unknown-9999'), false, 'the newest is still remembered');
  assert.equal(said.first('fazt.mesh.unknown-0'), true, 'the oldest was forgotten');
});

test('a limit that is not a whole number of at least 1 is refused by name', () => {
  assert.throws(() => new SaidOnce(0), /limit must be a whole number of at least 1, got 0/);
  assert.throws(() => new SaidOnce(1.5), /got 1.5/);
});
