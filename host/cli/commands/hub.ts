import { join, resolve } from 'node:path';
import { CARTRIDGE_FILE, Hub } from '../../hub/hub.js';
import { UsageError, type Command } from '../command.js';

/** "HOST:PORT", "[v6]:PORT" or ":PORT" (all interfaces stay opt-in: the default is loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen '${text}' is not HOST:PORT (e.g. 127.0.0.1:7070, 0.0.0.0:7070, [::1]:7070)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export const hubCommand: Command = {
  name: 'hub',
  summary: 'Run the hub: store signed batches in the cartridge and serve the HTTP API',
  usage: 'fazt hub [--data DIR] [--listen HOST:PORT] [--body-limit BYTES]',
  help: [
    'The cartridge is DIR/fazt.db (one SQLite file); the hub key is DIR/hub-key.json, made on',
    'first start (mode 0600). Default DIR ./fazt-data, default listen 127.0.0.1:7070.',
    'API: POST /v1/uplink, POST /v1/enroll, GET /v1/nodes, GET /v1/events, GET /v1/stream.',
    'Runs until SIGINT or SIGTERM.',
  ].join('\n'),
  options: { data: { type: 'string' }, listen: { type: 'string' }, 'body-limit': { type: 'string' } },
  run: async ({ values, out, err }) => {
    const dataDir = resolve(String(values.data ?? './fazt-data'));
    const { host, port } = parseListen(String(values.listen ?? '127.0.0.1:7070'));
    let bodyLimit: number | undefined;
    if (values['body-limit'] !== undefined) {
      bodyLimit = Number(values['body-limit']);
      if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1024) throw new UsageError('--body-limit must be a whole number of bytes, at least 1024');
    }
    const hub = new Hub({ dataDir, host, port, bodyLimit, log: (line) => err(line + '\n') });
    // Listen for the signals before announcing the address: a supervisor may signal as soon as it reads it.
    let signalled = () => {};
    const stopRequested = new Promise<void>((done) => (signalled = done));
    const onSignal = () => signalled();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const addr = await hub.start();
      out(`hub ${addr.hubId} listening on ${addr.url}\ncartridge ${join(dataDir, CARTRIDGE_FILE)}\n`);
      await stopRequested;
      await hub.stop();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    out('hub stopped; cartridge closed\n');
    return 0;
  },
};
