/*
 * Test only: the few ESP-IDF declarations fazt-esp32-xs.c uses, mirrored from
 * ESP-IDF's headers (esp_err.h, esp_partition.h, esp_app_desc.h,
 * esp_ota_ops.h, esp_sleep.h, esp_system.h, soc/soc_caps.h; names, types and
 * enum values as ESP-IDF v5/v6 declares them) so the glue compiles here,
 * where there is no ESP-IDF. esp32-native.test.ts writes one file per
 * ESP-IDF header name that includes this one. It is not ESP-IDF: a change of
 * ESP-IDF's prototypes is not seen here. FAZT_TEST_NO_EXT0 models a chip
 * without EXT0 wakeup (the ESP32-C3), which wakes on its GPIOs instead.
 */
#ifndef FAZT_ESP_IDF_DECLS_H
#define FAZT_ESP_IDF_DECLS_H

#include <stdint.h>

typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_NOT_FOUND 0x105
const char *esp_err_to_name(esp_err_t code);

typedef struct {
	void *flash_chip;
	int type;
	int subtype;
	uint32_t address;
	uint32_t size;
	uint32_t erase_size;
	char label[17];
	int encrypted;
	int readonly;
} esp_partition_t;

typedef struct {
	uint32_t magic_word;
	uint32_t secure_version;
	uint32_t reserv1[2];
	char version[32];
	char project_name[32];
	char time[16];
	char date[16];
	char idf_ver[32];
	uint8_t app_elf_sha256[32];
	uint32_t reserv2[20];
} esp_app_desc_t;

typedef enum {
	ESP_OTA_IMG_NEW = 0x0U,
	ESP_OTA_IMG_PENDING_VERIFY = 0x1U,
	ESP_OTA_IMG_VALID = 0x2U,
	ESP_OTA_IMG_INVALID = 0x3U,
	ESP_OTA_IMG_ABORTED = 0x4U,
	ESP_OTA_IMG_UNDEFINED = 0xFFFFFFFFU,
} esp_ota_img_states_t;

const esp_partition_t *esp_ota_get_running_partition(void);
esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition, esp_ota_img_states_t *ota_state);
esp_err_t esp_ota_mark_app_valid_cancel_rollback(void);
const esp_partition_t *esp_ota_get_last_invalid_partition(void);
esp_err_t esp_ota_get_partition_description(const esp_partition_t *partition, esp_app_desc_t *app_desc);

typedef enum {
	ESP_SLEEP_WAKEUP_UNDEFINED,
	ESP_SLEEP_WAKEUP_ALL,
	ESP_SLEEP_WAKEUP_EXT0,
	ESP_SLEEP_WAKEUP_EXT1,
	ESP_SLEEP_WAKEUP_TIMER,
	ESP_SLEEP_WAKEUP_TOUCHPAD,
	ESP_SLEEP_WAKEUP_ULP,
	ESP_SLEEP_WAKEUP_GPIO,
	ESP_SLEEP_WAKEUP_UART,
} esp_sleep_source_t;
typedef esp_sleep_source_t esp_sleep_wakeup_cause_t;

typedef int gpio_num_t;
typedef enum {
	ESP_GPIO_WAKEUP_GPIO_LOW = 0,
	ESP_GPIO_WAKEUP_GPIO_HIGH = 1,
} esp_deepsleep_gpio_wake_up_mode_t;

esp_err_t esp_sleep_enable_timer_wakeup(uint64_t time_in_us);
esp_err_t esp_sleep_enable_ext0_wakeup(gpio_num_t gpio_num, int level);
esp_err_t esp_deep_sleep_enable_gpio_wakeup(uint64_t gpio_pin_mask, esp_deepsleep_gpio_wake_up_mode_t mode);
void esp_deep_sleep_start(void) __attribute__((__noreturn__));
esp_sleep_wakeup_cause_t esp_sleep_get_wakeup_cause(void);

void esp_restart(void) __attribute__((__noreturn__));

#ifndef FAZT_TEST_NO_EXT0
#define SOC_PM_SUPPORT_EXT0_WAKEUP 1
#endif

#endif
