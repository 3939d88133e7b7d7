/*
 * crbench-timer: the only process in crbench that spawns, waits for and times what is measured.
 *
 * One helper per run, started by native-executor.ts with its stdin and stdout on pipes. It is a
 * single event loop (epoll; a signalfd for SIGCHLD; pidfds; sockets; deadlines as the loop's
 * timeout) serving many phase requests at once: the containers of a batch. A phase's steps run
 * here back to back, without a round trip to Node between them, and every clock reading is
 * CLOCK_MONOTONIC taken here, right around the work: Node's process.hrtime is the same clock, so
 * records and Node compare directly.
 *
 * The helper is the child subreaper of everything it starts: a process that a step orphans (a
 * container init after `runc create` exits, a gVisor sandbox, conmon, lxc's monitor) is
 * reparented to it and reaped at once. This host's PID 1 reaps orphans about once a second, and
 * that delay must never reach a clock (a runtime that waits for its sandbox to vanish waits for
 * whoever reaps it). The last REAPED_SLOTS reaped processes are kept: pid, exit time, status.
 *
 * WIRE PROTOCOL (version 1)
 *
 * Requests, Node -> helper (stdin): one netstring `<length>:<payload>,` per request; the payload is
 * itself a sequence of netstrings, its fields. Every field may hold any byte; a field used as a
 * path or an argv entry must hold no NUL. Numbers are decimal text.
 *
 *   P  id  deadline_ns  budget_ms  step_count  step...
 *       id           the request's id (>0), echoed in every answer line
 *       deadline_ns  absolute CLOCK_MONOTONIC deadline of the phase, in ns
 *       budget_ms    the phase's deadline in ms, for messages only ("timed out after N ms")
 *   a step is a kind and its fields:
 *     run       flags  stdin  stdout  stderr  argc  argv[0] ... argv[argc-1]
 *                 flags, any of: "1" = the exit code is judged elsewhere (a non-zero exit does
 *                 not fail); "o", "e" = stdout, stderr is a reused scratch file (see below)
 *                 stdin/stdout/stderr: paths, "" = /dev/null; outputs are created or truncated
 *     wait      pid
 *     http      socket  head  body  body_file  accept  out
 *                 head: request line and header lines, each ending CRLF, without the blank line;
 *                 the helper appends `Content-Length` when body or body_file is not empty, the
 *                 blank line, body, then body_file's bytes; accept: status codes, comma-separated;
 *                 out: where the raw response goes ("" = /dev/null)
 *     exchange  socket  send  until  out
 *                 writes send, reads until the bytes `until` have arrived (or EOF); "" = no wait;
 *                 out gets the bytes read up to the end of the marker
 *
 * Every file of every step is opened (O_CLOEXEC, O_TRUNC) when the request arrives, before the
 * first step's clock starts; a file that cannot be opened fails the phase before anything runs.
 *
 * Reused scratch files: a new file per step, created before the clock and deleted after it, put
 * an inode's allocation and freeing (and the kernel's deferred work for them) next to every
 * clock: about 0.05-0.1 ms on a step of 0.6 ms here. So the client reuses its scratch paths. A
 * process a step orphaned may still hold such a file open (a `sleep &`, a container's init) and
 * would write into the next step's output: before reusing a path the timer takes a read lease on
 * it, which the kernel grants only while nobody has the file open for writing; when it is
 * refused, the path is unlinked and made anew (the holder keeps the old file to itself).
 *
 * Answers, helper -> Node (stdout): one text line each, fields separated by one space.
 *   READY  version  pid                         once, at start
 *   R  id  index  failed  start_ns  end_ns  exit  signal  user_us  sys_us  maxrss_kib  out_bytes
 *      err_bytes  http  text
 *       one per step that ran or was tried, in order; failed is 0 or 1; exit, signal (a number),
 *       the rusage fields (from wait4), the sizes of the step's output files (taken after its
 *       clock stopped: a reader skips an empty one) and http are "-" when unknown (/dev/null, one
 *       file for both outputs, a step that did not run); text is the failure in words
 *       ("" when there is none: a non-zero exit is only `failed`), running to the end of the line,
 *       with '%', control bytes and DEL written as %XX
 *   D  id  ok  record_count                     after the last record of a request
 *   E  id  text                                 a request that could not be parsed (id 0: the
 *       framing itself broke; the helper then reads no more requests)
 *
 * Steps:
 *   run       posix_spawnp with a clean signal mask and default dispositions; the clock is just
 *             around spawn -> reap (wait4). At the deadline: SIGKILL, "timed out after N ms".
 *   wait      ends when the pid has exited: pidfd_open + poll (works for non-children); a pid
 *             already gone is looked up among the recently reaped (its status is then known).
 *   http      connect, write, read to EOF (the client sends Connection: close); the status comes
 *             from the first line and must be in accept.
 *   exchange  connect, write, read until the marker.
 * On stdin EOF the helper takes no more requests, lets the phases in flight end (up to their
 * deadlines) and exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PROTOCOL_VERSION 1
#define MAX_REQUEST_BYTES (64u << 20)
#define MAX_STEPS 4096
#define MAX_ACCEPT 32
#define REAPED_SLOTS 4096
#define KILL_GRACE_NS (2LL * 1000000000LL)
#define CONNECT_RETRY_NS (1LL * 1000000LL)
#define IO_CHUNK (64 * 1024)
#define FAILURE_BYTES 1024

enum step_kind { STEP_RUN, STEP_WAIT, STEP_HTTP, STEP_EXCHANGE };
enum sock_state { SOCK_CONNECTING, SOCK_SENDING, SOCK_READING };
enum watch_type { WATCH_STDIN, WATCH_STDOUT, WATCH_SIGNAL, WATCH_PHASE };

struct watch {
  enum watch_type type;
  struct phase *phase;
};

struct step {
  enum step_kind kind;
  /* run */
  char **argv;
  int exit_elsewhere, out_reused, err_reused;
  const char *in_path, *err_path;
  int in_fd, out_fd, err_fd;
  posix_spawn_file_actions_t actions;
  int actions_ready;
  pid_t pid;
  int killed;
  int64_t grace_ns;
  /* wait */
  pid_t wait_pid;
  int pidfd;
  /* http, exchange */
  const char *socket_path;
  const char *out_path;
  const char *head, *body, *body_file; /* http: in the request's payload */
  size_t head_len, body_len;
  char *send; /* exchange: in the payload; http: composed by open_step (owned) */
  size_t send_len, sent;
  int body_fd;
  off_t body_left;
  int accept[MAX_ACCEPT];
  int accept_count;
  const char *until;
  size_t until_len, until_matched;
  size_t *until_fail;
  int sock;
  enum sock_state sock_state;
  int64_t retry_ns;
  char status_line[128];
  size_t status_line_len;
  size_t received;
  int found;
  /* the record */
  int64_t start_ns, end_ns;
  int has_status, status;
  int has_rusage;
  struct rusage rusage;
  int http_status;
  long long out_bytes, err_bytes; /* -1: unknown (/dev/null, shared, not run) */
  int failed;
  char failure[FAILURE_BYTES];
};

