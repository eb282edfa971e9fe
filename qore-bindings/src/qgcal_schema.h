/* QorusGcal::methodSchema(): a method's typed description, for hosts that build data provider types. */

#ifndef QGCAL_SCHEMA_H
#define QGCAL_SCHEMA_H

#include <qore/Qore.h>

// Adds methodSchema() to the namespace.
void qgcal_init_schema_functions(QoreNamespace& ns);

#endif
