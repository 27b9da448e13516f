/* control.c: the control socket; see control.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"

#define CONTROL_CMD_MAX 256

void sbuf_append(struct sbuf *s, const char *text, size_t len)
{
	if (s->failed)
		return;
	if (s->len + len + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 1024;
		char *nb;

		while (ncap < s->len + len + 1)
			ncap *= 2;
		nb = realloc(s->buf, ncap);
		if (nb == NULL) {
			s->failed = true;
			return;
		}
		s->buf = nb;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, text, len);
	s->len += len;
	s->buf[s->len] = '\0';
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		sbuf_append(s, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);
		if (big == NULL) {
			s->failed = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sbuf_append(s, big, (size_t)n);
		free(big);
	}
}

void sbuf_free(struct sbuf *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static int make_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

static int ensure_dir(const char *path, uid_t uid, gid_t gid)
{
	char *copy = strdup(path), *dir;
	int rc = 0;

	if (copy == NULL)
		return -1;
	dir = dirname(copy);
	if (mkdir(dir, 0750) == 0) {
		if (chown(dir, uid, gid) == -1)
			log_warn("chown %s", dir);
	} else if (errno != EEXIST) {
		log_warn("mkdir %s", dir);
		rc = -1;
	}
	free(copy);
	return rc;
}

int control_open(const char *path, uid_t dir_uid, gid_t gid)
{
	struct sockaddr_un sun;
	mode_t old_mask;
	int fd, probe;

	if (make_addr(path, &sun) == -1) {
		log_warn("control socket %s", path);
		return -1;
	}
	if (ensure_dir(path, dir_uid, gid) == -1)
		return -1;
	/* Is another aigated listening there? */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe != -1) {
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			log_warnx("control socket %s: another aigated is running", path);
			return -1;
		}
		close(probe);
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("unlink %s", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		log_warn("control socket");
		return -1;
	}
	/* Never a moment with wider permissions than 0660. */
	old_mask = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old_mask);
		log_warn("bind %s", path);
		close(fd);
		return -1;
	}
	umask(old_mask);
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) == -1)
		log_warn("chown %s", path);
	if (chmod(path, 0660) == -1)
		log_warn("chmod %s", path);
	if (listen(fd, 16) == -1) {
		log_warn("listen %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_debug("control: write: %s", strerror(errno));
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

void control_serve(int listen_fd, const struct control_ops *ops, void *ctx)
{
	struct timeval tv = { 2, 0 };
	char cmd[CONTROL_CMD_MAX];
	struct sbuf out = { 0 };
	size_t len = 0;
	bool ok;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	/* A client that says nothing must not hold up the daemon. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (len < sizeof(cmd) - 1) {
		ssize_t n = read(fd, cmd + len, sizeof(cmd) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(cmd, '\n', len) != NULL)
			break;
	}
	cmd[len] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';

	if (strcmp(cmd, "status") == 0)
		ok = ops->status(ctx, false, &out);
	else if (strcmp(cmd, "status --json") == 0)
		ok = ops->status(ctx, true, &out);
	else if (strcmp(cmd, "status --prometheus") == 0)
		ok = ops->metrics(ctx, &out);
	else if (strcmp(cmd, "reload") == 0)
		ok = ops->reload(ctx, &out);
	else if (strcmp(cmd, "reopen") == 0)
		ok = ops->reopen(ctx, &out);
	else {
		ok = false;
		sbuf_printf(&out, "unknown command (status, status --json, status --prometheus, reload, reopen)\n");
	}
	if (out.failed) {
		ok = false;
		sbuf_free(&out);
		sbuf_printf(&out, "out of memory\n");
	}
	write_all(fd, ok ? "ok\n" : "error\n", ok ? 3 : 6);
	if (out.len > 0)
		write_all(fd, out.buf, out.len);
	sbuf_free(&out);
	close(fd);
}

void control_close(int listen_fd, const char *path)
{
	if (listen_fd != -1)
		close(listen_fd);
	if (path != NULL && unlink(path) == -1 && errno != ENOENT)
		log_warn("unlink %s", path);
}
