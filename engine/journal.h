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

/* Opens (creating it and its parent directory if needed) the journal for appending. */
wf_status wf_journal_open(const char *path, wf_journal **out, wf_error *err);
/* Writes record as one line and fsyncs before returning. If the file ends with a torn
 * line (a crash mid-write), a newline is written first so the new record stands alone. */
wf_status wf_journal_append(wf_journal *j, const cJSON *record, wf_error *err);
void wf_journal_close(wf_journal *j);   /* accepts NULL */

/* Visitor returns 0 to continue, non-zero to stop. */
typedef int (*wf_journal_visitor)(const cJSON *record, void *userdata);

/* Reads every complete record in order. A malformed line that is the last line (torn)
 * is skipped and *torn set to 1; a malformed line elsewhere is WF_EPARSE naming the line. */
wf_status wf_journal_read(const char *path, wf_journal_visitor visit, void *userdata,
                          int *torn, wf_error *err);
/* Same, on a buffer (used by the reader and by the fuzz target). */
wf_status wf_journal_parse(const char *buf, size_t len, wf_journal_visitor visit,
                           void *userdata, int *torn, wf_error *err);

#endif
