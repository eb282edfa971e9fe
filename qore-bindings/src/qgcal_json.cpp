/* JSON <-> Qore value conversion; see qgcal_json.h. */

#include "qgcal_json.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {

// Deep enough for any Calendar resource; stops a hostile structure from exhausting the stack.
constexpr int MAX_DEPTH = 128;

void raise_arg(ExceptionSink* xsink, const char* what, const char* msg) {
    xsink->raiseException("QGCAL-INVALID-ARGUMENT", "%s: %s", what, msg);
}

void append_string(std::string& out, const char* s, size_t len) {
    out.push_back('"');
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back((char)c);
                }
        }
    }
    out.push_back('"');
}

int append_qore_string(std::string& out, const QoreString* qs, ExceptionSink* xsink) {
    // The library wants UTF-8; convert from whatever encoding the script's string has.
    TempEncodingHelper utf8(qs, QCS_UTF8, xsink);
    if (!utf8) {
        return -1;
    }
    append_string(out, utf8->c_str(), utf8->size());
    return 0;
}

void append_date(std::string& out, const DateTimeNode* d) {
    int64 secs = d->getEpochSecondsUTC();
    int us = d->getMicrosecond();
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (us) {
        n += snprintf(buf + n, sizeof buf - n, ".%06d", us);
    }
    snprintf(buf + n, sizeof buf - n, "Z");
    append_string(out, buf, strlen(buf));
}

int to_json(std::string& out, QoreValue v, ExceptionSink* xsink, const char* what, int depth) {
    if (depth > MAX_DEPTH) {
        raise_arg(xsink, what, "nested too deeply");
        return -1;
    }
    switch (v.getType()) {
        case NT_NOTHING:
        case NT_NULL:
            out += "null";
            return 0;
        case NT_BOOLEAN:
            out += v.getAsBool() ? "true" : "false";
            return 0;
        case NT_INT:
            out += std::to_string(v.getAsBigInt());
            return 0;
        case NT_FLOAT: {
            double f = v.getAsFloat();
            if (!std::isfinite(f)) {
                raise_arg(xsink, what, "NaN and infinite floats have no JSON form");
                return -1;
            }
            char buf[40];
            snprintf(buf, sizeof buf, "%.17g", f);
            out += buf;
            return 0;
        }
        case NT_NUMBER: {
            const QoreNumberNode* n = v.get<const QoreNumberNode>();
            if (n->nan() || n->inf()) {
                raise_arg(xsink, what, "NaN and infinite numbers have no JSON form");
                return -1;
            }
            QoreString s;
            n->toString(s, QORE_NF_RAW);
            out += s.c_str();
            return 0;
        }
        case NT_STRING:
            return append_qore_string(out, v.get<const QoreStringNode>(), xsink);
        case NT_DATE: {
            const DateTimeNode* d = v.get<const DateTimeNode>();
            if (d->isRelative()) {
                raise_arg(xsink, what, "a relative date (duration) has no JSON form; pass an absolute date");
                return -1;
            }
            append_date(out, d);
            return 0;
        }
        case NT_LIST: {
            out.push_back('[');
            ConstListIterator i(v.get<const QoreListNode>());
            bool first = true;
            while (i.next()) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                if (to_json(out, i.getValue(), xsink, what, depth + 1)) {
                    return -1;
                }
            }
            out.push_back(']');
            return 0;
        }
        case NT_HASH: {
            out.push_back('{');
            ConstHashIterator i(v.get<const QoreHashNode>());
            bool first = true;
            while (i.next()) {
                if (!first) {
                    out.push_back(',');
                }
                first = false;
                // hash keys are stored in the default encoding; treat them as UTF-8 text
                const char* k = i.getKey();
                append_string(out, k, strlen(k));
                out.push_back(':');
                if (to_json(out, i.get(), xsink, what, depth + 1)) {
                    return -1;
                }
            }
            out.push_back('}');
            return 0;
        }
        default:
            xsink->raiseException("QGCAL-INVALID-ARGUMENT", "%s: a value of type '%s' cannot be sent to Google",
                what, v.getTypeName());
            return -1;
    }
}

// days since 1970-01-01 of a proleptic Gregorian civil date (Howard Hinnant's algorithm)
int64 days_from_civil(int64 y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64 era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64)doe - 719468;
}

