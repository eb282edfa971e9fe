/* Logs and statistics for Qore: the library's log records go to a Qore Logger (any object with
 * Qore's LoggerInterface API, such as a Qorus connection's logger), statistics come back as hashes. */

#ifndef QGCAL_OBSERVE_H
#define QGCAL_OBSERVE_H

#include <qore/Qore.h>

extern "C" {
#include "qorus_gcal.h"
}

// QorusGcal::setLogger() and QorusGcal::stats().
void qgcal_init_observe_functions(QoreNamespace& ns);

// Client::setLogger(), Client::stats() and Client::id(); `client_of` reads a Client's private data.
void qgcal_add_observe_methods(QoreClass& client_class, qgcal_client* (*client_of)(AbstractPrivateData*));

// Before the module goes: loggers still installed are let go without touching Qore any more.
void qgcal_observe_unload();

#endif