struct phase {
  struct phase *next;
  uint64_t id;
  int64_t deadline_ns;
  uint64_t budget_ms;
  char *payload;
  struct step *steps;
  int step_count, opened, current;
  int done;
  struct watch watch;
  int watched_fd;
};

struct reaped {
  pid_t pid;
  int status;
  int64_t exit_ns;
};

static int epoll_fd, signal_fd, devnull_fd = -1;
static int stdin_open = 1, stdout_broken = 0;
static struct watch stdin_watch = { WATCH_STDIN, NULL };
static struct watch stdout_watch = { WATCH_STDOUT, NULL };
static struct watch signal_watch = { WATCH_SIGNAL, NULL };
static posix_spawnattr_t spawn_attr;
static struct phase *phases, *finished;
static struct reaped reaped_ring[REAPED_SLOTS];
static unsigned reaped_next;
static char *in_buf;
static size_t in_len, in_cap;
static char *out_buf;
static size_t out_len, out_cap, out_sent;
static int stdout_watched;
static char io_buf[IO_CHUNK];

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "crbench-timer: %s: %s\n", what, strerror(errno));
  exit(70);
}

static void *xrealloc(void *p, size_t size) {
  void *q = realloc(p, size);
  if (q == NULL && size != 0) die("out of memory");
  return q;
}

static void set_failure(struct step *s, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void set_failure(struct step *s, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  vsnprintf(s->failure, sizeof s->failure, format, ap);
  va_end(ap);
  s->failed = 1;
}

/* ---- answers on stdout ---------------------------------------------------------------------- */

static void out_reserve(size_t more) {
  if (out_len + more <= out_cap) return;
  if (out_sent > 0) {
    memmove(out_buf, out_buf + out_sent, out_len - out_sent);
    out_len -= out_sent;
    out_sent = 0;
    if (out_len + more <= out_cap) return;
  }
  size_t cap = out_cap ? out_cap : 4096;
  while (cap < out_len + more) cap *= 2;
  out_buf = xrealloc(out_buf, cap);
  out_cap = cap;
}

static void out_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void out_printf(const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  int n = vsnprintf(NULL, 0, format, ap);
  va_end(ap);
  if (n < 0) return;
  out_reserve((size_t)n + 1);
  va_start(ap, format);
  vsnprintf(out_buf + out_len, (size_t)n + 1, format, ap);
  va_end(ap);
  out_len += (size_t)n;
}

/* Text to the end of the line: '%', control bytes and DEL as %XX, so a line stays one line. */
static void out_escaped(const char *text, size_t len) {
  out_reserve(len * 3 + 1);
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '%' || c < 0x20 || c == 0x7f) {
      out_buf[out_len++] = '%';
      out_buf[out_len++] = hex[c >> 4];
      out_buf[out_len++] = hex[c & 15];
    } else {
      out_buf[out_len++] = (char)c;
    }
  }
}

static void watch_stdout(int on) {
  if (on == stdout_watched) return;
  struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &stdout_watch };
  if (epoll_ctl(epoll_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, STDOUT_FILENO, &ev) < 0) die("epoll_ctl stdout");
  stdout_watched = on;
}

static void flush_out(void) {
  while (!stdout_broken && out_sent < out_len) {
    ssize_t n = write(STDOUT_FILENO, out_buf + out_sent, out_len - out_sent);
    if (n > 0) {
      out_sent += (size_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      watch_stdout(1);
      return;
    } else {
      /* Node is gone: nobody reads answers, so take no more requests either. */
      stdout_broken = 1;
      stdin_open = 0;
    }
  }
  if (stdout_broken) out_sent = out_len;
  if (out_sent == out_len) {
    out_len = out_sent = 0;
    if (stdout_watched) watch_stdout(0);
  }
}

/* ---- the recently reaped -------------------------------------------------------------------- */

static void remember_reaped(pid_t pid, int status, int64_t exit_ns) {
  struct reaped *r = &reaped_ring[reaped_next++ % REAPED_SLOTS];
  r->pid = pid;
  r->status = status;
  r->exit_ns = exit_ns;
}

static const struct reaped *find_reaped(pid_t pid) {
  for (unsigned i = 1; i <= REAPED_SLOTS && i <= reaped_next; i++) {
    const struct reaped *r = &reaped_ring[(reaped_next - i) % REAPED_SLOTS];
    if (r->pid == pid) return r;
  }
  return NULL;
}

/* ---- phases: watching, records, completion -------------------------------------------------- */

static void watch_fd(struct phase *ph, int fd, uint32_t events) {
  struct epoll_event ev = { .events = events, .data.ptr = &ph->watch };
  int op = ph->watched_fd == fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (ph->watched_fd >= 0 && ph->watched_fd != fd) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, ph->watched_fd, NULL);
  }
  if (epoll_ctl(epoll_fd, op, fd, &ev) < 0) {
    /* The watched fd was closed (which leaves the epoll set) and its number reused by the next
       step's socket or pidfd: it is a new file, to be added. */
    if (!(op == EPOLL_CTL_MOD && errno == ENOENT && epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0)) die("epoll_ctl");
  }
  ph->watched_fd = fd;
}

