// libxml2, from Debian's libxml2-dev: xmlTextReader streams a worksheet's XML.
// Debian builds libxml2 with ICU; its ICU headers clash with the copy inside
// Foundation, and nothing here uses ICU, so they are left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlreader.h>
