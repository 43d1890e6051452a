/* The request log: a bounded in-memory list of JSON lines plus an append-only file. */
#include "request_log.h"
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lua_json.h"

typedef struct entry {
    unsigned long seq;
    char *line;          /* JSON text without the newline */
    size_t len;
} entry;

struct wf_sim_request_log {
    pthread_mutex_t lock;
    FILE *file;          /* NULL without --request-log */
    entry *items;        /* oldest first */
    size_t count, cap, keep;
    unsigned long next_seq;
};

wf_sim_request_log *wf_sim_request_log_new(const char *path, size_t keep, wf_error *err)
{
    wf_sim_request_log *log = calloc(1, sizeof *log);
    if (!log) {
        wf_error_set(err, WF_ENOMEM, "request log: out of memory");
        return NULL;
    }
    pthread_mutex_init(&log->lock, NULL);
    log->keep = keep ? keep : 100000;
    log->next_seq = 1;
    if (path) {
        log->file = fopen(path, "a");
        if (!log->file) {
            wf_error_set(err, WF_EIO, "request log %s: %s", path, strerror(errno));
            wf_sim_request_log_free(log);
            return NULL;
        }
    }
    return log;
}

static void drop_entries(wf_sim_request_log *log, size_t n)
{
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        free(log->items[i].line);
    memmove(log->items, log->items + n, (log->count - n) * sizeof *log->items);
    log->count -= n;
}

void wf_sim_request_log_free(wf_sim_request_log *log)
{
    if (!log)
        return;
    drop_entries(log, log->count);
    free(log->items);
    if (log->file)
        fclose(log->file);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

unsigned long wf_sim_request_log_add(wf_sim_request_log *log, cJSON *entry_json)
{
    unsigned long seq = 0;
    pthread_mutex_lock(&log->lock);
    cJSON_DeleteItemFromObject(entry_json, "seq");
    if (!cJSON_AddNumberToObject(entry_json, "seq", (double)log->next_seq))
        goto done;
    char *line = wf_json_print(entry_json, 0);
    if (!line)
        goto done;
    if (log->count == log->keep)
        drop_entries(log, log->keep / 2 ? log->keep / 2 : 1);   /* amortised trimming */
    if (log->count == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 256;
        entry *grown = realloc(log->items, cap * sizeof *grown);
        if (!grown) {
            free(line);
            goto done;
        }
        log->items = grown;
        log->cap = cap;
    }
    seq = log->next_seq++;
    size_t len = strlen(line);
    log->items[log->count++] = (entry){seq, line, len};
    if (log->file) {
        /* One write per line, flushed, so a test reading the file sees whole lines. */
        fprintf(log->file, "%s\n", line);
        fflush(log->file);
    }
done:
    pthread_mutex_unlock(&log->lock);
    cJSON_Delete(entry_json);
    return seq;
}

char *wf_sim_request_log_dump(wf_sim_request_log *log, unsigned long since, size_t *len)
{
    pthread_mutex_lock(&log->lock);
    size_t total = 0;
    for (size_t i = 0; i < log->count; i++)
        if (log->items[i].seq > since)
            total += log->items[i].len + 1;
    char *out = malloc(total + 1);
    if (out) {
        size_t at = 0;
        for (size_t i = 0; i < log->count; i++) {
            if (log->items[i].seq <= since)
                continue;
            memcpy(out + at, log->items[i].line, log->items[i].len);
            at += log->items[i].len;
            out[at++] = '\n';
        }
        out[at] = '\0';
        *len = at;
    }
    pthread_mutex_unlock(&log->lock);
    return out;
}

void wf_sim_request_log_clear(wf_sim_request_log *log)
{
    pthread_mutex_lock(&log->lock);
    drop_entries(log, log->count);
    pthread_mutex_unlock(&log->lock);
}

/* Case-insensitive "needle occurs in haystack" (strcasestr is a GNU extension). */
static bool contains_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (strncasecmp(haystack, needle, n) == 0)
            return true;
    return false;
}

static bool is_secret_name(const char *name)
{
    static const char *const exact[] = {"SessionToken", "KeyMaterial", "PrivateKey",
                                        "SecretString", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcmp(name, exact[i]) == 0)
            return true;
    return contains_nocase(name, "password") || contains_nocase(name, "secret");
}

static void redact_in_place(cJSON *node)
{
    cJSON *child;
    cJSON_ArrayForEach(child, node) {
        if (child->string && is_secret_name(child->string) && !cJSON_IsObject(child) &&
            !cJSON_IsArray(child)) {
            /* Overwrite in place: the item keeps its key and its place in the list. */
            cJSON *r = cJSON_CreateString("<redacted>");
            if (r) {
                r->string = child->string;
                r->type |= child->type & cJSON_StringIsConst;
                child->string = NULL;
                cJSON_ReplaceItemViaPointer(node, child, r);
                child = r;
            }
        } else if (cJSON_IsObject(child) || cJSON_IsArray(child)) {
            redact_in_place(child);
        }
    }
}

cJSON *wf_sim_redact(const cJSON *params)
{
    if (!params)
        return NULL;
    cJSON *copy = cJSON_Duplicate(params, 1);
    if (copy)
        redact_in_place(copy);
    return copy;
}
