/* The QorusGcal::Client class. */

#ifndef QGCAL_CLIENT_H
#define QGCAL_CLIENT_H

#include <qore/Qore.h>

// `pager_class` is QorusGcal::Pager, the type Client::pager() answers.
QoreClass* qgcal_init_client_class(QoreNamespace& ns, const QoreClass* pager_class);

#endif
