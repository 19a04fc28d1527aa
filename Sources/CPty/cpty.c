#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include "cpty.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <errno.h>

int imprimatur_open_pty(char *slave_path, size_t slave_path_size) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return -1;
    if (grantpt(master) != 0 || unlockpt(master) != 0) { int e = errno; close(master); errno = e; return -1; }
    const char *name = ptsname(master);
    if (name == NULL || strlen(name) + 1 > slave_path_size) { close(master); errno = ENAMETOOLONG; return -1; }
    strcpy(slave_path, name);
    struct termios attributes;
    if (tcgetattr(master, &attributes) == 0) { cfmakeraw(&attributes); tcsetattr(master, TCSANOW, &attributes); }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    return master;
}
