// libmodbus, as Debian's libmodbus-dev installs it (pkg-config adds -I/usr/include/modbus).
#pragma once
#include <errno.h>
#include <modbus.h>
