// The firmware's public index inside XS (test/portability.test.ts).
import * as api from '../../../firmware/index.js';
import { serveCommands } from '../../../sim/xs/xs-guest.js';

serveCommands({
  exports: () =>
    Object.keys(api)
      .filter((k) => typeof (api as Record<string, unknown>)[k] === 'function')
      .sort(),
  roundTrip: () => {
    const id = api.identityFromSecretKey(new Uint8Array(32).fill(9), api.nobleCrypto);
    const log = new api.EventLog({ nodeId: id.id, crypto: api.nobleCrypto, clock: () => 5 });
    const b = api.createBatch([log.append('system.boot', 'node', {})], id, api.nobleCrypto);
    const back = api.batchFromValue(api.decodeCbor(api.encodeCbor(api.batchToValue(b))));
    return api.verifyBatch(back, { crypto: api.nobleCrypto }).head.seq;
  },
});