static void unwatch(struct phase *ph) {
  if (ph->watched_fd >= 0) epoll_ctl(epoll_fd, EPOLL_CTL_DEL, ph->watched_fd, NULL);
  ph->watched_fd = -1;
}

static void close_fd(int *fd) {
  if (*fd >= 0 && *fd != devnull_fd) close(*fd);
  *fd = -1;
}

static void release_step(struct step *s) {
  close_fd(&s->in_fd);
  close_fd(&s->out_fd);
  close_fd(&s->err_fd);
  close_fd(&s->pidfd);
  close_fd(&s->sock);
  close_fd(&s->body_fd);
  if (s->actions_ready) posix_spawn_file_actions_destroy(&s->actions);
  s->actions_ready = 0;
}

/* The sizes of a step's own output files, once it has ended (its clock has stopped). */
static void measure_outputs(struct step *s) {
  struct stat st;
  if (s->out_fd >= 0 && s->out_fd != devnull_fd && fstat(s->out_fd, &st) == 0) s->out_bytes = st.st_size;
  if (s->err_fd >= 0 && s->err_fd != devnull_fd && fstat(s->err_fd, &st) == 0) s->err_bytes = st.st_size;
}

static void emit_record(struct phase *ph, int index) {
  struct step *s = &ph->steps[index];
  out_printf("R %" PRIu64 " %d %d %" PRId64 " %" PRId64, ph->id, index, s->failed, s->start_ns, s->end_ns);
  if (s->has_status && WIFEXITED(s->status)) out_printf(" %d -", WEXITSTATUS(s->status));
  else if (s->has_status && WIFSIGNALED(s->status)) out_printf(" - %d", WTERMSIG(s->status));
  else out_printf(" - -");
  if (s->has_rusage) {
    const struct rusage *ru = &s->rusage;
    out_printf(" %lld %lld %ld", (long long)ru->ru_utime.tv_sec * 1000000LL + ru->ru_utime.tv_usec,
               (long long)ru->ru_stime.tv_sec * 1000000LL + ru->ru_stime.tv_usec, ru->ru_maxrss);
  } else {
    out_printf(" - - -");
  }
  if (s->out_bytes >= 0) out_printf(" %lld", s->out_bytes);
  else out_printf(" -");
  if (s->err_bytes >= 0) out_printf(" %lld", s->err_bytes);
  else out_printf(" -");
  if (s->http_status > 0) out_printf(" %d ", s->http_status);
  else out_printf(" - ");
  out_escaped(s->failure, strlen(s->failure));
  out_printf("\n");
}

static void finish_phase(struct phase *ph, int ok, int records) {
  out_printf("D %" PRIu64 " %d %d\n", ph->id, ok, records);
  unwatch(ph);
  for (int i = 0; i < ph->opened; i++) release_step(&ph->steps[i]);
  ph->done = 1;
  /* Unlinked now, freed after this turn of the loop: events already fetched may point at it. */
  for (struct phase **p = &phases; *p != NULL; p = &(*p)->next) {
    if (*p == ph) {
      *p = ph->next;
      break;
    }
  }
  ph->next = finished;
  finished = ph;
}

static int start_step(struct phase *ph);

/* A step that has ended: its output sizes, its files closed, its record out (outside every clock). */
static void finalize_step(struct phase *ph, int index) {
  struct step *s = &ph->steps[index];
  /* Its pidfd or socket may still be in the epoll set: closing it takes it out. */
  if (ph->watched_fd >= 0 && (ph->watched_fd == s->pidfd || ph->watched_fd == s->sock)) ph->watched_fd = -1;
  measure_outputs(s);
  release_step(s);
  emit_record(ph, index);
}

/*
 * The current step has ended. The next one starts at once, before the ended step's bookkeeping,
 * so that the gap between two steps is the loop's own and not a few syscalls more; the records
 * still go out in order.
 */
static void advance(struct phase *ph) {
  for (;;) {
    int ended = ph->current;
    if (ph->steps[ended].failed || ended + 1 >= ph->step_count) {
      finalize_step(ph, ended);
      finish_phase(ph, !ph->steps[ended].failed, ended + 1);
      return;
    }
    ph->current = ended + 1;
    int next_ended = start_step(ph);
    finalize_step(ph, ended);
    if (!next_ended) return;
  }
}

/* ---- run ------------------------------------------------------------------------------------ */

static int start_run(struct step *s) {
  s->start_ns = now_ns();
  int err = posix_spawnp(&s->pid, s->argv[0], &s->actions, &spawn_attr, s->argv, environ);
  if (err != 0) {
    s->end_ns = now_ns();
    s->pid = 0;
    set_failure(s, "cannot run %s: %s", s->argv[0], strerror(err));
    return 1;
  }
  return 0;
}

/* ---- wait ----------------------------------------------------------------------------------- */

static void reap_children(void);

