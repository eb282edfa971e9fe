/* The QorusGcal::Pager class: one page of a list method at a time, made by Client::pager(). */

#ifndef QGCAL_PAGER_H
#define QGCAL_PAGER_H

#include <qore/Qore.h>

extern "C" {
#include "qorus_gcal.h"
}

QoreClass* qgcal_init_pager_class(QoreNamespace& ns);

// A new Pager object owning `pager`.
QoreObject* qgcal_new_pager(qgcal_pager* pager);

#endif
