// libusb-1.0, as Debian's libusb-1.0-0-dev installs it (pkg-config adds -I/usr/include/libusb-1.0).
#pragma once
#include <libusb.h>
