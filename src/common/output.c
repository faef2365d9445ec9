/* Output files that never destroy, and paths both read and written; see
 * pcsim/output.h.
 *
 * Why by lstat and not by trying: renaming a temporary file over a path
 * replaces whatever the path names, so a run as root writing its report to
 * /dev/null used to leave a regular file there, and one writing to a
 * symlink replaced the link with a file. Each path is therefore looked at
 * first, its links followed by hand (only the last component: the kernel
 * follows the directories), and only a regular file, or nothing, is ever
 * replaced. */
#include "pcsim/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40         /* as the kernel's own limit on a path's links */
#define MAX_TMP_ATTEMPTS 100 /* TARGET.tmp.PID, then .1, .2, ... when one is left over */

enum path_kind {
    KIND_NEW,        /* nothing there yet: created (by rename) */
    KIND_REGULAR,    /* a regular file: replaced by rename */
    KIND_THROUGH,    /* a character device, FIFO or socket: written through */
    KIND_DESCRIPTOR, /* a descriptor of this process: written through a duplicate */
    KIND_DIRECTORY,  /* refused */
    KIND_BLOCK       /* refused */
};

struct resolved {
    enum path_kind kind;
    char final[PATH_MAX]; /* the path, its last component's links followed */
    struct stat st;       /* of final; kinds REGULAR, THROUGH, DIRECTORY, BLOCK */
    int fd;               /* KIND_DESCRIPTOR */
};

/* The directory part of path into dir: "." when there is none, "/" for
 * the root. 0, or -1 if it does not fit. */
static int dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(dir, size, ".") < (int)size ? 0 : -1;
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= size)
        return -1;
    memcpy(dir, path, len);
    dir[len] = '\0';
    return 0;
}

