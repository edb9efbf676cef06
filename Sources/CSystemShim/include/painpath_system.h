#ifndef PAINPATH_SYSTEM_H
#define PAINPATH_SYSTEM_H

// Linux calls the daemon needs that Swift's Glibc module does not expose cleanly: renameat2 with
// RENAME_NOREPLACE (a claim or a result never overwrites), file leases (is a writer still holding
// the file open?), and the signal mask (signals are read from a signalfd, not handlers).

#include <signal.h>

/// The filesystem type of an open descriptor (statfs f_type: NFS 0x6969, FUSE 0x65735546, …), or -1.
long painpath_filesystem_type(int fd);

/// rename(2) that fails with EEXIST instead of replacing the target. Returns 0 or -1 with errno.
int painpath_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// 1 when some process has the file open for writing (a read lease cannot be taken: EAGAIN),
/// 0 when not, -1 when leases are not permitted here (not the owner, no CAP_LEASE, NFS).
int painpath_open_for_writing(int fd);

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and threads it creates later) and
/// returns a signalfd for them (non-blocking, close-on-exec), or -1.
int painpath_signalfd_for_shutdown_and_reload(void);

/// Reads one pending signal from the signalfd: its number, 0 when none is pending, -1 on error.
int painpath_read_signal(int fd);

/// Starts writing the file's dirty pages out without waiting (sync_file_range SYNC_FILE_RANGE_WRITE):
/// a hint, durability still needs fdatasync. Returns 0 or -1 with errno.
int painpath_start_writeback(int fd);

/// A non-blocking, close-on-exec eventfd (workers wake the main loop through it), or -1.
int painpath_eventfd(void);

/// Ignores SIGPIPE (a closed notify socket or pipe must not kill the daemon) and SIGXFSZ (a file
/// size limit makes writes fail with EFBIG instead).
void painpath_ignore_sigpipe(void);

#endif
