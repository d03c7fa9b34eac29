/*
 * The XS side of fazt/esp32 (fazt-esp32.js): the ESP-IDF calls a node needs
 * and the Moddable SDK does not expose. App state for rollback (the running
 * image pending verification, marking it valid, the version of the image
 * the bootloader rolled back from), a restart, and deep sleep with a timer
 * and a pin as wake sources (ESP-IDF esp_ota_ops.h, esp_system.h,
 * esp_sleep.h). Rollback needs CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE and an
 * OTA partition table (../../sdkconfig/, set by manifest.json).
 */
#include "xsmc.h"

#include "esp_ota_ops.h"
#include "esp_sleep.h"
#include "esp_system.h"
#include "soc/soc_caps.h"

/* The longest sleep asked for: a day (hal/contracts/sleep.ts checks the same). */
#define FAZT_MAX_SLEEP_MS 86400000

static void check(xsMachine *the, esp_err_t err, const char *call)
{
	if (err != ESP_OK)
		xsUnknownError("%s failed: %s", call, esp_err_to_name(err));
}

/* Argument `index` as an integer in min..max; a TypeError or RangeError naming it otherwise. */
static xsIntegerValue integer_argument(xsMachine *the, xsIntegerValue index, const char *name, xsIntegerValue min, xsIntegerValue max)
{
	xsNumberValue n;
	if (xsmcArgc <= index)
		xsTypeError("%s is missing", name);
	if (xsmcTypeOf(xsArg(index)) != xsIntegerType && xsmcTypeOf(xsArg(index)) != xsNumberType)
		xsTypeError("%s must be a number", name);
	n = xsmcToNumber(xsArg(index));
	if (n != (xsNumberValue)(xsIntegerValue)n || n < min || n > max)
		xsRangeError("%s must be an integer in %d..%d", name, (int)min, (int)max);
	return (xsIntegerValue)n;
}

/* pendingVerify() → whether the running image booted for the first time after an update and has not been marked valid */
void xs_fazt_esp32_pending_verify(xsMachine *the)
{
	esp_ota_img_states_t state;
	const esp_partition_t *running = esp_ota_get_running_partition();
	/* A factory image, or a table without otadata, has no state: nothing to verify. */
	xsmcSetBoolean(xsResult, running && esp_ota_get_state_partition(running, &state) == ESP_OK && state == ESP_OTA_IMG_PENDING_VERIFY);
}

/* markValid(): the running image is healthy; the bootloader stops counting it for rollback */
void xs_fazt_esp32_mark_valid(xsMachine *the)
{
	check(the, esp_ota_mark_app_valid_cancel_rollback(), "esp_ota_mark_app_valid_cancel_rollback");
}

/* rolledBackFrom() → the version (esp_app_desc_t) of the last image the bootloader refused, its partition label without one, or undefined */
void xs_fazt_esp32_rolled_back_from(xsMachine *the)
{
	esp_app_desc_t desc;
	const esp_partition_t *invalid = esp_ota_get_last_invalid_partition();
	if (!invalid)
		return;
	if (esp_ota_get_partition_description(invalid, &desc) == ESP_OK && desc.version[0]) {
		desc.version[sizeof(desc.version) - 1] = 0;
		xsmcSetString(xsResult, desc.version);
	}
	else
		xsmcSetString(xsResult, (char *)invalid->label); /* copied by XS */
}

/* restart(): esp_restart, which does not return */
void xs_fazt_esp32_restart(xsMachine *the)
{
	(void)the;
	esp_restart();
}

/* enablePinWakeup(pin): wake from deep sleep when `pin` goes high (EXT0 where the chip has it, its GPIO wakeup otherwise, as on the C3) */
void xs_fazt_esp32_enable_pin_wakeup(xsMachine *the)
{
	xsIntegerValue pin = integer_argument(the, 0, "pin", 0, 63);
#if SOC_PM_SUPPORT_EXT0_WAKEUP
	check(the, esp_sleep_enable_ext0_wakeup((gpio_num_t)pin, 1), "esp_sleep_enable_ext0_wakeup");
#else
	check(the, esp_deep_sleep_enable_gpio_wakeup(1ULL << pin, ESP_GPIO_WAKEUP_GPIO_HIGH), "esp_deep_sleep_enable_gpio_wakeup");
#endif
}

/* deepSleep(ms): the timer wakes the chip after `ms`; the chip sleeps now and boots again at the wake (does not return) */
void xs_fazt_esp32_deep_sleep(xsMachine *the)
{
	xsIntegerValue ms = integer_argument(the, 0, "ms", 1, FAZT_MAX_SLEEP_MS);
	check(the, esp_sleep_enable_timer_wakeup((uint64_t)ms * 1000), "esp_sleep_enable_timer_wakeup");
	esp_deep_sleep_start();
}

/* wakeCause() → 'power-on' (not a wake from sleep), 'timer', 'pin' or 'other' */
void xs_fazt_esp32_wake_cause(xsMachine *the)
{
	const char *cause;
	switch (esp_sleep_get_wakeup_cause()) {
	case ESP_SLEEP_WAKEUP_UNDEFINED:
		cause = "power-on";
		break;
	case ESP_SLEEP_WAKEUP_TIMER:
		cause = "timer";
		break;
	case ESP_SLEEP_WAKEUP_EXT0:
	case ESP_SLEEP_WAKEUP_EXT1:
	case ESP_SLEEP_WAKEUP_GPIO:
		cause = "pin";
		break;
	default:
		cause = "other";
		break;
	}
	xsmcSetString(xsResult, (char *)cause);
}
