/* fuzz_config.c: the list and contract loaders (libconfig underneath)
 * on arbitrary file contents.  The input is written to an anonymous
 * memory file and loaded by path, as the daemon does. */
#include <stdio.h>

#include "config.h"
#include "fuzz_memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfile("fuzz-config", data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	struct diag d = { 0 };
	struct list *l = config_load_list(path, &d);
	struct contract c = { 0 };
	if (config_load_contract(path, l, &c, &d) == 0)
		contract_cleanup(&c);
	list_free(l);
	close(fd);
	return 0;
}
