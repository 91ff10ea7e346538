// libzip, from Debian's libzip-dev: the archive of an .xlsx workbook.
#include <zip.h>
