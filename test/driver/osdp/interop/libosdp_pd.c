/*
 * A reader (PD) on libosdp's PD API, on a pty, for interop checks of the
 * control panel's key installation (see libosdp_interop_test.ts).
 *
 *   libosdp_pd <tty> <address> <key file>
 *
 * Starts in install mode (SCBK-D) unless <key file> holds a 16-byte key.
 * Accepts osdp_KEYSET, writes the new key to <key file> (as a reader keeps
 * it in its non-volatile memory) and prints "KEYSET". After the first secure
 * session on its own key, reports one 26-bit card (prints "CARD").
 * Build against libosdp (not part of this repository):
 *   cc -O2 -o libosdp_pd libosdp_pd.c -I<libosdp>/include -L<build>/lib -losdp
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <osdp.h>

static int fd = -1;
static const char *key_file;
static int keyset_seen;

static int pd_recv(void *data, uint8_t *buf, int len)
{
	(void)data;
	ssize_t n = read(fd, buf, len);
	return n < 0 ? 0 : (int)n;
}

static int pd_send(void *data, uint8_t *buf, int len)
{
	(void)data;
	ssize_t n = write(fd, buf, len);
	return n < 0 ? 0 : (int)n;
}

static int pd_command(void *arg, struct osdp_cmd *cmd)
{
	(void)arg;
	if (cmd->id == OSDP_CMD_KEYSET) {
		FILE *f = fopen(key_file, "wb");
		if (!f || fwrite(cmd->keyset.data, 1, 16, f) != 16) return -1;
		fclose(f);
		keyset_seen = 1;
		printf("KEYSET type=%d len=%d\n", cmd->keyset.type, cmd->keyset.length);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) return 2;
	key_file = argv[3];
	fd = open(argv[1], O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) return 3;
	struct termios t;
	tcgetattr(fd, &t);
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);

	uint8_t key[16];
	int have_key = 0;
	FILE *f = fopen(key_file, "rb");
	if (f) {
		have_key = fread(key, 1, 16, f) == 16;
		fclose(f);
	}
	static struct osdp_pd_cap caps[] = {
		{ OSDP_PD_CAP_READER_LED_CONTROL, 1, 1 },
		{ OSDP_PD_CAP_READER_AUDIBLE_OUTPUT, 1, 1 },
		{ OSDP_PD_CAP_CARD_DATA_FORMAT, 1, 0 },
		{ (uint8_t)-1, 0, 0 },
	};
	osdp_pd_info_t info = {
		.name = "pd",
		.baud_rate = 115200,
		.address = atoi(argv[2]),
		.flags = have_key ? 0 : OSDP_FLAG_INSTALL_MODE,
		.id = { .version = 1, .model = 2, .vendor_code = 0xabcdef, .serial_number = 0x01020304,
			.firmware_version = 0x010203 },
		.cap = caps,
		.channel = { .recv = pd_recv, .send = pd_send },
		.scbk = have_key ? key : NULL,
	};
	osdp_logger_init("pd", OSDP_LOG_WARNING, NULL);
	osdp_t *ctx = osdp_pd_setup(&info);
	if (!ctx) return 4;
	osdp_pd_set_command_callback(ctx, pd_command, NULL);
	printf("START %s\n", have_key ? "key" : "install");
	fflush(stdout);

	/* libosdp 3.2 keeps a pointer to a submitted event: static storage. */
	static struct osdp_event card;
	int card_sent = 0;
	uint8_t sc = 0;
	for (;;) {
		osdp_pd_refresh(ctx);
		osdp_get_sc_status_mask(ctx, &sc);
		if (sc && have_key && !card_sent) {
			memset(&card, 0, sizeof(card));
			card.type = OSDP_EVENT_CARDREAD;
			card.cardread.format = OSDP_CARD_FMT_RAW_WIEGAND;
			card.cardread.length = 26; /* bits: H10301 facility 12, card 3456 */
			uint8_t bits[4] = { 0x06, 0x06, 0xc0, 0x40 };
			memcpy(card.cardread.data, bits, 4);
			osdp_pd_submit_event(ctx, &card);
			card_sent = 1;
			printf("CARD\n");
			fflush(stdout);
		}
		if (keyset_seen && !have_key) {
			/* the reader now runs on the key it stored */
			FILE *k = fopen(key_file, "rb");
			have_key = k && fread(key, 1, 16, k) == 16;
			if (k) fclose(k);
		}
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
}
