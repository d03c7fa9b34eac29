/* The host functions a native module's test table gives xs-harness.c: global name, callback, length; ended by a NULL name. */
#include "xsnap.h"

struct fazt_host_function {
	const char *name;
	xsCallback callback;
	xsIntegerValue length;
};

extern const struct fazt_host_function fazt_host_functions[];
