/*
 * A tiny XS host for the tests in test/native/: the XS engine as
 * @agoric/xsnap builds it, linked with one native module's glue and a table
 * naming its host functions (xs-ed25519-functions.c, xs-esp32-functions.c).
 * It defines those host functions as globals, plus print, evaluates the
 * script named on the command line, and exits 0, or 1 with the uncaught
 * exception on stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include "xsnap.h"

#include "xs-harness.h"

static void xs_print(xsMachine *the)
{
	xsIntegerValue c = xsToInteger(xsArgc);
	for (xsIntegerValue i = 0; i < c; i++)
		fprintf(stdout, "%s%s", i ? " " : "", xsToString(xsArg(i)));
	fprintf(stdout, "\n");
	fflush(stdout);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	char *text;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc(size + 1);
	if (fread(text, 1, size, f) != (size_t)size) {
		fclose(f);
		free(text);
		return NULL;
	}
	text[size] = 0;
	fclose(f);
	return text;
}

int main(int argc, char *argv[])
{
	xsCreation creation = {
		1024 * 1024, /* initialChunkSize */
		1024 * 1024, /* incrementalChunkSize */
		64 * 1024,   /* initialHeapCount */
		32 * 1024,   /* incrementalHeapCount */
		4096,        /* stackCount */
		4096,        /* initialKeyCount */
		1024,        /* incrementalKeyCount */
		1993,        /* nameModulo */
		127,         /* symbolModulo */
		256 * 1024,  /* parserBufferSize */
		1993,        /* parserTableModulo */
	};
	xsMachine *machine;
	char *script;
	int status = 0;
	if (argc != 2 || !(script = read_file(argv[1]))) {
		fprintf(stderr, "usage: %s script.js\n", argv[0]);
		return 2;
	}
	xsInitializeSharedCluster();
	machine = xsCreateMachine(&creation, "fazt-native", NULL);
	xsBeginHost(machine);
	{
		xsVars(1);
		xsTry {
			for (const struct fazt_host_function *f = fazt_host_functions; f->name; f++) {
				xsVar(0) = xsNewHostFunction(f->callback, f->length);
				xsSet(xsGlobal, xsID(f->name), xsVar(0));
			}
			xsVar(0) = xsNewHostFunction(xs_print, 1);
			xsSet(xsGlobal, xsID("print"), xsVar(0));
			xsVar(0) = xsString(script);
			xsCall1(xsGlobal, xsID("eval"), xsVar(0));
		}
		xsCatch {
			fprintf(stderr, "uncaught: %s\n", xsToString(xsException));
			status = 1;
		}
	}
	xsEndHost(machine);
	xsDeleteMachine(machine);
	xsTerminateSharedCluster();
	free(script);
	return status;
}
