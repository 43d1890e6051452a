/* wf_error_set: the one way an error message is recorded. */
#include "wf.h"
#include <stdarg.h>
#include <stdio.h>

wf_status wf_error_set(wf_error *err, wf_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
