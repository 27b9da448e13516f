/* cmd_control.c: `aigatectl status|reload|reopen`: talk to the running
 * aigated over its control socket (daemon/control.h has the protocol:
 * one command line; the answer is "ok" or "error", then the body).
 *
 * The socket is --socket PATH, else control.socket from the
 * configuration (--config/-c FILE, or the installed aigate.conf), else
 * the built-in default.  Exit status: 0 done, 1 the daemon is not
 * reachable or refused (reload: the new configuration was rejected and
 * the old one stays in force; its file:line messages are printed), 2
 * usage. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "commands.h"
#include "config.h"

#ifndef AIGATE_RUNSTATEDIR
#define AIGATE_RUNSTATEDIR "/run"
#endif
#define CTL_DEFAULT_SOCKET AIGATE_RUNSTATEDIR "/aigate/control.sock"

/* Reloading a large list takes a moment; a daemon that does not answer
 * within this is reported as such. */
#define CTL_TIMEOUT_S 30

static int usage(const char *verb)
{
	fprintf(stderr, "usage: aigatectl %s%s [--socket PATH] [-c|--config FILE]\n", verb,
		strcmp(verb, "status") == 0 ? " [--json | --prometheus]" : "");
	return 2;
}

/* The socket path: --socket, or the configuration's control.socket.
 * Returns a malloc'd path, or NULL after a message. */
static char *socket_path(const char *verb, const char *sock, const char *conf)
{
	struct aigate_config *c;
	struct diag d;
	struct stat st;
	char *p;

	if (sock != NULL)
		return strdup(sock);
	if (conf == NULL) {
		if (stat(AIGATE_CONF_PATH, &st) == -1)
			return strdup(CTL_DEFAULT_SOCKET);
		conf = AIGATE_CONF_PATH;
	}
	diag_init_stderr(&d);
	c = config_load(conf, NULL, NULL, &d);
	if (c == NULL) {
		ctl_errorx(verb, "cannot take the control socket from %s; give --socket PATH", conf);
		return NULL;
	}
	p = strdup(c->daemon.control_socket != NULL ? c->daemon.control_socket : CTL_DEFAULT_SOCKET);
	config_free(c);
	return p;
}

/* Send `cmd`, read the whole answer into a malloc'd string.  -1 after a
 * message. */
static int exchange(const char *verb, const char *path, const char *cmd, char **out)
{
	struct timeval tv = { CTL_TIMEOUT_S, 0 };
	struct sockaddr_un sun;
	size_t len = 0, cap = 4096;
	char *buf;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		ctl_errorx(verb, "%s: socket path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		ctl_errorx(verb, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		ctl_errorx(verb, "%s: %s (is aigated running%s?)", path, strerror(errno),
			   errno == EACCES ? ", and are you root or in group aigate" : "");
		close(fd);
		return -1;
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) || write(fd, "\n", 1) != 1) {
		ctl_errorx(verb, "%s: write: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		ctl_errorx(verb, "out of memory");
		return -1;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				close(fd);
				ctl_errorx(verb, "out of memory");
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ctl_errorx(verb, "%s: %s", path,
				   errno == EAGAIN ? "no answer from aigated" : strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int run(const char *verb, int argc, char **argv)
{
	const char *sock = NULL, *conf = NULL;
	bool json = false, prometheus = false;
	char *path, *answer = NULL, *body;
	char cmd[32];
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0 && strcmp(verb, "status") == 0)
			json = true;
		else if (strcmp(a, "--prometheus") == 0 && strcmp(verb, "status") == 0)
			prometheus = true;
		else if (strcmp(a, "--socket") == 0 && i + 1 < argc)
			sock = argv[++i];
		else if (strncmp(a, "--socket=", 9) == 0)
			sock = a + 9;
		else if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
			conf = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			conf = a + 9;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(verb);
			return 0;
		} else
			return usage(verb);
	}
	path = socket_path(verb, sock, conf);
	if (path == NULL)
		return 1;
	if (json && prometheus)
		return usage(verb);
	snprintf(cmd, sizeof(cmd), "%s%s", verb,
		 json ? " --json" : prometheus ? " --prometheus" : "");
	rc = exchange(verb, path, cmd, &answer);
	if (rc == -1) {
		free(path);
		return 1;
	}
	body = strchr(answer, '\n');
	body = body != NULL ? body + 1 : answer + strlen(answer);
	if (strncmp(answer, "ok\n", 3) == 0) {
		fputs(body, stdout);
		rc = 0;
	} else {
		fputs(body, stderr);
		if (strncmp(answer, "error\n", 6) != 0)
			ctl_errorx(verb, "unexpected answer from aigated");
		rc = 1;
	}
	free(answer);
	free(path);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	return run("status", argc, argv);
}

int cmd_reload(int argc, char **argv)
{
	return run("reload", argc, argv);
}

int cmd_reopen(int argc, char **argv)
{
	return run("reopen", argc, argv);
}
