/* fuzz_conf.c: aigate.conf loading (config_load_settings, then
 * config_load with the shipped list) on arbitrary file contents.  The
 * input is written to an anonymous memory file and loaded by path, as
 * the daemon loads /etc/aigate/aigate.conf; the list is rules/list.conf
 * (run from the top of the tree, or set AIGATE_FUZZ_LIST), the contracts
 * directory one that does not exist. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "fuzz_memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile("aigate.conf", data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
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