static int start_wait(struct phase *ph, struct step *s) {
  s->start_ns = now_ns();
  if (s->wait_pid <= 0) {
    s->end_ns = s->start_ns;
    set_failure(s, "%d is not a process id", (int)s->wait_pid);
    return 1;
  }
  /*
   * A live process first: a pid in the reaped table may since have been given to a new process,
   * and a pidfd names the one that holds the pid now. Only a pid that is gone is looked up.
   */
  s->pidfd = pidfd_open(s->wait_pid, 0);
  if (s->pidfd < 0) {
    int err = errno;
    s->end_ns = now_ns();
    if (err == ESRCH) {
      const struct reaped *r = find_reaped(s->wait_pid);
      if (r != NULL) {
        s->has_status = 1;
        s->status = r->status;
      }
      return 1;
    }
    set_failure(s, "cannot wait for pid %d: %s", (int)s->wait_pid, strerror(err));
    return 1;
  }
  watch_fd(ph, s->pidfd, EPOLLIN);
  return 0;
}

static void pidfd_ready(struct phase *ph, struct step *s) {
  struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
  if (poll(&p, 1, 0) <= 0) return; /* a stale event of an earlier step of this phase */
  int64_t t = now_ns();
  /* Our own child (an orphan reparented to us) is reaped here, which ends the step with its status. */
  reap_children();
  if (ph->done || &ph->steps[ph->current] != s || s->pidfd < 0) return;
  s->end_ns = t;
  advance(ph);
}

/* ---- http, exchange ------------------------------------------------------------------------- */

static int sock_connect(struct phase *ph, struct step *s);

static int sock_fail(struct step *s, int64_t t, const char *format, ...) __attribute__((format(printf, 3, 4)));
static int sock_fail(struct step *s, int64_t t, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  vsnprintf(s->failure, sizeof s->failure, format, ap);
  va_end(ap);
  s->failed = 1;
  s->end_ns = t;
  close_fd(&s->sock);
  return 1;
}

static int start_sock(struct phase *ph, struct step *s) {
  struct sockaddr_un addr;
  if (strlen(s->socket_path) >= sizeof addr.sun_path) {
    s->start_ns = now_ns();
    return sock_fail(s, s->start_ns, "socket path too long (%zu bytes, at most %zu): %s", strlen(s->socket_path),
                     sizeof addr.sun_path - 1, s->socket_path);
  }
  s->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  s->start_ns = now_ns();
  if (s->sock < 0) return sock_fail(s, s->start_ns, "cannot make a socket: %s", strerror(errno));
  return sock_connect(ph, s);
}

static int finish_http(struct step *s, int64_t t) {
  s->end_ns = t;
  close_fd(&s->sock);
  s->status_line[s->status_line_len] = '\0';
  int status = 0;
  if (strncmp(s->status_line, "HTTP/", 5) == 0) {
    const char *sp = strchr(s->status_line, ' ');
    if (sp != NULL && sp[1] >= '1' && sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0' && sp[3] <= '9') {
      status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
    }
  }
  if (status == 0) {
    set_failure(s, "no HTTP response from %s (%zu bytes before the connection closed)", s->socket_path, s->received);
    return 1;
  }
  s->http_status = status;
  for (int i = 0; i < s->accept_count; i++) {
    if (s->accept[i] == status) return 1;
  }
  set_failure(s, "HTTP %d", status);
  return 1;
}

/*
 * Takes bytes read: to the out file, and past the status line or the marker matcher. An
 * exchange keeps its output up to the end of the marker: what else the same read brought is
 * dropped, so the output does not depend on how the bytes were split into reads.
 */
static int take_bytes(struct step *s, const char *data, size_t n) {
  if (s->kind == STEP_HTTP) {
    for (size_t i = 0; i < n && s->status_line_len < sizeof s->status_line - 1; i++) {
      if (memchr(s->status_line, '\n', s->status_line_len) != NULL) break;
      s->status_line[s->status_line_len++] = data[i];
    }
  } else {
    for (size_t i = 0; i < n && !s->found; i++) {
      while (s->until_matched > 0 && s->until[s->until_matched] != data[i]) s->until_matched = s->until_fail[s->until_matched - 1];
      if (s->until[s->until_matched] == data[i]) s->until_matched++;
      if (s->until_matched == s->until_len) {
        s->found = 1;
        n = i + 1;
      }
    }
  }
  s->received += n;
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(s->out_fd, data + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      set_failure(s, "cannot write %s: %s", s->out_path[0] ? s->out_path : "/dev/null", strerror(errno));
      return -1;
    }
    off += (size_t)w;
  }
  return 0;
}

