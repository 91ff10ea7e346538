// libxlsxwriter, from Debian's libxlsxwriter-dev: writes .xlsx workbooks.
#include <xlsxwriter.h>
