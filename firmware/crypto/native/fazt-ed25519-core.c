/*
 * Ed25519 over libsodium's crypto_sign API (see fazt-ed25519-core.h).
 */
#include "fazt-ed25519-core.h"

#include <sodium.h>

/* libsodium hashes a NULL message of length 0 fine, but its API marks the pointer nonnull. */
static const uint8_t empty_message[1] = {0};

static int ready(void)
{
	/* 0 the first time, 1 after: cheap, and safe to call from every entry point. */
	return sodium_init() < 0 ? FAZT_ED25519_NO_LIBRARY : FAZT_ED25519_OK;
}

int fazt_ed25519_public_key(uint8_t public_key[FAZT_ED25519_PUBLIC_KEY_BYTES], const uint8_t seed[FAZT_ED25519_SEED_BYTES])
{
	unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
	if (ready() != FAZT_ED25519_OK)
		return FAZT_ED25519_NO_LIBRARY;
	crypto_sign_seed_keypair(public_key, secret_key, seed);
	sodium_memzero(secret_key, sizeof secret_key);
	return FAZT_ED25519_OK;
}

int fazt_ed25519_sign(uint8_t signature[FAZT_ED25519_SIGNATURE_BYTES], const uint8_t *message, size_t length,
                      const uint8_t seed[FAZT_ED25519_SEED_BYTES])
{
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
	int result;
	if (ready() != FAZT_ED25519_OK)
		return FAZT_ED25519_NO_LIBRARY;
	/* libsodium signs with seed || public key: derived here, so the caller keeps only the seed. */
	crypto_sign_seed_keypair(public_key, secret_key, seed);
	result = crypto_sign_detached(signature, NULL, length ? message : empty_message, length, secret_key);
	sodium_memzero(secret_key, sizeof secret_key);
	return result == 0 ? FAZT_ED25519_OK : FAZT_ED25519_NO_LIBRARY;
}

int fazt_ed25519_verify(const uint8_t signature[FAZT_ED25519_SIGNATURE_BYTES], const uint8_t *message, size_t length,
                        const uint8_t public_key[FAZT_ED25519_PUBLIC_KEY_BYTES])
{
	if (ready() != FAZT_ED25519_OK)
		return FAZT_ED25519_NO_LIBRARY;
	return crypto_sign_verify_detached(signature, length ? message : empty_message, length, public_key) == 0 ? FAZT_ED25519_OK
	                                                                                                          : FAZT_ED25519_BAD_SIGNATURE;
}
