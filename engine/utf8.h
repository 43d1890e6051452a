/* UTF-8 sanitising: whatever bytes come in, valid UTF-8 goes out. */
#ifndef WF_UTF8_H
#define WF_UTF8_H
#include <stddef.h>

/* Returns a malloc'ed NUL-terminated copy of in[0..len) in which every invalid or
 * truncated sequence, overlong form, surrogate and NUL byte is replaced by U+FFFD.
 * *out_len (if not NULL) receives its length. Returns NULL only when out of memory. */
char *wf_utf8_sanitize(const char *in, size_t len, size_t *out_len);

/* 1 when in[0..len) is valid UTF-8 with no NUL byte. */
int wf_utf8_valid(const char *in, size_t len);

#endif
