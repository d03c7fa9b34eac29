import { decodeCbor } from '../../../firmware/codec/cbor-decode.js';
import { encodeCbor } from '../../../firmware/codec/cbor-encode.js';
import { parseJson, stringifyJson } from '../../../firmware/codec/json-form.js';
import { fromHex, toHex } from '../../../firmware/codec/text-encodings.js';
import type { Command } from '../command.js';

export const cborCommand: Command = {
  name: 'cbor',
  summary: 'Convert between JSON and deterministic CBOR',
  usage: 'fazt cbor <encode|decode>',
  help: 'Byte strings appear in JSON as {"$bytes": "<base64url>"}.',
  subcommands: [
    {
      name: 'encode',
      summary: 'JSON on stdin → deterministic CBOR as hex on stdout',
      usage: 'fazt cbor encode < doc.json',
      run: async ({ stdin, out }) => {
        out(toHex(encodeCbor(parseJson((await stdin()).toString('utf8')))) + '\n');
      },
    },
    {
      name: 'decode',
      summary: 'CBOR as hex on stdin → JSON on stdout (strict: refuses non-deterministic CBOR)',
      usage: 'fazt cbor decode < doc.hex',
      options: { pretty: { type: 'boolean', description: 'indent the JSON' } },
      run: async ({ stdin, out, values }) => {
        const text = stringifyJson(decodeCbor(fromHex((await stdin()).toString('utf8').trim())));
        out((values.pretty ? JSON.stringify(JSON.parse(text), null, 2) : text) + '\n');
      },
    },
  ],
};