static const char *last_component(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* 1 and the descriptor in *fd if path is an entry of this process's
 * descriptor directory (/dev/fd/N, /proc/self/fd/N; /dev/stdout links
 * there): opening it anew would truncate or replace what the descriptor
 * writes to, where the user meant the descriptor itself. */
static int descriptor_of(const char *path, int *fd)
{
    const char *name = last_component(path);
    if (!*name || strspn(name, "0123456789") != strlen(name) || strlen(name) > 9)
        return 0;
    char dir[PATH_MAX];
    struct stat here, fd_dir;
    if (dir_of(path, dir, sizeof dir) != 0 || stat(dir, &here) != 0 || stat("/proc/self/fd", &fd_dir) != 0)
        return 0;
    if (here.st_dev != fd_dir.st_dev || here.st_ino != fd_dir.st_ino)
        return 0;
    char *end;
    errno = 0;
    long value = strtol(name, &end, 10);
    if (errno != 0 || *end != '\0' || value < 0 || value > INT_MAX)
        return 0;
    *fd = (int)value;
    return 1;
}

static enum pcs_status cannot_write(struct pcs_error *err, const char *path, int error)
{
    return pcs_error_set(err, PCS_ERR_IO, "%s: cannot write: %s", path, strerror(error));
}

/* What path names, its last component's symbolic links followed one by one
 * (a dangling link resolves to the path it names, which is then KIND_NEW). */
static enum pcs_status resolve(const char *path, struct resolved *r, struct pcs_error *err)
{
    char *current = r->final;
    if (!*path)
        return cannot_write(err, path, ENOENT);
    if (strcmp(path, "-") == 0) { /* "-" is the standard output, as everywhere on a command line */
        snprintf(r->final, sizeof r->final, "%s", path);
        r->kind = KIND_DESCRIPTOR;
        r->fd = STDOUT_FILENO;
        return PCS_OK;
    }
    if ((size_t)snprintf(current, PATH_MAX, "%s", path) >= PATH_MAX)
        return cannot_write(err, path, ENAMETOOLONG);
    for (int links = 0;; links++) {
        if (current[strlen(current) - 1] == '/')
            return cannot_write(err, path, EISDIR);
        if (descriptor_of(current, &r->fd)) {
            r->kind = KIND_DESCRIPTOR;
            return PCS_OK;
        }
        if (lstat(current, &r->st) != 0) {
            if (errno != ENOENT)
                return cannot_write(err, path, errno);
            r->kind = KIND_NEW;
            return PCS_OK;
        }
        if (!S_ISLNK(r->st.st_mode))
            break;
        if (links == MAX_LINKS)
            return cannot_write(err, path, ELOOP);
        char target[PATH_MAX];
        ssize_t n = readlink(current, target, sizeof target - 1);
        if (n < 0)
            return cannot_write(err, path, errno);
        target[n] = '\0';
        if (n == 0)
            return cannot_write(err, path, ENOENT);
        if (target[0] == '/') {
            memcpy(current, target, (size_t)n + 1);
        } else {
            char dir[PATH_MAX];
            if (dir_of(current, dir, sizeof dir) != 0 ||
                (size_t)snprintf(current, PATH_MAX, "%s/%s", dir, target) >= PATH_MAX)
                return cannot_write(err, path, ENAMETOOLONG);
        }
    }
    mode_t mode = r->st.st_mode;
    if (S_ISREG(mode))
        r->kind = KIND_REGULAR;
    else if (S_ISDIR(mode))
        r->kind = KIND_DIRECTORY;
    else if (S_ISBLK(mode))
        r->kind = KIND_BLOCK;
    else
        r->kind = KIND_THROUGH; /* character device, FIFO, socket */
    return PCS_OK;
}

/* Creates out->tmp_path beside target, exclusively, its descriptor in
 * *fd_out; old (when target exists) gives the permission bits and owner to
 * keep. PCS_OK, or the status with err set. */
static enum pcs_status create_sibling(struct pcs_output *out, const char *target, const struct stat *old, int *fd_out,
                                      struct pcs_error *err)
{
    size_t size = strlen(target) + 48;
    out->tmp_path = malloc(size);
    if (!out->tmp_path)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", out->path);
    int fd = -1;
    for (int attempt = 0; attempt < MAX_TMP_ATTEMPTS && fd < 0; attempt++) {
        if (attempt == 0)
            snprintf(out->tmp_path, size, "%s.tmp.%ld", target, (long)getpid());
        else
            snprintf(out->tmp_path, size, "%s.tmp.%ld.%d", target, (long)getpid(), attempt);
        fd = open(out->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int error = errno;
        free(out->tmp_path);
        out->tmp_path = NULL;
        if (!old)
            return cannot_write(err, out->path, error);
        return pcs_error_set(err, PCS_ERR_IO,
                             "%s: cannot write: no temporary file can be created beside %s to "
                             "replace it whole (%s); it was left as it was",
                             out->path, target, strerror(error));
    }
    if (old) {
        /* Best effort: only root may give a file away; the umask's bits stay
         * if a change is refused. */
        if ((old->st_uid != geteuid() || old->st_gid != getegid()) && fchown(fd, old->st_uid, old->st_gid) != 0)
            errno = 0;
        if (fchmod(fd, old->st_mode & 0777) != 0)
            errno = 0;
    }
    *fd_out = fd;
    return PCS_OK;
}

static void output_clear(struct pcs_output *out)
{
    free(out->path);
    free(out->target);
    free(out->tmp_path);
    memset(out, 0, sizeof *out);
}

enum pcs_status pcs_output_open(struct pcs_output *out, const char *path, struct pcs_error *err)
{
    memset(out, 0, sizeof *out);
    struct resolved r;
    enum pcs_status status = resolve(path, &r, err);
    if (status != PCS_OK)
        return status;
    out->path = strdup(path);
    if (!out->path)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
    int fd = -1;
    switch (r.kind) {
    case KIND_DIRECTORY: status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot write: it is a directory", path); break;
    case KIND_BLOCK:
        status = pcs_error_set(err, PCS_ERR_IO,
                               "%s: cannot write: it is a block device (reports go to files, "
                               "FIFOs and character devices)",
                               path);
        break;
    case KIND_DESCRIPTOR:
        fd = dup(r.fd);
        if (fd < 0)
            status = cannot_write(err, path, errno);
        break;
    case KIND_THROUGH:
        /* No O_TRUNC: a device or FIFO has nothing to truncate. */
        fd = open(r.final, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
            status = cannot_write(err, path, errno);
        break;
    case KIND_NEW:
    case KIND_REGULAR:
        out->target = strdup(r.final);
        if (!out->target) {
            status = pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
            break;
        }
        status = create_sibling(out, r.final, r.kind == KIND_REGULAR ? &r.st : NULL, &fd, err);
        break;
    }
    if (status == PCS_OK) {
        out->file = fdopen(fd, "w");
        if (!out->file) {
            status = cannot_write(err, path, errno);
            close(fd);
        }
    }
    if (status != PCS_OK) {
        if (out->tmp_path)
            unlink(out->tmp_path);
        output_clear(out);
    }
    return status;
}

int pcs_output_writes_through(const char *path)
{
    struct resolved r;
    return resolve(path, &r, NULL) == PCS_OK && (r.kind == KIND_THROUGH || r.kind == KIND_DESCRIPTOR);
}

enum pcs_status pcs_output_close(struct pcs_output *out, int commit, struct pcs_error *err)
{
    if (!out->file) {
        output_clear(out);
        return PCS_OK;
    }
    int failed = fflush(out->file) != 0 || ferror(out->file) != 0;
    int saved = failed ? errno : 0;
    /* The bytes reach the disk before the name does, so a crash right after
     * the rename cannot leave an empty file in the old one's place. */
    if (!failed && commit && out->tmp_path && fsync(fileno(out->file)) != 0 && errno != EINVAL) {
        failed = 1;
        saved = errno;
    }
    if (fclose(out->file) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    out->file = NULL;
    enum pcs_status status = PCS_OK;
    if (failed)
        status = pcs_error_set(err, PCS_ERR_IO, "%s: write failed: %s", out->path, strerror(saved ? saved : EIO));
    else if (commit && out->tmp_path && rename(out->tmp_path, out->target) != 0)
        status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot rename into place: %s", out->path, strerror(errno));
    if (out->tmp_path && (status != PCS_OK || !commit))
        unlink(out->tmp_path); /* ours, and never anything else */
    output_clear(out);
    return status;
}

/* ------------------------------------------------------------ clashes */

/* What a path is, to compare with another. */
struct identity {
    int exists; /* dev, ino are the file's */
    int is_new; /* dev, ino are its directory's; name is its last component */
    int is_dir, is_regular;
    dev_t dev;
    ino_t ino;
    const char *name; /* into final */
    char final[PATH_MAX];
};

static void take_stat(struct identity *id, const struct stat *st)
{
    id->exists = 1;
    id->dev = st->st_dev;
    id->ino = st->st_ino;
    id->is_dir = S_ISDIR(st->st_mode);
    id->is_regular = S_ISREG(st->st_mode);
}

/* An input as a reader opens it (every link followed). 0: none to compare. */
static int input_identity(const char *path, struct identity *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (strcmp(path, "-") == 0) {
        if (fstat(STDIN_FILENO, &st) != 0 || !S_ISREG(st.st_mode))
            return 0;
    } else if (stat(path, &st) != 0) {
        return 0;
    }
    take_stat(id, &st);
    return 1;
}

/* An output as pcs_output_open would write it. 0: none to compare. */
static int output_identity(const char *path, struct identity *id)
{
    struct resolved r;
    struct stat st;
    memset(id, 0, sizeof *id);
    if (resolve(path, &r, NULL) != PCS_OK)
        return 0;
    memcpy(id->final, r.final, sizeof id->final);
    if (r.kind == KIND_DESCRIPTOR) {
        if (fstat(r.fd, &st) != 0)
            return 0;
        take_stat(id, &st);
        id->is_regular = 0; /* written through, never replaced */
        return 1;
    }
    if (r.kind != KIND_NEW) {
        take_stat(id, &r.st);
        return 1;
    }
    char dir[PATH_MAX];
    if (dir_of(id->final, dir, sizeof dir) != 0 || stat(dir, &st) != 0)
        return 0;
    id->is_new = 1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->name = last_component(id->final);
    return 1;
}

static int same_file(const struct identity *a, const struct identity *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* 1 if the existing file out lies under the directory dir, at any depth. */
static int inside(const struct identity *out, const struct identity *dir)
{
    char path[PATH_MAX];
    if (!realpath(out->final, path))
        return 0;
    for (;;) {
        char *slash = strrchr(path, '/');
        if (!slash)
            return 0;
        if (slash == path)
            slash[1] = '\0'; /* the root */
        else
            *slash = '\0';
        struct stat st;
        if (stat(path, &st) == 0 && st.st_dev == dir->dev && st.st_ino == dir->ino)
            return 1;
        if (slash == path)
            return 0;
    }
}

static enum pcs_path_clash found(enum pcs_path_clash clash, size_t a, size_t b, size_t *first, size_t *second)
{
    *first = a < b ? a : b;
    *second = a < b ? b : a;
    return clash;
}

enum pcs_path_clash pcs_paths_check(const struct pcs_path_use *uses, size_t count, size_t *first, size_t *second)
{
    struct identity out, other;
    for (size_t o = 0; o < count; o++) {
        if (!uses[o].is_output || !output_identity(uses[o].path, &out))
            continue;
        for (size_t u = 0; u < count; u++) {
            if (u == o)
                continue;
            if (uses[u].is_output) {
                if (u < o || !output_identity(uses[u].path, &other))
                    continue; /* each pair of outputs once */
                if (out.exists && other.exists && same_file(&out, &other))
                    return found(PCS_CLASH_SAME_OUTPUT, o, u, first, second);
                if (out.is_new && other.is_new && same_file(&out, &other) && strcmp(out.name, other.name) == 0)
                    return found(PCS_CLASH_SAME_OUTPUT, o, u, first, second);
                continue;
            }
            if (!out.exists || !input_identity(uses[u].path, &other))
                continue;
            if (same_file(&out, &other))
                return found(PCS_CLASH_SAME_FILE, o, u, first, second);
            if (out.is_regular && other.is_dir && inside(&out, &other))
                return found(PCS_CLASH_IN_DIR, o, u, first, second);
        }
    }
    return PCS_CLASH_NONE;
}
