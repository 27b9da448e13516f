/* fuzz_memfile.h: what the configuration fuzz targets share: the input
 * written to an anonymous memory file (the loaders take paths, as the
 * daemon does), and the LeakSanitizer suppressions for libconfig 1.5
 * (Debian 12), whose scanner leaks string buffers when two string
 * literals are pasted together or a string is cut by an error: its bug,
 * not ours (found by fuzz_config; the inputs are in the corpora,
 * config/leak-libconfig-*).  Include it once per target. */
#ifndef AIGATE_FUZZ_MEMFILE_H
#define AIGATE_FUZZ_MEMFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

/* Write data to a memory file; its path goes to path (>= 32 bytes).
 * Returns the descriptor to close afterwards, or -1. */
static inline int fuzz_memfile(const char *name, const uint8_t *data, size_t size,
			       char *path, size_t path_len)
{
	int fd = memfd_create(name, 0);
	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
