/**
 * The hub keys a node trusts: one key (a node of one hub), or the owner's
 * hubs in the order of its configuration (firmware/node/node-config.ts
 * hubKeys). Acknowledgements, signed heads and commands signed by any of
 * them are the owner's.
 */
export function keyList(keys: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  const list = keys instanceof Uint8Array ? [keys] : keys;
  if (list.length === 0) throw new RangeError('hubKeys must name at least one hub key');
  for (let i = 0; i < list.length; i++)
    if (!(list[i] instanceof Uint8Array) || list[i].length !== 32) throw new TypeError(`hubKeys[${i}] must be a 32-byte public key`);
  return list;
}