bool digits(const char* s, int n, int& v) {
    v = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    return true;
}

// The zone of a UTC offset. Qore's lookup takes a write lock for every offset but 0; a thread remembers the
// last one it saw (zones live as long as the process).
const AbstractQoreZoneInfo* offset_zone(int off) {
    if (!off) {
        return nullptr;  // UTC
    }
    thread_local int last_off = 0;
    thread_local const AbstractQoreZoneInfo* last_zone = nullptr;
    if (off != last_off || !last_zone) {
        last_zone = findCreateOffsetZone(off);
        last_off = off;
    }
    return last_zone;
}

// Strict RFC 3339 date-time ("2026-01-02T10:00:00.123+01:00") in s[0, n); NULL when the text is anything else.
DateTimeNode* parse_rfc3339(const char* p, size_t n) {
    int y, mo, d, h, mi, se;
    if (n < 20 || !digits(p, 4, y) || p[4] != '-' || !digits(p + 5, 2, mo) || p[7] != '-'
        || !digits(p + 8, 2, d) || (p[10] != 'T' && p[10] != 't') || !digits(p + 11, 2, h) || p[13] != ':'
        || !digits(p + 14, 2, mi) || p[16] != ':' || !digits(p + 17, 2, se)) {
        return nullptr;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        return nullptr;
    }
    size_t i = 19;
    int us = 0;
    if (p[i] == '.') {
        ++i;
        int nd = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (nd < 6) {
                us = us * 10 + (p[i] - '0');
            }
            ++nd;
            ++i;
        }
        if (!nd) {
            return nullptr;
        }
        for (; nd < 6; ++nd) {
            us *= 10;
        }
    }
    int off = 0;
    if (i < n && (p[i] == 'Z' || p[i] == 'z')) {
        ++i;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        int oh, om;
        if (n - i < 6 || !digits(p + i + 1, 2, oh) || p[i + 3] != ':' || !digits(p + i + 4, 2, om) || oh > 23
            || om > 59) {
            return nullptr;
        }
        off = (oh * 3600 + om * 60) * (p[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return nullptr;
    }
    if (i != n) {
        return nullptr;
    }
    int64 secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) - off;
    return DateTimeNode::makeAbsolute(offset_zone(off), secs, us);
}

// The keys under which Google sends instants: dateTime, updated, created, timeMin, timeMax, start, end.
bool is_instant_key(const char* k, size_t n) {
    switch (n) {
        case 3: return !memcmp(k, "end", 3);
        case 5: return !memcmp(k, "start", 5);
        case 7: return !memcmp(k, "updated", 7) || !memcmp(k, "created", 7) || !memcmp(k, "timeMin", 7)
            || !memcmp(k, "timeMax", 7);
        case 8: return !memcmp(k, "dateTime", 8);
        default: return false;
    }
}

// Bytes that end a run of plain string text: the quote, the backslash and the terminating NUL.
struct StringStops {
    bool stop[256] = {};
    constexpr StringStops() {
        stop[(unsigned char)'"'] = stop[(unsigned char)'\\'] = stop[0] = true;
    }
};
constexpr StringStops STRING_STOPS;

// The first byte at or after p that ends a run of plain string text.
inline const char* string_run_end(const char* p) {
    while (true) {
        // four at a time: string runs are tens of bytes long
        if (STRING_STOPS.stop[(unsigned char)p[0]]) return p;
        if (STRING_STOPS.stop[(unsigned char)p[1]]) return p + 1;
        if (STRING_STOPS.stop[(unsigned char)p[2]]) return p + 2;
        if (STRING_STOPS.stop[(unsigned char)p[3]]) return p + 3;
        p += 4;
    }
}

// A string token: its text is [ptr, ptr + len), either inside the JSON text (no escapes) or in the parser's
// buffer (escapes decoded), valid until the next string is read.
struct Span {
    const char* ptr;
    size_t len;
};

// Builds Qore values straight from the JSON text in one pass: no token copies, strings without escapes are
// copied once, into their QoreStringNode. The text is NUL-terminated.
class Parser {
public:
    Parser(const char* text, ExceptionSink* xsink, const char* err) : p(text), xsink(xsink), err(err) {}

    QoreValue parseDocument() {
        ValueHolder v(parseValue(0, nullptr, 0), xsink);
        if (*xsink) {
            return QoreValue();
        }
        skipWs();
        if (*p) {
            fail("trailing characters");
            return QoreValue();
        }
        return v.release();
    }

