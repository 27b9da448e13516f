/* lifecycle.c: shared helpers of the list-lifecycle verbs; see
 * lifecycle.h. */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "core/list.h"

#define RELOAD_TIMEOUT_S 60

__attribute__((format(printf, 3, 4)))
static bool lc_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL || err_len == 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return false;
}

bool lc_read_file(const char *path, size_t max, char **out, size_t *out_len, bool *missing,
		  char *err, size_t err_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 65536, len = 0;
	char *buf;

	if (missing != NULL)
		*missing = false;
	*out = NULL;
	*out_len = 0;
	if (fd < 0) {
		if (errno == ENOENT && missing != NULL)
			*missing = true;
		return lc_fail(err, err_len, "%s: %s", path, strerror(errno));
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		close(fd);
		return lc_fail(err, err_len, "out of memory");
	}
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				free(buf);
				close(fd);
				return lc_fail(err, err_len, "%s: larger than %zu bytes", path, max);
			}
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				free(buf);
				close(fd);
				return lc_fail(err, err_len, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return lc_fail(err, err_len, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return true;
}

bool lc_sync_dir_of(const char *path, char *err, size_t err_len)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return lc_fail(err, err_len, "out of memory");
	const char *dir = dirname(copy);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (!ok)
		lc_fail(err, err_len, "%s: fsync: %s", dir, strerror(e));
	free(copy);
	return ok;
}

bool lc_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		     bool no_clobber, char *err, size_t err_len)
{
	char *copy = strdup(path), *tmp = NULL;
	if (copy == NULL)
		return lc_fail(err, err_len, "out of memory");
	/* the temporary file sits beside the target, so rename is atomic */
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy), strrchr(path, '/') != NULL
		     ? strrchr(path, '/') + 1 : path) < 0) {
		free(copy);
		return lc_fail(err, err_len, "out of memory");
	}
	free(copy);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		lc_fail(err, err_len, "%s: cannot create a temporary file: %s", path,
			strerror(errno));
		free(tmp);
		return false;
	}
	const char *p = data;
	size_t left = len;
	bool ok = true;
	while (ok && left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			lc_fail(err, err_len, "%s: write: %s", tmp, strerror(errno));
			ok = false;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	if (ok && fchmod(fd, mode) != 0)
		ok = lc_fail(err, err_len, "%s: chmod: %s", tmp, strerror(errno));
	if (ok && fsync(fd) != 0)
		ok = lc_fail(err, err_len, "%s: fsync: %s", tmp, strerror(errno));
	if (close(fd) != 0 && ok)
		ok = lc_fail(err, err_len, "%s: close: %s", tmp, strerror(errno));
	if (ok && no_clobber) {
		if (link(tmp, path) != 0)
			ok = lc_fail(err, err_len, "%s: %s", path,
				     errno == EEXIST ? "exists" : strerror(errno));
		unlink(tmp);
	} else if (ok && rename(tmp, path) != 0) {
		ok = lc_fail(err, err_len, "%s: rename: %s", path, strerror(errno));
	}
	if (!ok)
		unlink(tmp);
	free(tmp);
	if (ok)
		ok = lc_sync_dir_of(path, err, err_len);
	return ok;
}

struct aigate_config *lc_load_settings(const char *verb, const char *conf)
{
	struct diag d;
	diag_init_stderr(&d);
	if (conf == NULL && access(AIGATE_CONF_PATH, R_OK) == 0)
		conf = AIGATE_CONF_PATH;
	struct aigate_config *c = config_load_settings(conf, &d);
	if (c == NULL)
		ctl_errorx(verb, "cannot read the configuration %s", conf ? conf : "(defaults)");
	return c;
}

char *lc_list_file(const char *path)
{
	struct stat st;
	char *out;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (asprintf(&out, "%s/list.conf", path) < 0)
			return NULL;
		return out;
	}
	return strdup(path);
}

int lc_daemon_reload(const char *verb, const char *socket_path)
{
	struct sockaddr_un sun;
	struct timeval tv = { RELOAD_TIMEOUT_S, 0 };
	char buf[8192];
	size_t len = 0;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (socket_path == NULL || strlen(socket_path) >= sizeof sun.sun_path) {
		ctl_errorx(verb, "no usable control socket path");
		return 1;
	}
	memcpy(sun.sun_path, socket_path, strlen(socket_path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ctl_errorx(verb, "socket: %s", strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR) {
			printf("aigated is not running (%s): the change applies when it starts\n",
			       socket_path);
			return 0;
		}
		ctl_errorx(verb, "%s: %s: cannot ask aigated to reload; run `aigatectl reload`",
			   socket_path, strerror(e));
		return 1;
	}
	static const char cmd[] = "reload\n";
	if (write(fd, cmd, sizeof cmd - 1) != (ssize_t)(sizeof cmd - 1)) {
		ctl_errorx(verb, "%s: write: %s", socket_path, strerror(errno));
		close(fd);
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctl_errorx(verb, "%s: no answer from aigated: %s", socket_path,
				   strerror(errno));
			close(fd);
			return 1;
		}
		if (n == 0 || len + (size_t)n >= sizeof buf - 1) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	const char *body = strchr(buf, '\n');
	body = body != NULL ? body + 1 : buf + len;
	if (strncmp(buf, "ok\n", 3) == 0) {
		printf("aigated reloaded\n");
		return 0;
	}
	fputs(body, stderr);
	ctl_errorx(verb, "aigated refused the reload: its previous configuration stays in force");
	return 1;
}

int64_t lc_now(void)
{
	const char *e = getenv("AIGATE_NOW");
	int64_t t;
	if (e != NULL && e[0] != '\0') {
		if (date_parse(e, &t))
			return t;
		char *end;
		long long v = strtoll(e, &end, 10);
		if (*end == '\0')
			return v;
	}
	return (int64_t)time(NULL);
}

void lc_date_text(int64_t t, char buf[11])
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 11, "%Y-%m-%d", &tm) != 10)
		snprintf(buf, 11, "%s", "unknown");
}
