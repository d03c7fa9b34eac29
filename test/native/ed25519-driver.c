/*
 * Test driver for firmware/crypto/native/fazt-ed25519-core.c, compiled and
 * run by ed25519-native.test.ts. One command a line on stdin, one answer a
 * line on stdout (hex; "-" is the empty byte string):
 *   pk SEED                 → the public key
 *   sign SEED MESSAGE       → the signature
 *   verify SIG MESSAGE PK   → true | false
 * A line it cannot read is answered "error <what>".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fazt-ed25519-core.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes hex into a malloc'd buffer; NULL when it is not hex or not `expected` bytes (0: any). */
static uint8_t *unhex(const char *hex, size_t expected, size_t *length)
{
	size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex);
	uint8_t *out;
	if (n % 2 || (expected && n / 2 != expected))
		return NULL;
	out = malloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*length = n / 2;
	return out;
}

static void print_hex(const uint8_t *bytes, size_t length)
{
	for (size_t i = 0; i < length; i++)
		printf("%02x", bytes[i]);
	printf("\n");
}

int main(void)
{
	char *line = NULL;
	size_t capacity = 0;
	while (getline(&line, &capacity, stdin) > 0) {
		char *command = strtok(line, " \n");
		char *a = strtok(NULL, " \n"), *b = strtok(NULL, " \n"), *c = strtok(NULL, " \n");
		size_t la = 0, lb = 0, lc = 0;
		if (!command)
			continue;
		if (strcmp(command, "pk") == 0 && a) {
			uint8_t *seed = unhex(a, 32, &la), pk[32];
			if (!seed || fazt_ed25519_public_key(pk, seed) != FAZT_ED25519_OK)
				printf("error pk\n");
			else
				print_hex(pk, sizeof pk);
			free(seed);
		}
		else if (strcmp(command, "sign") == 0 && a && b) {
			uint8_t *seed = unhex(a, 32, &la), *message = unhex(b, 0, &lb), sig[64];
			if (!seed || !message || fazt_ed25519_sign(sig, message, lb, seed) != FAZT_ED25519_OK)
				printf("error sign\n");
			else
				print_hex(sig, sizeof sig);
			free(seed);
			free(message);
		}
		else if (strcmp(command, "verify") == 0 && a && b && c) {
			uint8_t *sig = unhex(a, 64, &la), *message = unhex(b, 0, &lb), *pk = unhex(c, 32, &lc);
			int result = sig && message && pk ? fazt_ed25519_verify(sig, message, lb, pk) : -2;
			if (result == FAZT_ED25519_OK || result == FAZT_ED25519_BAD_SIGNATURE)
				printf(result == FAZT_ED25519_OK ? "true\n" : "false\n");
			else
				printf("error verify\n");
			free(sig);
			free(message);
			free(pk);
		}
		else
			printf("error command\n");
		fflush(stdout);
	}
	free(line);
	return 0;
}