/* Reads what is there; returns 1 when the step has ended (EOF, the marker, an error). */
static int sock_read(struct step *s) {
  for (int rounds = 0; rounds < 16; rounds++) {
    ssize_t n = recv(s->sock, io_buf, sizeof io_buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    int64_t t = now_ns();
    if (n < 0) {
      if (s->kind == STEP_HTTP && s->received > 0 && errno == ECONNRESET) return finish_http(s, t);
      return sock_fail(s, t, "reading from %s: %s", s->socket_path, strerror(errno));
    }
    if (n == 0) {
      if (s->kind == STEP_HTTP) return finish_http(s, t);
      s->end_ns = t;
      close_fd(&s->sock);
      return 1;
    }
    if (take_bytes(s, io_buf, (size_t)n) < 0) {
      s->end_ns = t;
      close_fd(&s->sock);
      return 1;
    }
    if (s->kind == STEP_EXCHANGE && s->found) {
      s->end_ns = t;
      close_fd(&s->sock);
      return 1;
    }
  }
  return 0;
}

/* Writes what it can; returns 1 when the step has ended. */
static int sock_send(struct phase *ph, struct step *s) {
  while (s->sent < s->send_len || s->body_left > 0) {
    ssize_t n;
    if (s->sent < s->send_len) {
      n = send(s->sock, s->send + s->sent, s->send_len - s->sent, MSG_NOSIGNAL);
    } else {
      n = sendfile(s->sock, s->body_fd, NULL, (size_t)(s->body_left < (1 << 20) ? s->body_left : (1 << 20)));
      if (n == 0) {
        return sock_fail(s, now_ns(), "%s ended before its %lld remaining bytes were sent", "the body file",
                         (long long)s->body_left);
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch_fd(ph, s->sock, EPOLLIN | EPOLLOUT);
      return 0;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) break; /* the peer answered early: read it */
    if (n < 0) return sock_fail(s, now_ns(), "writing to %s: %s", s->socket_path, strerror(errno));
    if (s->sent < s->send_len) s->sent += (size_t)n;
    else s->body_left -= n;
  }
  s->sock_state = SOCK_READING;
  if (s->kind == STEP_EXCHANGE && s->until_len == 0) {
    s->end_ns = now_ns();
    close_fd(&s->sock);
    return 1;
  }
  watch_fd(ph, s->sock, EPOLLIN);
  return sock_read(s);
}

static int sock_connect(struct phase *ph, struct step *s) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  memcpy(addr.sun_path, s->socket_path, strlen(s->socket_path) + 1);
  s->retry_ns = 0;
  for (;;) {
    if (connect(s->sock, (struct sockaddr *)&addr, sizeof addr) == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      /* A unix socket's backlog is full: connect again in a moment (no event says when). */
      s->retry_ns = now_ns() + CONNECT_RETRY_NS;
      return 0;
    }
    if (errno == EINPROGRESS) {
      s->sock_state = SOCK_CONNECTING;
      watch_fd(ph, s->sock, EPOLLOUT);
      return 0;
    }
    return sock_fail(s, now_ns(), "cannot connect to %s: %s", s->socket_path, strerror(errno));
  }
  s->sock_state = SOCK_SENDING;
  return sock_send(ph, s);
}

static void sock_ready(struct phase *ph, struct step *s, uint32_t events) {
  if (s->sock < 0) return;
  int ended = 0;
  if (s->sock_state == SOCK_CONNECTING) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->sock, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ended = sock_fail(s, now_ns(), "cannot connect to %s: %s", s->socket_path, strerror(err));
    } else {
      s->sock_state = SOCK_SENDING;
      ended = sock_send(ph, s);
    }
  } else if (s->sock_state == SOCK_SENDING) {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      ended = sock_read(s);
      if (!ended && s->sock >= 0 && (events & EPOLLOUT)) ended = sock_send(ph, s);
    } else {
      ended = sock_send(ph, s);
    }
  } else {
    ended = sock_read(s);
  }
  if (ended) advance(ph);
}

/* ---- steps ---------------------------------------------------------------------------------- */

/* Starts the current step; returns 1 if it has already ended (its record is complete). */
static int start_step(struct phase *ph) {
  struct step *s = &ph->steps[ph->current];
  if (now_ns() >= ph->deadline_ns) {
    s->start_ns = s->end_ns = now_ns();
    set_failure(s, "timed out after %" PRIu64 " ms", ph->budget_ms);
    return 1;
  }
  switch (s->kind) {
  case STEP_RUN: return start_run(s);
  case STEP_WAIT: return start_wait(ph, s);
  case STEP_HTTP:
  case STEP_EXCHANGE: return start_sock(ph, s);
  }
  return 1;
}

static int64_t phase_wake_ns(const struct phase *ph) {
  const struct step *s = &ph->steps[ph->current];
  if (s->kind == STEP_RUN && s->killed) return s->grace_ns;
  if ((s->kind == STEP_HTTP || s->kind == STEP_EXCHANGE) && s->retry_ns != 0 && s->retry_ns < ph->deadline_ns) return s->retry_ns;
  return ph->deadline_ns;
}

static void phase_timer(struct phase *ph, int64_t t) {
  struct step *s = &ph->steps[ph->current];
  switch (s->kind) {
  case STEP_RUN:
    if (!s->killed) {
      /* Our unreaped child: its pid cannot have been reused, so the kill hits the step's process. */
      kill(s->pid, SIGKILL);
      s->killed = 1;
      s->grace_ns = t + KILL_GRACE_NS;
      set_failure(s, "timed out after %" PRIu64 " ms", ph->budget_ms);
      return;
    }
    set_failure(s, "timed out after %" PRIu64 " ms, and pid %d had not died %lld s after SIGKILL", ph->budget_ms, (int)s->pid,
                KILL_GRACE_NS / 1000000000LL);
    s->pid = 0;
    s->end_ns = t;
    break;
  case STEP_WAIT:
    s->end_ns = t;
    set_failure(s, "pid %d had not exited after %" PRIu64 " ms", (int)s->wait_pid, ph->budget_ms);
    break;
  case STEP_HTTP:
  case STEP_EXCHANGE:
    if (s->retry_ns != 0 && t < ph->deadline_ns) {
      if (!sock_connect(ph, s)) return;
      break;
    }
    sock_fail(s, t, "timed out after %" PRIu64 " ms", ph->budget_ms);
    break;
  }
  advance(ph);
}

/* ---- reaping -------------------------------------------------------------------------------- */

static void reap_children(void) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG | __WALL, &ru);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    int64_t t = now_ns();
    remember_reaped(pid, status, t);
    for (struct phase *ph = phases, *next; ph != NULL; ph = next) {
      next = ph->next;
      struct step *s = &ph->steps[ph->current];
      if (s->kind == STEP_RUN && s->pid == pid) {
        s->end_ns = t;
        s->has_status = 1;
        s->status = status;
        s->has_rusage = 1;
        s->rusage = ru;
        s->pid = 0;
        if (!s->killed && !s->exit_elsewhere && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) s->failed = 1;
        advance(ph);
      } else if (s->kind == STEP_WAIT && s->wait_pid == pid && s->pidfd >= 0) {
        s->end_ns = t;
        s->has_status = 1;
        s->status = status;
        advance(ph);
      }
    }
  }
}

