/* The run journal: JSON lines, one record per state transition, fsync'ed per record.
 *
 * A kill -9 can leave a torn last line; readers ignore it (and say so), never fail on it.
 * Ownership: records passed to append are only read; records passed to a visitor are
 * owned by the reader and freed after the visitor returns.
 */
#ifndef WF_JOURNAL_H
#define WF_JOURNAL_H
#include <cjson/cJSON.h>
#include "wf.h"

typedef struct wf_journal wf_journal;

/* Opens (creating it, mode 0600, and its parent directories, 0700, if needed) the journal
 * for appending. One writer at a time: the run lock sees to that. If the file ends with a
 * torn tail (a crash mid-write), open cuts it off, so the next record stands alone on its
 * line; readers skip that tail anyway, so they see the same records before and after. */
wf_status wf_journal_open(const char *path, wf_journal **out, wf_error *err);
/* Writes record (a JSON object) as one line and fsyncs before returning. After a failed
 * fsync the journal refuses further appends (what reached the disk is unknown). */
wf_status wf_journal_append(wf_journal *j, const cJSON *record, wf_error *err);
void wf_journal_close(wf_journal *j);   /* accepts NULL */

/* Visitor returns 0 to continue, non-zero to stop. */
typedef int (*wf_journal_visitor)(const cJSON *record, void *userdata);

/* Reads every complete record in order. Blank lines are ignored. A malformed last line
 * (torn: no newline, or not a JSON object), like any malformed line after the last record,
 * is skipped and *torn set to 1 (torn may be NULL); a malformed line followed by a record
 * is WF_EPARSE naming the line ("journal <path>:<line>: not a JSON object"), and then
 * the visitor sees no record at all.
 * A missing file is WF_ENOTFOUND. */
wf_status wf_journal_read(const char *path, wf_journal_visitor visit, void *userdata,
                          int *torn, wf_error *err);
/* Same, on a buffer (used by the reader and by the fuzz target). */
wf_status wf_journal_parse(const char *buf, size_t len, wf_journal_visitor visit,
                           void *userdata, int *torn, wf_error *err);

/* Filesystem helpers for durable state files, shared with the lock. */
/* mkdir -p of dirname(path), mode 0700; each new directory's entry is fsync'ed. */
wf_status wf_mkdir_parents(const char *path, wf_error *err);
/* An O_RDONLY|O_DIRECTORY descriptor of dirname(path), or -1 with errno set. */
int wf_open_parent_dir(const char *path);
/* fsyncs dirname(path), making a created, renamed or removed entry durable. */
wf_status wf_fsync_parent(const char *path, wf_error *err);

#endif
