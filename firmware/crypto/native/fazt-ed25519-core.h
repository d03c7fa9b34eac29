/*
 * Ed25519 (RFC 8032) over libsodium, in plain C: no XS here, so the same
 * file is compiled on this machine against Debian's libsodium and tested
 * with the RFC's vectors (test/native/ed25519-native.test.ts), and on an
 * ESP32 against the espressif/libsodium component. fazt-ed25519-xs.c binds
 * it to JavaScript.
 *
 * Keys are 32-byte seeds (RFC 8032's private key) and 32-byte public keys;
 * libsodium's 64-byte secret key (seed || public key) lives only inside
 * these functions and is zeroed before they return.
 */
#ifndef FAZT_ED25519_CORE_H
#define FAZT_ED25519_CORE_H

#include <stddef.h>
#include <stdint.h>

#define FAZT_ED25519_SEED_BYTES 32
#define FAZT_ED25519_PUBLIC_KEY_BYTES 32
#define FAZT_ED25519_SIGNATURE_BYTES 64

/* Return codes. */
#define FAZT_ED25519_OK 0
#define FAZT_ED25519_BAD_SIGNATURE 1 /* verify only: the signature does not verify */
#define FAZT_ED25519_NO_LIBRARY (-1) /* sodium_init() failed */

/* The public key of a seed. */
int fazt_ed25519_public_key(uint8_t public_key[FAZT_ED25519_PUBLIC_KEY_BYTES], const uint8_t seed[FAZT_ED25519_SEED_BYTES]);

/* A detached signature of message (length bytes; message may be NULL when length is 0). */
int fazt_ed25519_sign(uint8_t signature[FAZT_ED25519_SIGNATURE_BYTES], const uint8_t *message, size_t length,
                      const uint8_t seed[FAZT_ED25519_SEED_BYTES]);

/* FAZT_ED25519_OK when signature is public_key's signature of message, FAZT_ED25519_BAD_SIGNATURE otherwise. */
int fazt_ed25519_verify(const uint8_t signature[FAZT_ED25519_SIGNATURE_BYTES], const uint8_t *message, size_t length,
                        const uint8_t public_key[FAZT_ED25519_PUBLIC_KEY_BYTES]);

#endif
