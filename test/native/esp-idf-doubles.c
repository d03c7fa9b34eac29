/*
 * Test doubles of the ESP-IDF calls fazt-esp32-xs.c makes (declared in
 * esp-idf-decls.h), for xs-esp32-harness.c: each call prints one line
 * ("idf: <call> <arguments>") to stdout; the partition states and the wake
 * cause come from the environment (FAZT_OTA_STATE: pending | valid | none,
 * FAZT_LAST_INVALID: a version, or "label:<name>" for an image with no
 * description, FAZT_WAKE_CAUSE: the esp_sleep_wakeup_cause_t number,
 * FAZT_FAIL: the name of a call that returns ESP_FAIL). The calls that do
 * not return on a chip (esp_restart, esp_deep_sleep_start) exit the process.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp-idf-decls.h"

static const esp_partition_t ota_0 = { .label = "ota_0", .type = 0, .subtype = 0x10 };
static const esp_partition_t ota_1 = { .label = "ota_1", .type = 0, .subtype = 0x11 };

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v ? v : "";
}

static esp_err_t result(const char *call)
{
	return strcmp(env("FAZT_FAIL"), call) ? ESP_OK : ESP_FAIL;
}

static void called(const char *line)
{
	printf("idf: %s\n", line);
	fflush(stdout);
}

const char *esp_err_to_name(esp_err_t code)
{
	return code == ESP_FAIL ? "ESP_FAIL" : code == ESP_OK ? "ESP_OK" : "ERROR";
}

const esp_partition_t *esp_ota_get_running_partition(void)
{
	called("esp_ota_get_running_partition");
	return &ota_1;
}

esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition, esp_ota_img_states_t *ota_state)
{
	char line[64];
	snprintf(line, sizeof line, "esp_ota_get_state_partition %s", partition->label);
	called(line);
	if (!strcmp(env("FAZT_OTA_STATE"), "none"))
		return ESP_ERR_NOT_FOUND;
	*ota_state = !strcmp(env("FAZT_OTA_STATE"), "pending") ? ESP_OTA_IMG_PENDING_VERIFY : ESP_OTA_IMG_VALID;
	return ESP_OK;
}

esp_err_t esp_ota_mark_app_valid_cancel_rollback(void)
{
	called("esp_ota_mark_app_valid_cancel_rollback");
	return result("esp_ota_mark_app_valid_cancel_rollback");
}

const esp_partition_t *esp_ota_get_last_invalid_partition(void)
{
	called("esp_ota_get_last_invalid_partition");
	return *env("FAZT_LAST_INVALID") ? &ota_0 : NULL;
}

esp_err_t esp_ota_get_partition_description(const esp_partition_t *partition, esp_app_desc_t *app_desc)
{
	char line[64];
	const char *v = env("FAZT_LAST_INVALID");
	snprintf(line, sizeof line, "esp_ota_get_partition_description %s", partition->label);
	called(line);
	if (!strncmp(v, "label:", 6))
		return ESP_ERR_NOT_FOUND;
	memset(app_desc, 0, sizeof *app_desc);
	/* Fills all 32 bytes when the version is that long: ESP-IDF does not promise the terminator. */
	memcpy(app_desc->version, v, strlen(v) < sizeof app_desc->version ? strlen(v) : sizeof app_desc->version);
	return ESP_OK;
}

esp_err_t esp_sleep_enable_timer_wakeup(uint64_t time_in_us)
{
	char line[64];
	snprintf(line, sizeof line, "esp_sleep_enable_timer_wakeup %" PRIu64, time_in_us);
	called(line);
	return result("esp_sleep_enable_timer_wakeup");
}

esp_err_t esp_sleep_enable_ext0_wakeup(gpio_num_t gpio_num, int level)
{
	char line[64];
	snprintf(line, sizeof line, "esp_sleep_enable_ext0_wakeup %d %d", gpio_num, level);
	called(line);
	return result("esp_sleep_enable_ext0_wakeup");
}

esp_err_t esp_deep_sleep_enable_gpio_wakeup(uint64_t gpio_pin_mask, esp_deepsleep_gpio_wake_up_mode_t mode)
{
	char line[80];
	snprintf(line, sizeof line, "esp_deep_sleep_enable_gpio_wakeup 0x%" PRIx64 " %d", gpio_pin_mask, (int)mode);
	called(line);
	return result("esp_deep_sleep_enable_gpio_wakeup");
}

void esp_deep_sleep_start(void)
{
	called("esp_deep_sleep_start");
	exit(0);
}

esp_sleep_wakeup_cause_t esp_sleep_get_wakeup_cause(void)
{
	called("esp_sleep_get_wakeup_cause");
	return (esp_sleep_wakeup_cause_t)atoi(env("FAZT_WAKE_CAUSE"));
}

void esp_restart(void)
{
	called("esp_restart");
	exit(0);
}
