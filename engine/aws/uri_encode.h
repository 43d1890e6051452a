/* AWS URI encoding (RFC 3986 unreserved kept, every other byte %XX uppercase) and decoding.
 * Ownership: every returned string is malloc'd and the caller frees it; NULL means ENOMEM. */
#ifndef WF_URI_ENCODE_H
#define WF_URI_ENCODE_H
#include <stdbool.h>
#include <stddef.h>

/* True for A-Z a-z 0-9 - . _ ~, the bytes AWS never encodes. */
bool wf_uri_is_unreserved(unsigned char c);

/* Encodes len bytes of s (NUL bytes included). keep_slash keeps '/' as is: the variant for
 * paths; without it '/' becomes %2F, as query names and values need. Returns a NUL-terminated
 * string. '%' is encoded like any other byte, so encoding an encoded string encodes it twice. */
char *wf_uri_encode(const char *s, size_t len, bool keep_slash);

/* Decodes %XX escapes (either hex case) in len bytes of s; a '%' not followed by two hex
 * digits stays a literal '%'; '+' stays '+'. The result may hold NUL bytes: *out_len
 * (if not NULL) gets its length; it is also NUL-terminated. */
char *wf_uri_decode(const char *s, size_t len, size_t *out_len);

#endif