static void signal_ready(void) {
  struct signalfd_siginfo info[16];
  while (read(signal_fd, info, sizeof info) > 0) {
  }
  reap_children();
}

/* ---- requests ------------------------------------------------------------------------------- */

struct cursor {
  char *p, *end;
};

/* The next netstring field, NUL-terminated in place (over its ','). */
static int next_field(struct cursor *c, char **data, size_t *len) {
  size_t n = 0;
  int digits = 0;
  char *q = c->p;
  while (q < c->end && *q >= '0' && *q <= '9') {
    if (++digits > 10) return -1;
    n = n * 10 + (size_t)(*q - '0');
    q++;
  }
  if (digits == 0 || q >= c->end || *q != ':') return -1;
  q++;
  if ((size_t)(c->end - q) < n + 1 || q[n] != ',') return -1;
  q[n] = '\0';
  *data = q;
  *len = n;
  c->p = q + n + 1;
  return 0;
}

static int field_text(struct cursor *c, char **text, const char **error) {
  size_t len;
  if (next_field(c, text, &len) < 0) {
    *error = "a field is missing or not a netstring";
    return -1;
  }
  if (strlen(*text) != len) {
    *error = "a path or argument holds a NUL byte";
    return -1;
  }
  return 0;
}

static int field_number(struct cursor *c, long long min, long long max, long long *value, const char **error) {
  char *text, *end;
  if (field_text(c, &text, error) < 0) return -1;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (text[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
    *error = "a number field is not a number in range";
    return -1;
  }
  *value = v;
  return 0;
}

/* A reused scratch path that some process still has open for writing gets a new file (see the top). */
static void refresh_if_held(const char *path) {
  int probe = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (probe < 0) return; /* not there yet: open_output creates it */
  if (fcntl(probe, F_SETLEASE, F_RDLCK) == 0) fcntl(probe, F_SETLEASE, F_UNLCK);
  else unlink(path); /* held (EAGAIN), or leases unsupported here: a new file is safe either way */
  close(probe);
}

static int open_output(const char *path, int reused, int *fd) {
  if (path[0] == '\0') {
    *fd = devnull_fd;
    return 0;
  }
  if (reused) refresh_if_held(path);
  *fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  return *fd < 0 ? -1 : 0;
}

static int open_input(const char *path, int *fd) {
  if (path[0] == '\0') {
    *fd = devnull_fd;
    return 0;
  }
  *fd = open(path, O_RDONLY | O_CLOEXEC);
  return *fd < 0 ? -1 : 0;
}

static int parse_step(struct cursor *c, struct step *s, const char **error) {
  char *kind;
  long long v;
  if (field_text(c, &kind, error) < 0) return -1;
  if (strcmp(kind, "run") == 0) {
    char *flags, *in_path, *out_path, *err_path;
    s->kind = STEP_RUN;
    if (field_text(c, &flags, error) < 0 || field_text(c, &in_path, error) < 0 || field_text(c, &out_path, error) < 0 ||
        field_text(c, &err_path, error) < 0 || field_number(c, 1, 1 << 20, &v, error) < 0) {
      return -1;
    }
    s->exit_elsewhere = strchr(flags, '1') != NULL;
    s->out_reused = strchr(flags, 'o') != NULL;
    s->err_reused = strchr(flags, 'e') != NULL;
    s->argv = calloc((size_t)v + 1, sizeof *s->argv);
    if (s->argv == NULL) die("out of memory");
    for (long long i = 0; i < v; i++) {
      if (field_text(c, &s->argv[i], error) < 0) return -1;
    }
    /* Files are opened later, by open_step, so a parse error leaves nothing open. */
    s->in_path = in_path;
    s->out_path = out_path;
    s->err_path = err_path;
    return 0;
  }
  if (strcmp(kind, "wait") == 0) {
    s->kind = STEP_WAIT;
    if (field_number(c, INT_MIN, INT_MAX, &v, error) < 0) return -1;
    s->wait_pid = (pid_t)v;
    return 0;
  }
  if (strcmp(kind, "http") == 0) {
    char *socket_path, *head, *body, *body_file, *accept, *out_path;
    s->kind = STEP_HTTP;
    if (field_text(c, &socket_path, error) < 0) return -1;
    if (next_field(c, &head, &s->head_len) < 0 || next_field(c, &body, &s->body_len) < 0) {
      *error = "an http step lacks its head or body";
      return -1;
    }
    if (field_text(c, &body_file, error) < 0 || field_text(c, &accept, error) < 0 || field_text(c, &out_path, error) < 0) return -1;
    s->socket_path = socket_path;
    s->out_path = out_path;
    s->head = head;
    s->body = body;
    s->body_file = body_file;
    for (char *p = accept; *p != '\0';) {
      char *end;
      long code = strtol(p, &end, 10);
      if (end == p || code < 100 || code > 599 || s->accept_count >= MAX_ACCEPT) {
        *error = "an http step's accepted statuses are not a list of codes";
        return -1;
      }
      s->accept[s->accept_count++] = (int)code;
      p = *end == ',' ? end + 1 : end;
      if (*end != ',' && *end != '\0') {
        *error = "an http step's accepted statuses are not a list of codes";
        return -1;
      }
    }
    return 0;
  }
  if (strcmp(kind, "exchange") == 0) {
    char *socket_path, *send_bytes, *until, *out_path;
    size_t send_len, until_len;
    s->kind = STEP_EXCHANGE;
    if (field_text(c, &socket_path, error) < 0) return -1;
    if (next_field(c, &send_bytes, &send_len) < 0 || next_field(c, &until, &until_len) < 0) {
      *error = "an exchange step lacks its send or until bytes";
      return -1;
    }
    if (field_text(c, &out_path, error) < 0) return -1;
    s->socket_path = socket_path;
    s->send = send_bytes;
    s->send_len = send_len;
    s->until = until;
    s->until_len = until_len;
    s->out_path = out_path;
    return 0;
  }
  *error = "a step's kind is not run, wait, http or exchange";
  return -1;
}

/* Opens a step's files (before any clock of the phase starts); fills the failure if one cannot be. */
static int open_step(struct step *s) {
  if (s->kind == STEP_RUN) {
    const char *in_path = s->in_path, *out_path = s->out_path, *err_path = s->err_path;
    if (open_input(in_path, &s->in_fd) < 0) {
      set_failure(s, "cannot open %s: %s", in_path, strerror(errno));
      return -1;
    }
    if (open_output(out_path, s->out_reused, &s->out_fd) < 0) {
      set_failure(s, "cannot open %s: %s", out_path, strerror(errno));
      return -1;
    }
    /* One path for both: one file description, so the two do not overwrite each other. */
    if (strcmp(out_path, err_path) == 0) {
      s->err_fd = -1;
    } else if (open_output(err_path, s->err_reused, &s->err_fd) < 0) {
      set_failure(s, "cannot open %s: %s", err_path, strerror(errno));
      return -1;
    }
    posix_spawn_file_actions_init(&s->actions);
    s->actions_ready = 1;
    if (posix_spawn_file_actions_adddup2(&s->actions, s->in_fd, STDIN_FILENO) != 0 ||
        posix_spawn_file_actions_adddup2(&s->actions, s->out_fd, STDOUT_FILENO) != 0 ||
        posix_spawn_file_actions_adddup2(&s->actions, s->err_fd >= 0 ? s->err_fd : s->out_fd, STDERR_FILENO) != 0) {
      set_failure(s, "cannot prepare the spawn: %s", strerror(ENOMEM));
      return -1;
    }
    return 0;
  }
  if (s->kind == STEP_WAIT) return 0;
  if (open_output(s->out_path, 0, &s->out_fd) < 0) {
    set_failure(s, "cannot open %s: %s", s->out_path, strerror(errno));
    return -1;
  }
  if (s->kind == STEP_EXCHANGE) {
    if (s->until_len > 0) {
      /* The marker's failure function (Knuth-Morris-Pratt): found across any split of reads. */
      s->until_fail = calloc(s->until_len, sizeof *s->until_fail);
      if (s->until_fail == NULL) die("out of memory");
      for (size_t i = 1, k = 0; i < s->until_len; i++) {
        while (k > 0 && s->until[i] != s->until[k]) k = s->until_fail[k - 1];
        if (s->until[i] == s->until[k]) k++;
        s->until_fail[i] = k;
      }
    }
    return 0;
  }
  /* http: head, Content-Length when there is a body, the blank line, the inline body. */
  const char *body = s->body, *body_file = s->body_file, *head = s->head;
  size_t body_len = s->body_len, head_len = s->head_len;
  off_t file_bytes = 0;
  if (body_file[0] != '\0') {
    struct stat st;
    s->body_fd = open(body_file, O_RDONLY | O_CLOEXEC);
    if (s->body_fd < 0 || fstat(s->body_fd, &st) < 0) {
      set_failure(s, "cannot open %s: %s", body_file, strerror(errno));
      return -1;
    }
    file_bytes = st.st_size;
  }
  char length[64] = "";
  if (body_len > 0 || body_file[0] != '\0') {
    snprintf(length, sizeof length, "Content-Length: %lld\r\n", (long long)body_len + (long long)file_bytes);
  }
  size_t length_len = strlen(length);
  s->send = malloc(head_len + length_len + 2 + body_len);
  if (s->send == NULL) die("out of memory");
  memcpy(s->send, head, head_len);
  memcpy(s->send + head_len, length, length_len);
  memcpy(s->send + head_len + length_len, "\r\n", 2);
  memcpy(s->send + head_len + length_len + 2, body, body_len);
  s->send_len = head_len + length_len + 2 + body_len;
  s->body_left = file_bytes;
  return 0;
}

static void free_phase(struct phase *ph) {
  for (int i = 0; i < ph->step_count; i++) {
    struct step *s = &ph->steps[i];
    if (i < ph->opened) release_step(s);
    free(s->argv);
    free(s->until_fail);
    if (s->kind == STEP_HTTP) free(s->send);
  }
  free(ph->steps);
  free(ph->payload);
  free(ph);
}

static void handle_request(char *payload, size_t len) {
  struct cursor c = { payload, payload + len };
  const char *error = NULL;
  char *verb;
  long long id = 0, deadline = 0, budget = 0, count = 0;
  struct phase *ph = calloc(1, sizeof *ph);
  if (ph == NULL) die("out of memory");
  ph->payload = payload;
  ph->watched_fd = -1;
  ph->watch.type = WATCH_PHASE;
  ph->watch.phase = ph;
  if (field_text(&c, &verb, &error) < 0) goto bad;
  if (strcmp(verb, "P") != 0) {
    error = "the request is not P (a phase)";
    goto bad;
  }
  if (field_number(&c, 1, LLONG_MAX, &id, &error) < 0 || field_number(&c, 0, LLONG_MAX, &deadline, &error) < 0 ||
      field_number(&c, 0, LLONG_MAX, &budget, &error) < 0 || field_number(&c, 1, MAX_STEPS, &count, &error) < 0) {
    goto bad;
  }
  ph->id = (uint64_t)id;
  ph->deadline_ns = deadline;
  ph->budget_ms = (uint64_t)budget;
  ph->steps = calloc((size_t)count, sizeof *ph->steps);
  if (ph->steps == NULL) die("out of memory");
  ph->step_count = (int)count;
  for (int i = 0; i < ph->step_count; i++) {
    struct step *s = &ph->steps[i];
    s->in_fd = s->out_fd = s->err_fd = s->pidfd = s->sock = s->body_fd = -1;
    s->out_bytes = s->err_bytes = -1;
    if (parse_step(&c, s, &error) < 0) goto bad;
  }
  if (c.p != c.end) {
    error = "the request has bytes after its last step";
    goto bad;
  }
  ph->next = phases;
  phases = ph;
  for (int i = 0; i < ph->step_count; i++) {
    ph->opened = i + 1;
    if (open_step(&ph->steps[i]) < 0) {
      /* Nothing has run: the phase fails at the step whose file could not be opened. */
      struct step *s = &ph->steps[i];
      s->start_ns = s->end_ns = now_ns();
      emit_record(ph, i);
      finish_phase(ph, 0, 1);
      return;
    }
  }
  if (start_step(ph)) advance(ph);
  return;
bad:
  out_printf("E %lld ", id);
  out_escaped(error, strlen(error));
  out_printf("\n");
  ph->opened = 0;
  free_phase(ph);
}

static void stdin_ready(void) {
  for (;;) {
    if (in_cap - in_len < IO_CHUNK) {
      in_cap = in_cap ? in_cap * 2 : 2 * IO_CHUNK;
      in_buf = xrealloc(in_buf, in_cap);
    }
    ssize_t n = read(STDIN_FILENO, in_buf + in_len, in_cap - in_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      stdin_open = 0;
      break;
    }
    in_len += (size_t)n;
  }
  size_t off = 0;
  while (off < in_len) {
    size_t n = 0, i = off;
    while (i < in_len && in_buf[i] >= '0' && in_buf[i] <= '9' && i - off < 10) n = n * 10 + (size_t)(in_buf[i++] - '0');
    if (i == in_len) break; /* the length is still arriving */
    if (i == off || in_buf[i] != ':' || n > MAX_REQUEST_BYTES) {
      out_printf("E 0 the request stream is not netstrings; no more requests are read\n");
      stdin_open = 0;
      in_len = 0;
      return;
    }
    if (in_len - (i + 1) < n + 1) break; /* the payload is still arriving */
    if (in_buf[i + 1 + n] != ',') {
      out_printf("E 0 a request does not end with ','; no more requests are read\n");
      stdin_open = 0;
      in_len = 0;
      return;
    }
    char *payload = malloc(n + 1);
    if (payload == NULL) die("out of memory");
    memcpy(payload, in_buf + i + 1, n);
    payload[n] = '\0';
    off = i + 2 + n;
    handle_request(payload, n);
  }
  memmove(in_buf, in_buf + off, in_len - off);
  in_len -= off;
}

/* ---- the loop ------------------------------------------------------------------------------- */

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die("fcntl O_NONBLOCK");
}

