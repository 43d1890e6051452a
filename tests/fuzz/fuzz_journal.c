/* Fuzz target: any bytes as a journal; the parser must neither crash nor leak. */
#include "journal.h"
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks the whole record, reading every field, as resume would. */
static size_t touch(const cJSON *item)
{
    size_t n = 1;
    for (const cJSON *c = item->child; c; c = c->next) {
        if (c->string)
            n += strlen(c->string);
        if (cJSON_IsString(c))
            n += strlen(c->valuestring);
        else if (cJSON_IsNumber(c))
            n += c->valuedouble > 0;
        n += touch(c);
    }
    return n;
}

static int visit(const cJSON *record, void *userdata)
{
    const cJSON *event = cJSON_GetObjectItemCaseSensitive(record, "event");
    size_t *total = userdata;
    if (cJSON_IsString(event))
        *total += strlen(event->valuestring);
    *total += touch(record);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    int torn = 0;
    wf_error err;
    wf_status st = wf_journal_parse((const char *)data, size, visit, &total, &torn, &err);
    /* The contract: parse errors only, and torn is a boolean. */
    if (st != WF_OK && st != WF_EPARSE && st != WF_ENOMEM)
        __builtin_trap();
    if (torn != 0 && torn != 1)
        __builtin_trap();
    return 0;
}
