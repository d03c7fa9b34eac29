/*
 * The XS side of the native Ed25519 module (fazt-ed25519.js): host
 * functions that check their arguments, then call fazt-ed25519-core.c.
 *
 * Arguments are Uint8Arrays or ArrayBuffers. Their bytes live in XS's chunk
 * heap, which a collection may compact, so every result is allocated first
 * and the data pointers are taken after, with nothing allocating between
 * taking them and the call into libsodium.
 */
#include "xsmc.h"

#include "fazt-ed25519-core.h"

/* The argument's length in bytes; a TypeError naming it unless it holds bytes, a RangeError unless it has `expected` (0: any). */
static xsUnsignedValue checked_length(xsMachine *the, xsSlot *argument, const char *name, xsUnsignedValue expected)
{
	void *data;
	xsUnsignedValue length = 0;
	xsBooleanValue bytes = 0;
	if (xsmcTypeOf(*argument) == xsReferenceType) {
		xsTry {
			xsmcGetBufferReadable(*argument, &data, &length);
			bytes = 1;
		}
		xsCatch {
			bytes = 0;
		}
	}
	if (!bytes)
		xsTypeError("%s must be a Uint8Array or an ArrayBuffer", name);
	if (expected && length != expected)
		xsRangeError("%s must be %u bytes, got %u", name, (unsigned)expected, (unsigned)length);
	return length;
}

/* The argument's bytes, once checked_length has accepted it; valid until XS next allocates. */
static const uint8_t *bytes_of(xsMachine *the, xsSlot *argument)
{
	void *data;
	xsUnsignedValue length;
	xsmcGetBufferReadable(*argument, &data, &length);
	return (const uint8_t *)data;
}

static void check_result(xsMachine *the, int result)
{
	if (result == FAZT_ED25519_NO_LIBRARY)
		xsUnknownError("libsodium did not initialise");
}

/* publicKey(seed) → ArrayBuffer(32) */
void xs_fazt_ed25519_public_key(xsMachine *the)
{
	int result;
	if (xsmcArgc < 1)
		xsTypeError("publicKey(seed): seed is missing");
	checked_length(the, &xsArg(0), "seed", FAZT_ED25519_SEED_BYTES);
	xsmcSetArrayBuffer(xsResult, NULL, FAZT_ED25519_PUBLIC_KEY_BYTES);
	result = fazt_ed25519_public_key((uint8_t *)xsmcToArrayBuffer(xsResult), bytes_of(the, &xsArg(0)));
	check_result(the, result);
}

/* sign(message, seed) → ArrayBuffer(64) */
void xs_fazt_ed25519_sign(xsMachine *the)
{
	xsUnsignedValue length;
	int result;
	if (xsmcArgc < 2)
		xsTypeError("sign(message, seed): message and seed are needed");
	length = checked_length(the, &xsArg(0), "message", 0);
	checked_length(the, &xsArg(1), "seed", FAZT_ED25519_SEED_BYTES);
	xsmcSetArrayBuffer(xsResult, NULL, FAZT_ED25519_SIGNATURE_BYTES);
	result = fazt_ed25519_sign((uint8_t *)xsmcToArrayBuffer(xsResult), bytes_of(the, &xsArg(0)), length, bytes_of(the, &xsArg(1)));
	check_result(the, result);
}

/* verify(signature, message, publicKey) → boolean */
void xs_fazt_ed25519_verify(xsMachine *the)
{
	xsUnsignedValue length;
	int result;
	if (xsmcArgc < 3)
		xsTypeError("verify(signature, message, publicKey): all three are needed");
	checked_length(the, &xsArg(0), "signature", FAZT_ED25519_SIGNATURE_BYTES);
	length = checked_length(the, &xsArg(1), "message", 0);
	checked_length(the, &xsArg(2), "publicKey", FAZT_ED25519_PUBLIC_KEY_BYTES);
	result = fazt_ed25519_verify(bytes_of(the, &xsArg(0)), bytes_of(the, &xsArg(1)), length, bytes_of(the, &xsArg(2)));
	check_result(the, result);
	xsmcSetBoolean(xsResult, result == FAZT_ED25519_OK);
}
