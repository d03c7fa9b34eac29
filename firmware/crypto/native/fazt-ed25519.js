/*
 * fazt/ed25519: Ed25519 (RFC 8032) in native code for Moddable builds, over
 * libsodium (fazt-ed25519-xs.c binds these host functions; the manifest
 * beside this file builds them). Written in Moddable's host-function syntax,
 * which only xsc compiles: tsc, Biome, knip, esbuild and the portability
 * test leave this file alone, and fazt-ed25519.d.ts declares it.
 *
 * Arguments are Uint8Arrays or ArrayBuffers; results are ArrayBuffers.
 * A wrong type throws a TypeError and a wrong length a RangeError, each
 * naming the argument.
 */

function publicKey(seed) @ "xs_fazt_ed25519_public_key";
function sign(message, seed) @ "xs_fazt_ed25519_sign";
function verify(signature, message, publicKey) @ "xs_fazt_ed25519_verify";

export { publicKey, sign, verify };
