// zlib, for PNG's deflate streams (Debian's zlib1g-dev).
#pragma once
#include <zlib.h>
