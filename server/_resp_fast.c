/* The request parser's fast path in C: leading commands that are arrays of bulk strings.
 *
 * Same contract as server.resp._parse_simple (the pure-Python fast path, used when this module is not
 * built): parse(buf, max_bulk_len) returns (commands, offset) for the commands at the start of buf that
 * are complete and unambiguous, and stops at anything else -- an incomplete command, a non-canonical or
 * negative header, a missing CR LF, an inline command -- leaving it to the full Python parser, which
 * owns every protocol error and its exact text. This file therefore decides nothing a client can see;
 * it only makes the common case cheap (one C call per read batch instead of a Python loop). No I/O.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* A canonical non-negative decimal (no sign, no leading zero, at most 18 digits) ending at CR LF.
 * Returns the value and sets *next past the LF, or -1 when the header is anything else. */
static long long
read_header(const char *p, const char *end, const char **next)
{
    const char *start = p;
    long long value = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        if (p - start == 18)
            return -1;
        value = value * 10 + (*p - '0');
        p++;
    }
    if (p == start || (*start == '0' && p - start > 1))
        return -1;
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
        return -1;
    *next = p + 2;
    return value;
}

/* One command at p: a new list of its arguments and *next past it, or NULL (no exception set) when
 * the bytes at p are not a complete command the fast path takes. */
static PyObject *
parse_command(const char *p, const char *end, long long max_bulk_len, const char **next)
{
    if (p >= end || *p != '*')
        return NULL;
    long long count = read_header(p + 1, end, &p);
    /* Every argument takes at least 6 bytes ("$0\r\n\r\n"): a count the buffer cannot hold yet is
     * left incomplete before anything is allocated for it. */
    if (count < 1 || count > (end - p) / 6)
        return NULL;
    PyObject *argv = PyList_New((Py_ssize_t)count);
    if (argv == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < (Py_ssize_t)count; i++) {
        long long size;
        if (p >= end || *p != '$' || (size = read_header(p + 1, end, &p)) < 0 || size > max_bulk_len
            || end - p < size + 2 || p[size] != '\r' || p[size + 1] != '\n') {
            Py_DECREF(argv);
            return NULL;
        }
        PyObject *arg = PyBytes_FromStringAndSize(p, (Py_ssize_t)size);
        if (arg == NULL) {
            Py_DECREF(argv);
            return NULL;
        }
        PyList_SET_ITEM(argv, i, arg);
        p += size + 2;
    }
    *next = p;
    return argv;
}

static PyObject *
fast_parse(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "parse(buf: bytes, max_bulk_len: int)");
        return NULL;
    }
    long long max_bulk_len = PyLong_AsLongLong(args[1]);
    if (max_bulk_len == -1 && PyErr_Occurred())
        return NULL;
    const char *base = PyBytes_AS_STRING(args[0]);
    const char *p = base, *end = base + PyBytes_GET_SIZE(args[0]);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    while (p < end) {
        const char *next = p;
        PyObject *argv = parse_command(p, end, max_bulk_len, &next);
        if (argv == NULL) {
            if (PyErr_Occurred()) { /* out of memory, never a protocol matter */
                Py_DECREF(out);
                return NULL;
            }
            break;
        }
        int failed = PyList_Append(out, argv);
        Py_DECREF(argv);
        if (failed) {
            Py_DECREF(out);
            return NULL;
        }
        p = next;
    }
    return Py_BuildValue("(Nn)", out, (Py_ssize_t)(p - base));
}

static PyMethodDef methods[] = {
    {"parse", (PyCFunction)(void (*)(void))fast_parse, METH_FASTCALL,
     "parse(buf, max_bulk_len) -> (commands, offset): the leading complete arrays of bulk strings."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_resp_fast", "The request parser's fast path (see server/resp.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__resp_fast(void)
{
    return PyModule_Create(&module_def);
}
