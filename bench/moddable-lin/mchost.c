/*
 * A headless host for a Moddable "lin" app (mc.so): what mcsim does without
 * GTK. Allocates the txScreen the app expects, calls fxScreenLaunch, and runs
 * the GLib main loop the lin platform's timers and sockets use, calling the
 * screen's idle every 100 ms (it samples the SDK instrumentation once a
 * second). Used by bench/moddable-lin.ts. Usage: mchost path/to/mc.so seconds
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define mxLinux 1
#include "screen.h"

static void onAbort(txScreen* screen, int status) { fprintf(stdout, "mchost: abort %d\n", status); fflush(stdout); exit(2); }
static void noop(txScreen* screen) {}
static void onPost(txScreen* screen, char* message, int size) {}
static void onStart(txScreen* screen, double interval) { screen->flags |= mxScreenIdling; }
static void onStop(txScreen* screen) { screen->flags &= ~mxScreenIdling; }
static gboolean onIdle(gpointer data) { txScreen* screen = data; if (screen->idle) screen->idle(screen); fflush(stdout); return TRUE; }
static gboolean onQuit(gpointer data) { fflush(stdout); exit(0); return FALSE; }

int main(int argc, char** argv)
{
	if (argc < 3) { fprintf(stderr, "usage: mchost mc.so seconds\n"); return 1; }
	void* library = dlopen(argv[1], RTLD_NOW);
	if (!library) { fprintf(stderr, "mchost: %s\n", dlerror()); return 1; }
	txScreenLaunchProc launch = (txScreenLaunchProc)dlsym(library, "fxScreenLaunch");
	if (!launch) { fprintf(stderr, "mchost: %s\n", dlerror()); return 1; }
	int width = 240, height = 320;
	txScreen* screen = calloc(1, sizeof(txScreen) - 1 + (width * height * screenBytesPerPixel));
	screen->abort = onAbort;
	screen->bufferChanged = noop;
	screen->formatChanged = noop;
	screen->post = onPost;
	screen->start = onStart;
	screen->stop = onStop;
	mxCreateMutex(&screen->workersMutex);
	screen->width = width;
	screen->height = height;
	setvbuf(stdout, NULL, _IOLBF, 0);
	GMainLoop* loop = g_main_loop_new(NULL, FALSE);
	g_timeout_add(100, onIdle, screen);
	g_timeout_add_seconds(atoi(argv[2]), onQuit, NULL);
	launch(screen);
	g_main_loop_run(loop);
	return 0;
}
