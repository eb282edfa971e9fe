// Library threads (qgcal-rt-N) that call back into Qore must be known to it for the call.
#pragma once

#include <qore/Qore.h>

// Registers a library thread with Qore for the duration of a scope (no-op on Qore threads).
class ForeignThreadScope {
public:
    ForeignThreadScope() : registered(q_register_foreign_thread() == QFT_OK) {}
    ~ForeignThreadScope() {
        if (registered) {
            q_deregister_foreign_thread();
        }
    }
    ForeignThreadScope(const ForeignThreadScope&) = delete;
    ForeignThreadScope& operator=(const ForeignThreadScope&) = delete;

private:
    bool registered;
};
