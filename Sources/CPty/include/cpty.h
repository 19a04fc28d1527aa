// Opens a pseudo-terminal master (raw, non-blocking) and reports its slave's path.
// Glibc's Swift overlay does not expose posix_openpt/grantpt/unlockpt/ptsname.
#pragma once
#include <stddef.h>

/// Returns the master descriptor, or -1 with errno set.
int imprimatur_open_pty(char *slave_path, size_t slave_path_size);
