/* fazt/esp32's host functions (firmware/device/native/fazt-esp32-xs.c) as xs-harness.c's globals, named as the module exports them. */
#include "xs-harness.h"

extern void xs_fazt_esp32_pending_verify(xsMachine *the);
extern void xs_fazt_esp32_mark_valid(xsMachine *the);
extern void xs_fazt_esp32_rolled_back_from(xsMachine *the);
extern void xs_fazt_esp32_restart(xsMachine *the);
extern void xs_fazt_esp32_enable_pin_wakeup(xsMachine *the);
extern void xs_fazt_esp32_deep_sleep(xsMachine *the);
extern void xs_fazt_esp32_wake_cause(xsMachine *the);

const struct fazt_host_function fazt_host_functions[] = {
	{ "pendingVerify", xs_fazt_esp32_pending_verify, 0 },
	{ "markValid", xs_fazt_esp32_mark_valid, 0 },
	{ "rolledBackFrom", xs_fazt_esp32_rolled_back_from, 0 },
	{ "restart", xs_fazt_esp32_restart, 0 },
	{ "enablePinWakeup", xs_fazt_esp32_enable_pin_wakeup, 1 },
	{ "deepSleep", xs_fazt_esp32_deep_sleep, 1 },
	{ "wakeCause", xs_fazt_esp32_wake_cause, 0 },
	{ 0, 0, 0 },
};
