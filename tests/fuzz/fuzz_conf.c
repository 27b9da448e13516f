/* fuzz_conf.c: aigate.conf loading (config_load_settings, then
 * config_load with the shipped list) on arbitrary file contents.  The
 * input is written to an anonymous memory file and loaded by path, as
 * the daemon loads /etc/aigate/aigate.conf; the list is rules/list.conf
 * (run from the top of the tree, or set AIGATE_FUZZ_LIST), the contracts
 * directory one that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 (Debian 12) leaks in its scanner (string buffers, when two
 * string literals are pasted together or a string is cut by an error):
 * its bug, not ours (found by this target; the input is in the corpus,
 * config/leak-libconfig-strbuf).  LeakSanitizer reads this list. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("aigate.conf", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct diag d = { 0 };
	struct aigate_config *c = config_load_settings(path, &d);
	if (c != NULL) {
		config_free(c);
		/* Only settings that load are worth the (slower) whole load. */
		const char *list = getenv("AIGATE_FUZZ_LIST");
		c = config_load(path, list ? list : "rules/list.conf",
				"/nonexistent/aigate-fuzz-contracts", &d);
		config_free(c);
	}
	close(fd);
	return 0;
}
