/* The request log: one JSON object per AWS request awssim answered (time, service,
 * operation, parameters with secrets redacted, status, error code, mutating or not),
 * kept in memory for GET /_awssim/requests and appended to --request-log FILE as JSON
 * lines. Thread-safe. */
#ifndef WF_SIM_REQUEST_LOG_H
#define WF_SIM_REQUEST_LOG_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include "wf.h"

typedef struct wf_sim_request_log wf_sim_request_log;

/* A log keeping the last `keep` entries in memory (0: 100000), and appending every entry
 * to path when path is not NULL (created or appended to). NULL with err set on failure. */
wf_sim_request_log *wf_sim_request_log_new(const char *path, size_t keep, wf_error *err);
void wf_sim_request_log_free(wf_sim_request_log *log);   /* accepts NULL */

/* Adds entry (taken over, freed here, also on failure) after setting its "seq" member
 * to the next sequence number (1, 2, ...), which it returns (0 when out of memory). */
unsigned long wf_sim_request_log_add(wf_sim_request_log *log, cJSON *entry);

/* The entries with seq > since as JSON lines (each ending in '\n'), malloc'd; *len gets
 * the length. NULL when out of memory. */
char *wf_sim_request_log_dump(wf_sim_request_log *log, unsigned long since, size_t *len);

/* Forgets the in-memory entries (the file keeps them); sequence numbers go on. */
void wf_sim_request_log_clear(wf_sim_request_log *log);

/* A copy of params with the values of secret members ("SecretAccessKey", "Password",
 * "MasterUserPassword", "SessionToken", "KeyMaterial", any name containing "Password"
 * or "Secret") replaced by "<redacted>", at any depth. NULL params give NULL. */
cJSON *wf_sim_redact(const cJSON *params);

#endif
