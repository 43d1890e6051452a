/* The Lua sources of dsl/ and stdlib/, compiled into the binary (tools/embed.cmake). */
#ifndef WF_EMBEDDED_H
#define WF_EMBEDDED_H
#include <stddef.h>

typedef struct wf_embedded_file {
    const char *module;   /* "dsl.plan" */
    const char *path;     /* "dsl/plan.lua", relative to the source tree */
    const char *bytes;    /* NUL-terminated; owned by the binary */
    size_t length;
} wf_embedded_file;

/* Terminated by an entry whose module is NULL. */
extern const wf_embedded_file wf_embedded_files[];

#endif
