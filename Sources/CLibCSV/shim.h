// libcsv, from Debian's libcsv-dev (no pkg-config file exists for it).
#include <csv.h>