static void setup(void) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) die("prctl PR_SET_CHILD_SUBREAPER");
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) die("sigprocmask");
  signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd < 0) die("signalfd");
  signal(SIGPIPE, SIG_IGN);
  devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull_fd < 0) die("open /dev/null");
  set_nonblocking(STDIN_FILENO);
  set_nonblocking(STDOUT_FILENO);
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) die("epoll_create1");
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &stdin_watch };
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0) die("epoll_ctl stdin");
  ev.data.ptr = &signal_watch;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, signal_fd, &ev) < 0) die("epoll_ctl signalfd");
  /* Children start clean: no signal blocked (we block SIGCHLD), every disposition the default. */
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_init(&spawn_attr);
  posix_spawnattr_setsigmask(&spawn_attr, &none);
  posix_spawnattr_setsigdefault(&spawn_attr, &all);
  posix_spawnattr_setflags(&spawn_attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

int main(void) {
  setup();
  out_printf("READY %d %d\n", PROTOCOL_VERSION, (int)getpid());
  flush_out();
  struct epoll_event events[64];
  for (;;) {
    if (!stdin_open && phases == NULL && (out_len == out_sent || stdout_broken)) break;
    int64_t wake = INT64_MAX;
    for (struct phase *ph = phases; ph != NULL; ph = ph->next) {
      int64_t w = phase_wake_ns(ph);
      if (w < wake) wake = w;
    }
    struct timespec timeout, *tp = NULL;
    if (wake != INT64_MAX) {
      int64_t left = wake - now_ns();
      if (left < 0) left = 0;
      timeout.tv_sec = left / 1000000000LL;
      timeout.tv_nsec = left % 1000000000LL;
      tp = &timeout;
    }
    int n = epoll_pwait2(epoll_fd, events, 64, tp, NULL);
    if (n < 0 && errno != EINTR) die("epoll_pwait2");
    for (int i = 0; i < n; i++) {
      struct watch *w = events[i].data.ptr;
      switch (w->type) {
      case WATCH_STDIN:
        if (stdin_open) stdin_ready();
        if (!stdin_open) epoll_ctl(epoll_fd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
        break;
      case WATCH_STDOUT: flush_out(); break;
      case WATCH_SIGNAL: signal_ready(); break;
      case WATCH_PHASE: {
        struct phase *ph = w->phase;
        if (ph->done) break;
        struct step *s = &ph->steps[ph->current];
        if (s->kind == STEP_WAIT && s->pidfd >= 0) pidfd_ready(ph, s);
        else if (s->kind == STEP_HTTP || s->kind == STEP_EXCHANGE) sock_ready(ph, s, events[i].events);
        break;
      }
      }
    }
    int64_t t = now_ns();
    for (struct phase *ph = phases, *next; ph != NULL; ph = next) {
      next = ph->next;
      if (phase_wake_ns(ph) <= t) phase_timer(ph, t);
    }
    while (finished != NULL) {
      struct phase *ph = finished;
      finished = ph->next;
      free_phase(ph);
    }
    flush_out();
  }
  return 0;
}
