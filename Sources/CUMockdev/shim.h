// libumockdev (Debian's libumockdev-dev; pkg-config umockdev-1.0 adds the GLib include paths):
// the testbed that gives the simulated seal its sysfs entry and /dev/bus/usb node.
#pragma once
#include <umockdev.h>
