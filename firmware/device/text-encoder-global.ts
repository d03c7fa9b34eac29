import { utf8Encode } from '../codec/utf8.js';

/**
 * A global TextEncoder where the engine has none. @noble/curves encodes its
 * domain strings with `new TextEncoder()` while its modules load, and a
 * Moddable build has no such global (the SDK offers it only as the native
 * module text/encoder, which cannot run while xsl preloads): without this the
 * device aborted at boot (found running the node app on the SDK's Linux host
 * platform). device-main imports it first; manifest.json preloads it first.
 */
class Utf8TextEncoder {
  readonly encoding = 'utf-8';
  encode(input = ''): Uint8Array {
    return utf8Encode(String(input));
  }
}

const g = globalThis as { TextEncoder?: unknown };
if (typeof g.TextEncoder !== 'function') g.TextEncoder = Utf8TextEncoder;
