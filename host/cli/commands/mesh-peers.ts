import { UsageError, type Command } from '../command.js';
import { askHub, HUB_OPTIONS } from '../hub-client.js';

interface PeerRow {
  hub: string;
  publicKey: string;
  name: string | null;
  url: string | null;
  pairedAt: number;
  only: string[] | null;
}

export const meshPeersCommand: Command = {
  name: 'peers',
  summary: 'List the paired hubs; unpair one, set where it is reached, or which nodes replicate with it',
  usage: 'fazt mesh peers [--json] | --remove ID | --set-url ID URL|beacon | --only ID NODE,NODE|all',
  args: '[value]',
  help: [
    'Lists each paired hub: its id, name, where it is reached (a URL, or found by Beacon on the LAN) and which',
    'nodes replicate with it (all by default).',
    '  --remove ID             unpair: it gets nothing from this hub and gives nothing to it',
    '  --set-url ID URL        reach it at URL (across sites); "beacon" finds it on the LAN again',
    '  --only ID NODE,NODE     replicate only these nodes with it; "all" for every node again',
  ].join('\n'),
  options: {
    ...HUB_OPTIONS,
    remove: { type: 'string', value: 'ID', description: 'unpair the hub with this id' },
    'set-url': { type: 'string', value: 'ID', description: 'set where the hub with this id is reached (the URL follows)' },
    only: { type: 'string', value: 'ID', description: 'replicate only the nodes that follow (NODE,NODE or all) with this hub' },
  },
  run: async ({ values, positionals, out }) => {
    const [value] = positionals;
    const show = (r: unknown, text: string) => out(values.json ? `${JSON.stringify(r)}\n` : `${text}\n`);
    if (typeof values.remove === 'string') {
      show(await askHub(values, '/v1/mesh/peers/remove', { body: { hub: values.remove } }), `unpaired ${values.remove}`);
    } else if (typeof values['set-url'] === 'string') {
      if (value === undefined) throw new UsageError('--set-url ID needs the URL (or "beacon") after it');
      const url = value === 'beacon' ? null : value;
      show(await askHub(values, '/v1/mesh/peers/url', { body: { hub: values['set-url'], url } }), `${values['set-url']}: ${url ?? 'found by Beacon'}`);
    } else if (typeof values.only === 'string') {
      if (value === undefined) throw new UsageError('--only ID needs the nodes (NODE,NODE or all) after it');
      const nodes =
        value === 'all'
          ? null
          : value
              .split(',')
              .map((n) => n.trim())
              .filter(Boolean);
      show(
        await askHub(values, '/v1/mesh/peers/only', { body: { hub: values.only, nodes } }),
        `${values.only}: replicates ${nodes ? nodes.join(', ') : 'every node'}`,
      );
    } else {
      if (value !== undefined) throw new UsageError(`unexpected '${value}': give --remove, --set-url or --only`);
      const { peers } = await askHub<{ peers: PeerRow[] }>(values, '/v1/mesh/peers');
      if (values.json) return void out(`${JSON.stringify(peers)}\n`);
      if (peers.length === 0) return void out('no paired hubs (fazt mesh pair makes an invite)\n');
      for (const p of peers)
        out(`${p.hub}  ${p.name ?? '-'}  ${p.url ?? 'by Beacon'}  paired ${new Date(p.pairedAt).toISOString()}  nodes: ${p.only ? p.only.join(',') : 'all'}\n`);
    }
    return 0;
  },
};
