/* File-system helpers shared by C modules (the Lua side is module "wf.sys"). */
#ifndef WF_SYS_H
#define WF_SYS_H
#include <stddef.h>
#include "wf.h"

/* mkdir -p with mode 0700 (state holds journals that may name resources). */
wf_status wf_mkdir_p(const char *path, wf_error *err);
/* Writes data to path via a temp file, fsync and rename: never a half-written file. */
wf_status wf_write_file_atomic(const char *path, const char *data, size_t len, wf_error *err);

#endif
