/* fazt/ed25519's host functions (firmware/crypto/native/fazt-ed25519-xs.c) as xs-harness.c's globals publicKey, sign, verify. */
#include "xs-harness.h"

extern void xs_fazt_ed25519_public_key(xsMachine *the);
extern void xs_fazt_ed25519_sign(xsMachine *the);
extern void xs_fazt_ed25519_verify(xsMachine *the);

const struct fazt_host_function fazt_host_functions[] = {
	{ "publicKey", xs_fazt_ed25519_public_key, 1 },
	{ "sign", xs_fazt_ed25519_sign, 2 },
	{ "verify", xs_fazt_ed25519_verify, 3 },
	{ 0, 0, 0 },
};
