/* The QorusGcal::Client class. */

#ifndef QGCAL_CLIENT_H
#define QGCAL_CLIENT_H

#include <qore/Qore.h>

QoreClass* qgcal_init_client_class(QoreNamespace& ns);

#endif
