// zlib, from Debian's zlib1g-dev: a gzip-compressed input is inflated as it is read.
#include <zlib.h>
