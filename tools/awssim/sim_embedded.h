/* The Lua sources of tools/awssim/lua (the dispatcher, the world, the resource models),
 * compiled into the awssim binary by tools/awssim/embed_sim.cmake. */
#ifndef WF_SIM_EMBEDDED_H
#define WF_SIM_EMBEDDED_H
#include <stddef.h>

typedef struct wf_sim_embedded_file {
    const char *module;   /* "services.s3" */
    const char *path;     /* "awssim/lua/services/s3.lua", for chunk names */
    const char *bytes;    /* NUL-terminated; owned by the binary */
    size_t length;
} wf_sim_embedded_file;

/* Terminated by an entry whose module is NULL. */
extern const wf_sim_embedded_file wf_sim_embedded_files[];

#endif
