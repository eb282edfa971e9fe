/* QorusGcal::Pager: walks a list method page by page with qgcal_pager_next, so a script can go through a
 * large calendar holding one page at a time (Client::listAll() holds every item). The library's pager
 * keeps its own reference to the client, so it outlives the Client object that made it. */

#include "qgcal_pager.h"
#include "qgcal_errors.h"
#include "qgcal_json.h"

static qore_classid_t CID_QGCAL_PAGER;
static QoreClass* QC_QGCAL_PAGER;

namespace {

class PagerData : public AbstractPrivateData {
public:
    explicit PagerData(qgcal_pager* p) : pager(p) {}

    qgcal_pager* pager;

protected:
    ~PagerData() override {
        qgcal_pager_free(pager);
    }
};

void Pager_constructor(QoreObject* self, const QoreListNode* args, q_rt_flags_t rtflags, ExceptionSink* xsink) {
    xsink->raiseException("QGCAL-INVALID-ARGUMENT",
        "QorusGcal::Pager objects are made by Client::pager(method, params)");
}

void Pager_copy(QoreObject* self, QoreObject* old, AbstractPrivateData* p, ExceptionSink* xsink) {
    xsink->raiseException("QGCAL-COPY-ERROR", "QorusGcal::Pager objects cannot be copied");
}

// The next page: {items, more}, plus next_sync_token on the last page of a method that has one; after
// the last page, {items: (), more: False}. Calls on one pager from several threads take turns.
QoreValue Pager_next(QoreObject* self, AbstractPrivateData* p, const QoreListNode* args, q_rt_flags_t rtflags,
        ExceptionSink* xsink) {
    char* out = nullptr;
    qgcal_error* err = nullptr;
    qgcal_status st = qgcal_pager_next(static_cast<PagerData*>(p)->pager, &out, &err);
    return qgcal_json_result(st, err, out, xsink);
}

}  // namespace

QoreObject* qgcal_new_pager(qgcal_pager* pager) {
    return new QoreObject(QC_QGCAL_PAGER, getProgram(), new PagerData(pager));
}

QoreClass* qgcal_init_pager_class(QoreNamespace& ns) {
    QC_QGCAL_PAGER = new QoreBuiltinClass("Pager", "::QorusGcal::Pager", QDOM_DEFAULT);
    CID_QGCAL_PAGER = QC_QGCAL_PAGER->getID();
    QoreClass* c = QC_QGCAL_PAGER;
    c->addConstructor(Pager_constructor, Public, QCF_NO_FLAGS, QDOM_DEFAULT);
    c->setCopy((q_copy_t)Pager_copy);
    c->addMethod("next", (q_method_n_t)Pager_next, Public, QCF_NO_FLAGS, QDOM_DEFAULT, autoHashTypeInfo);
    return c;
}