    // Parses one array and appends its elements to `out` (listAll's pages).
    int appendArray(QoreListNode* out) {
        skipWs();
        if (*p != '[') {
            fail("expected an array");
            return -1;
        }
        ++p;
        skipWs();
        if (*p == ']') {
            ++p;
        } else if (parseElements(out, 0, nullptr, 0)) {
            return -1;
        }
        skipWs();
        if (*p) {
            fail("trailing characters");
            return -1;
        }
        return 0;
    }

private:
    const char* p;
    ExceptionSink* xsink;
    const char* err;
    // decoded text of the last string with escapes
    std::string buf;

    void fail(const char* msg) {
        if (!*xsink) {
            xsink->raiseException(err, "malformed JSON: %s", msg);
        }
    }

    void skipWs() {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            ++p;
        }
    }

    static void putUtf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out.push_back((char)cp);
        } else if (cp < 0x800) {
            out.push_back((char)(0xc0 | (cp >> 6)));
            out.push_back((char)(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back((char)(0xe0 | (cp >> 12)));
            out.push_back((char)(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back((char)(0x80 | (cp & 0x3f)));
        } else {
            out.push_back((char)(0xf0 | (cp >> 18)));
            out.push_back((char)(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back((char)(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back((char)(0x80 | (cp & 0x3f)));
        }
    }

    bool hex4(unsigned& v) {
        v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = *p;
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else return false;  // also the terminating NUL: p never passes it
            ++p;
        }
        return true;
    }

    // Reads the string at p (on its opening quote).
    bool parseString(Span& out) {
        const char* start = ++p;
        // the common case: no escape, found in one scan
        p = string_run_end(p);
        if (*p == '"') {
            out = {start, (size_t)(p - start)};
            ++p;
            return true;
        }
        buf.assign(start, p - start);
        while (true) {
            char c = *p;
            if (!c) {
                fail("unterminated string");
                return false;
            }
            ++p;
            if (c == '"') {
                out = {buf.data(), buf.size()};
                return true;
            }
            if (c != '\\') {
                // the run up to the next quote or escape in one append
                const char* run = p - 1;
                p = string_run_end(p);
                buf.append(run, p - run);
                continue;
            }
            char e = *p;
            if (e) {
                ++p;
            }
            switch (e) {
                case '"': buf.push_back('"'); break;
                case '\\': buf.push_back('\\'); break;
                case '/': buf.push_back('/'); break;
                case 'b': buf.push_back('\b'); break;
                case 'f': buf.push_back('\f'); break;
                case 'n': buf.push_back('\n'); break;
                case 'r': buf.push_back('\r'); break;
                case 't': buf.push_back('\t'); break;
                case 'u': {
                    unsigned cp;
                    if (!hex4(cp)) {
                        fail("bad \\u escape");
                        return false;
                    }
                    if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u') {
                        p += 2;
                        unsigned lo;
                        if (!hex4(lo) || lo < 0xdc00 || lo > 0xdfff) {
                            fail("bad surrogate pair");
                            return false;
                        }
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    }
                    putUtf8(buf, cp);
                    break;
                }
                default:
                    fail("bad escape");
                    return false;
            }
        }
    }

    QoreValue parseNumber() {
        const char* start = p;
        bool is_float = false;
        if (*p == '-') ++p;
        while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' || *p == '-') {
            if (*p == '.' || *p == 'e' || *p == 'E') {
                is_float = true;
            }
            ++p;
        }
        size_t n = p - start;
        if (!n || (n == 1 && *start == '-')) {
            fail("bad number");
            return QoreValue();
        }
        // strtoll/strtod want a terminated token; numbers are short
        char small[64];
        std::string large;
        const char* num;
        if (n < sizeof small) {
            memcpy(small, start, n);
            small[n] = '\0';
            num = small;
        } else {
            large.assign(start, n);
            num = large.c_str();
        }
        if (!is_float) {
            errno = 0;
            char* end;
            long long v = strtoll(num, &end, 10);
            if (!errno && *end == '\0') {
                return QoreValue((int64)v);
            }
        }
        char* end;
        double d = strtod(num, &end);
        if (*end) {
            fail("bad number");
            return QoreValue();
        }
        return QoreValue(d);
    }

    // The members of an object whose '{' was read, into h.
    int parseMembers(QoreHashNode* h, int depth) {
        while (true) {
            skipWs();
            if (*p != '"') {
                fail("expected a key");
                return -1;
            }
            Span k;
            if (!parseString(k)) {
                return -1;
            }
            // NUL-terminated for QoreHashNode::setKeyValue, and kept while the value reads strings of its own
            char small[64];
            std::string large;
            const char* kp;
            if (k.len < sizeof small) {
                memcpy(small, k.ptr, k.len);
                small[k.len] = '\0';
                kp = small;
            } else {
                large.assign(k.ptr, k.len);
                kp = large.c_str();
            }
            skipWs();
            if (*p != ':') {
                fail("expected ':'");
                return -1;
            }
            ++p;
            QoreValue v = parseValue(depth + 1, kp, k.len);
            if (*xsink) {
                v.discard(xsink);
                return -1;
            }
            h->setKeyValue(kp, v, xsink);
            skipWs();
            if (*p == ',') {
                ++p;
                continue;
            }
            if (*p == '}') {
                ++p;
                return 0;
            }
            fail("expected ',' or '}'");
            return -1;
        }
    }

    // The elements of an array whose '[' was read (and which is not empty), into l.
    int parseElements(QoreListNode* l, int depth, const char* k, size_t klen) {
        while (true) {
            QoreValue v = parseValue(depth + 1, k, klen);
            if (*xsink) {
                v.discard(xsink);
                return -1;
            }
            l->push(v, xsink);
            skipWs();
            if (*p == ',') {
                ++p;
                continue;
            }
            if (*p == ']') {
                ++p;
                return 0;
            }
            fail("expected ',' or ']'");
            return -1;
        }
    }

    // `k` is the key this value is under (arrays pass theirs on to their elements), NULL at the top.
    QoreValue parseValue(int depth, const char* k, size_t klen) {
        if (depth > MAX_DEPTH) {
            fail("nested too deeply");
            return QoreValue();
        }
        skipWs();
        switch (*p) {
            case '{': {
                ++p;
                ReferenceHolder<QoreHashNode> h(new QoreHashNode(autoTypeInfo), xsink);
                skipWs();
                if (*p == '}') {
                    ++p;
                    return h.release();
                }
                if (parseMembers(*h, depth)) {
                    return QoreValue();
                }
                return h.release();
            }
            case '[': {
                ++p;
                ReferenceHolder<QoreListNode> l(new QoreListNode(autoTypeInfo), xsink);
                skipWs();
                if (*p == ']') {
                    ++p;
                    return l.release();
                }
                if (parseElements(*l, depth, k, klen)) {
                    return QoreValue();
                }
                return l.release();
            }
            case '"': {
                bool instant = k && is_instant_key(k, klen);
                Span s;
                if (!parseString(s)) {
                    return QoreValue();
                }
                if (instant) {
                    if (DateTimeNode* d = parse_rfc3339(s.ptr, s.len)) {
                        return d;
                    }
                }
                return new QoreStringNode(s.ptr, s.len, QCS_UTF8);
            }
            case 't':
                if (!strncmp(p, "true", 4)) {
                    p += 4;
                    return QoreValue(true);
                }
                break;
            case 'f':
                if (!strncmp(p, "false", 5)) {
                    p += 5;
                    return QoreValue(false);
                }
                break;
            case 'n':
                if (!strncmp(p, "null", 4)) {
                    p += 4;
                    return QoreValue();
                }
                break;
            default:
                if (*p == '-' || (*p >= '0' && *p <= '9')) {
                    return parseNumber();
                }
        }
        fail("unexpected character");
        return QoreValue();
    }
};

}  // namespace

int qgcal_to_json(std::string& out, QoreValue v, ExceptionSink* xsink, const char* what) {
    return to_json(out, v, xsink, what, 0);
}

QoreValue qgcal_from_json(const char* text, ExceptionSink* xsink, const char* err) {
    if (!text || !*text) {
        return QoreValue();
    }
    Parser parser(text, xsink, err);
    return parser.parseDocument();
}

int qgcal_append_json_array(QoreListNode* out, const char* text, ExceptionSink* xsink, const char* err) {
    Parser parser(text ? text : "", xsink, err);
    return parser.appendArray(out);
}
