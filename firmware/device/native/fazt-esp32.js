/*
 * fazt/esp32: the ESP-IDF calls a Fazt node needs on an ESP32 that the
 * Moddable SDK lacks (fazt-esp32-xs.c binds these host functions; the
 * manifest beside this file builds them for esp32 only). Written in
 * Moddable's host-function syntax, which only xsc compiles: tsc, Biome,
 * knip, esbuild and the portability test leave this file alone, and
 * fazt-esp32.d.ts declares it.
 */

function pendingVerify() @ "xs_fazt_esp32_pending_verify";
function markValid() @ "xs_fazt_esp32_mark_valid";
function rolledBackFrom() @ "xs_fazt_esp32_rolled_back_from";
function restart() @ "xs_fazt_esp32_restart";
function enablePinWakeup(pin) @ "xs_fazt_esp32_enable_pin_wakeup";
function deepSleep(ms) @ "xs_fazt_esp32_deep_sleep";
function wakeCause() @ "xs_fazt_esp32_wake_cause";

export { pendingVerify, markValid, rolledBackFrom, restart, enablePinWakeup, deepSleep, wakeCause };
