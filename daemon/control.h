/* control.h: the control socket of aigated, a unix stream socket
 * (control.socket, mode 0660, group `aigate` when that group exists).
 *
 * Protocol: the client sends one command line ("status", "status
 * --json", "reload", "reopen"); the daemon answers with a first line
 * "ok" or "error", then the body (text, or one JSON object), and closes
 * the connection.  aigatectl (tools/cmd_control.c) is the client.
 * Everything here runs in the main thread. */
#ifndef AIGATE_CONTROL_H
#define AIGATE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A growable text buffer for answers.  After an allocation failure
 * `failed` is set and further text is dropped; sbuf_free frees. */
struct sbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_append(struct sbuf *s, const char *text, size_t len);
void sbuf_free(struct sbuf *s);

/* What the daemon does for each command: fill `out` with the body and
 * return true for "ok", false for "error". */
struct control_ops {
	bool (*status)(void *ctx, bool json, struct sbuf *out);
	bool (*reload)(void *ctx, struct sbuf *out);
	bool (*reopen)(void *ctx, struct sbuf *out);
	bool (*metrics)(void *ctx, struct sbuf *out);   /* status --prometheus */
};

/* Create and listen on the socket at path, as root before privileges
 * are dropped.  A stale socket file is replaced; a live one (another
 * aigated answers) is an error.  A missing parent directory is created
 * (0750, owner dir_uid, group gid) so that the unprivileged daemon can
 * remove the socket at exit.  The socket gets mode 0660 and group gid
 * (gid (gid_t)-1: unchanged).  Returns the listening descriptor, or -1
 * with a diagnostic logged. */
int control_open(const char *path, uid_t dir_uid, gid_t gid);

/* Accept one pending connection on the listening socket, read its
 * command (waiting at most a second or two), answer through ops, close.
 * Never fails: client errors are logged at debug level and dropped. */
void control_serve(int listen_fd, const struct control_ops *ops, void *ctx);

/* Close the listening socket and remove its file (path may be NULL). */
void control_close(int listen_fd, const char *path);

#endif
