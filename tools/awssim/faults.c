/* Fault rules: parsing (JSON or key=value specs), matching and counting per call. */
#include "faults.h"
#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rule {
    int id;
    char *service;            /* NULL: any */
    char *operation;          /* NULL: any */
    char *step;               /* NULL: any */
    int mutating;             /* -1: any, else 0 or 1 */
    wf_sim_fault_kind kind;   /* NONE for a latency-only rule */
    char *code, *message;     /* error (code) and its message, or NULL */
    int status;
    unsigned latency_ms;
    unsigned long nth, count; /* nth > 0: calls nth .. nth+count-1 */
    double probability;       /* < 0: unused */
    double share;             /* < 0: unused */
    double acc;               /* share accumulator */
    unsigned long calls, fired;
} rule;

struct wf_sim_faults {
    pthread_mutex_t lock;
    rule *rules;
    size_t count, cap;
    int next_id;
    unsigned long long rng;
};

static void rule_free(rule *r)
{
    free(r->service);
    free(r->operation);
    free(r->step);
    free(r->code);
    free(r->message);
    memset(r, 0, sizeof *r);
}

wf_sim_faults *wf_sim_faults_new(unsigned long seed)
{
    wf_sim_faults *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->lock, NULL);
    f->next_id = 1;
    f->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    return f;
}

void wf_sim_faults_free(wf_sim_faults *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        rule_free(&f->rules[i]);
    free(f->rules);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* xorshift64*: enough randomness for "fail 10% of calls", reproducible from the seed. */
static double next_random(wf_sim_faults *f)
{
    unsigned long long x = f->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    f->rng = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bool is_number(const cJSON *v, double lo, double hi)
{
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= lo &&
           v->valuedouble <= hi;
}

/* Reads one rule object into r (zeroed by the caller); WF_EINVAL names the bad key. */
static wf_status parse_rule(const cJSON *obj, rule *r, wf_error *err)
{
    if (!cJSON_IsObject(obj))
        return wf_error_set(err, WF_EINVAL, "fault: a rule must be a JSON object");
    r->probability = -1;
    r->share = -1;
    r->mutating = -1;
    bool has_trigger = false, oom = false;
    const char *op = NULL, *service = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        const char *k = item->string;
        if (strcmp(k, "service") == 0) {
            if (!cJSON_IsString(item) || !*item->valuestring)
                return wf_error_set(err, WF_EINVAL, "fault: service must be a name");
            service = item->valuestring;
        } else if (strcmp(k, "operation") == 0 || strcmp(k, "op") == 0) {
            if (!cJSON_IsString(item) || !*item->valuestring)
                return wf_error_set(err, WF_EINVAL, "fault: %s must be a name or \"*\"", k);
            op = item->valuestring;
        } else if (strcmp(k, "step") == 0) {
            if (!cJSON_IsString(item) || !*item->valuestring)
                return wf_error_set(err, WF_EINVAL, "fault: step must be a wfrun step name");
            free(r->step);
            r->step = strdup(item->valuestring);
            oom |= !r->step;
        } else if (strcmp(k, "mutating") == 0) {
            if (!cJSON_IsBool(item))
                return wf_error_set(err, WF_EINVAL, "fault: mutating must be true or false");
            r->mutating = cJSON_IsTrue(item);
        } else if (strcmp(k, "error") == 0) {
            if (!cJSON_IsString(item) || !*item->valuestring || strlen(item->valuestring) >= 128)
                return wf_error_set(err, WF_EINVAL, "fault: error must be an AWS error code");
            if (r->kind != WF_SIM_FAULT_NONE && r->kind != WF_SIM_FAULT_THROTTLE)
                return wf_error_set(err, WF_EINVAL, "fault: error and drop exclude each other");
            r->kind = WF_SIM_FAULT_ERROR;
            free(r->code);
            r->code = strdup(item->valuestring);
            oom |= !r->code;
        } else if (strcmp(k, "status") == 0) {
            if (!is_number(item, 100, 599))
                return wf_error_set(err, WF_EINVAL, "fault: status must be an HTTP status");
            r->status = (int)item->valuedouble;
        } else if (strcmp(k, "message") == 0) {
            if (!cJSON_IsString(item))
                return wf_error_set(err, WF_EINVAL, "fault: message must be a string");
            free(r->message);
            r->message = strdup(item->valuestring);
            oom |= !r->message;
        } else if (strcmp(k, "throttle") == 0) {
            if (cJSON_IsFalse(item))
                continue;
            if (!cJSON_IsTrue(item) && !(is_number(item, 0, 1) && item->valuedouble > 0))
                return wf_error_set(err, WF_EINVAL, "fault: throttle must be true or a share in (0, 1]");
            if (r->kind == WF_SIM_FAULT_DROP)
                return wf_error_set(err, WF_EINVAL, "fault: throttle and drop exclude each other");
            if (r->kind == WF_SIM_FAULT_NONE)
                r->kind = WF_SIM_FAULT_THROTTLE;
            if (cJSON_IsNumber(item) && item->valuedouble < 1) {
                if (has_trigger)
                    return wf_error_set(err, WF_EINVAL, "fault: only one of nth, probability, share");
                r->share = item->valuedouble;
                has_trigger = true;
            }
        } else if (strcmp(k, "drop") == 0) {
            if (cJSON_IsFalse(item))
                continue;
            if (!cJSON_IsTrue(item) && !(cJSON_IsNumber(item) && item->valuedouble == 1))
                return wf_error_set(err, WF_EINVAL, "fault: drop must be true");
            if (r->kind != WF_SIM_FAULT_NONE)
                return wf_error_set(err, WF_EINVAL, "fault: drop excludes error and throttle");
            r->kind = WF_SIM_FAULT_DROP;
        } else if (strcmp(k, "latency_ms") == 0 || strcmp(k, "latency") == 0) {
            if (!is_number(item, 0, 600000))
                return wf_error_set(err, WF_EINVAL, "fault: %s must be 0..600000 ms", k);
            r->latency_ms = (unsigned)item->valuedouble;
        } else if (strcmp(k, "nth") == 0 || strcmp(k, "probability") == 0 ||
                   strcmp(k, "p") == 0 || strcmp(k, "share") == 0) {
            if (has_trigger)
                return wf_error_set(err, WF_EINVAL, "fault: only one of nth, probability, share");
            has_trigger = true;
            if (strcmp(k, "nth") == 0) {
                if (!is_number(item, 1, 1e15) || item->valuedouble != floor(item->valuedouble))
                    return wf_error_set(err, WF_EINVAL, "fault: nth must be a whole number >= 1");
                r->nth = (unsigned long)item->valuedouble;
            } else if (!is_number(item, 0, 1)) {
                return wf_error_set(err, WF_EINVAL, "fault: %s must be between 0 and 1", k);
            } else if (strcmp(k, "share") == 0) {
                r->share = item->valuedouble;
            } else {
                r->probability = item->valuedouble;
            }
        } else if (strcmp(k, "count") == 0) {
            if (!is_number(item, 1, 1e15) || item->valuedouble != floor(item->valuedouble))
                return wf_error_set(err, WF_EINVAL, "fault: count must be a whole number >= 1");
            r->count = (unsigned long)item->valuedouble;
        } else {
            return wf_error_set(err, WF_EINVAL, "fault: unknown key \"%s\" (service, operation, "
                                "step, mutating, error, status, message, throttle, drop, latency_ms, nth, "
                                "count, probability, share)", k);
        }
    }
    if (r->kind == WF_SIM_FAULT_NONE && r->latency_ms == 0)
        return wf_error_set(err, WF_EINVAL,
                            "fault: a rule needs an effect: error, throttle, drop or latency_ms");
    if (r->count && !r->nth)
        return wf_error_set(err, WF_EINVAL, "fault: count goes with nth");
    if (r->nth && !r->count)
        r->count = 1;
    if ((r->status || r->message) && r->kind != WF_SIM_FAULT_ERROR &&
        r->kind != WF_SIM_FAULT_THROTTLE)
        return wf_error_set(err, WF_EINVAL, "fault: status and message go with error or throttle");
    /* "ec2:RunInstances" names the service too. */
    const char *colon = op ? strchr(op, ':') : NULL;
    if (colon) {
        if (service || colon == op || !colon[1])
            return wf_error_set(err, WF_EINVAL, "fault: operation \"%s\": use service:Operation "
                                "or the service key, not both", op);
        r->service = strndup(op, (size_t)(colon - op));
        r->operation = strcmp(colon + 1, "*") == 0 ? NULL : strdup(colon + 1);
        oom |= !r->service || (strcmp(colon + 1, "*") != 0 && !r->operation);
    } else {
        r->service = dup_or_null(service);
        r->operation = (op && strcmp(op, "*") != 0) ? strdup(op) : NULL;
        oom |= (service && !r->service) || (op && strcmp(op, "*") != 0 && !r->operation);
    }
    if (oom)
        return wf_error_set(err, WF_ENOMEM, "fault: out of memory");
    return WF_OK;
}

wf_status wf_sim_faults_add_json(wf_sim_faults *f, const cJSON *rules, int *first_id,
                                 wf_error *err)
{
    assert(f);
    size_t n = cJSON_IsArray(rules) ? (size_t)cJSON_GetArraySize(rules) : 1;
    if (n == 0)
        return wf_error_set(err, WF_EINVAL, "fault: no rules given");
    rule *parsed = calloc(n, sizeof *parsed);
    if (!parsed)
        return wf_error_set(err, WF_ENOMEM, "fault: out of memory");
    wf_status st = WF_OK;
    if (cJSON_IsArray(rules)) {
        size_t i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, rules) {
            st = parse_rule(item, &parsed[i++], err);
            if (st != WF_OK)
                break;
        }
    } else {
        st = parse_rule(rules, &parsed[0], err);
    }
    pthread_mutex_lock(&f->lock);
    if (st == WF_OK && f->count + n > f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        while (cap < f->count + n)
            cap *= 2;
        rule *grown = realloc(f->rules, cap * sizeof *grown);
        if (grown) {
            f->rules = grown;
            f->cap = cap;
        } else {
            st = wf_error_set(err, WF_ENOMEM, "fault: out of memory");
        }
    }
    if (st == WF_OK) {
        if (first_id)
            *first_id = f->next_id;
        for (size_t i = 0; i < n; i++) {
            parsed[i].id = f->next_id++;
            f->rules[f->count++] = parsed[i];
        }
    } else {
        for (size_t i = 0; i < n; i++)
            rule_free(&parsed[i]);
    }
    pthread_mutex_unlock(&f->lock);
    free(parsed);
    return st;
}

/* "op=RunInstances,error=X,nth=2" as a JSON object; values typed where they look typed. */
static cJSON *spec_to_json(const char *spec, wf_error *err)
{
    cJSON *obj = cJSON_CreateObject();
    char *copy = strdup(spec);
    if (!obj || !copy) {
        cJSON_Delete(obj);
        free(copy);
        wf_error_set(err, WF_ENOMEM, "fault: out of memory");
        return NULL;
    }
    char *save = NULL;
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(part, '=');
        if (!eq || eq == part) {
            wf_error_set(err, WF_EINVAL, "fault: \"%s\" is not key=value", part);
            goto fail;
        }
        *eq = '\0';
        const char *v = eq + 1;
        char *end = NULL;
        double num = strtod(v, &end);
        cJSON *value;
        if (*v && end && !*end && !isspace((unsigned char)*v))
            value = cJSON_CreateNumber(num);
        else if (strcmp(v, "true") == 0)
            value = cJSON_CreateTrue();
        else if (strcmp(v, "false") == 0)
            value = cJSON_CreateFalse();
        else
            value = cJSON_CreateString(v);
        if (!value || !cJSON_AddItemToObject(obj, part, value)) {
            cJSON_Delete(value);
            wf_error_set(err, WF_ENOMEM, "fault: out of memory");
            goto fail;
        }
    }
    free(copy);
    return obj;
fail:
    free(copy);
    cJSON_Delete(obj);
    return NULL;
}

wf_status wf_sim_faults_add_spec(wf_sim_faults *f, const char *spec, int *id, wf_error *err)
{
    while (isspace((unsigned char)*spec))
        spec++;
    cJSON *json;
    if (*spec == '{' || *spec == '[') {
        json = cJSON_Parse(spec);
        if (!json)
            return wf_error_set(err, WF_EINVAL, "fault: \"%s\" is not valid JSON", spec);
    } else {
        json = spec_to_json(spec, err);
        if (!json)
            return err ? err->code : WF_EINVAL;
    }
    wf_status st = wf_sim_faults_add_json(f, json, id, err);
    cJSON_Delete(json);
    return st;
}

wf_status wf_sim_faults_remove(wf_sim_faults *f, int id)
{
    wf_status st = WF_ENOTFOUND;
    pthread_mutex_lock(&f->lock);
    size_t kept = 0;
    for (size_t i = 0; i < f->count; i++) {
        if (id == 0 || f->rules[i].id == id) {
            rule_free(&f->rules[i]);
            st = WF_OK;
        } else {
            f->rules[kept++] = f->rules[i];
        }
    }
    f->count = kept;
    pthread_mutex_unlock(&f->lock);
    return id == 0 ? WF_OK : st;
}

static const char *kind_name(wf_sim_fault_kind k)
{
    switch (k) {
    case WF_SIM_FAULT_ERROR: return "error";
    case WF_SIM_FAULT_THROTTLE: return "throttle";
    case WF_SIM_FAULT_DROP: return "drop";
    default: return "latency";
    }
}

cJSON *wf_sim_faults_to_json(wf_sim_faults *f)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return NULL;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->count; i++) {
        const rule *r = &f->rules[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            break;
        }
        cJSON_AddNumberToObject(o, "id", r->id);
        cJSON_AddStringToObject(o, "effect", kind_name(r->kind));
        if (r->service)
            cJSON_AddStringToObject(o, "service", r->service);
        cJSON_AddStringToObject(o, "operation", r->operation ? r->operation : "*");
        if (r->step)
            cJSON_AddStringToObject(o, "step", r->step);
        if (r->mutating >= 0)
            cJSON_AddBoolToObject(o, "mutating", r->mutating);
        if (r->code)
            cJSON_AddStringToObject(o, "error", r->code);
        if (r->status)
            cJSON_AddNumberToObject(o, "status", r->status);
        if (r->message)
            cJSON_AddStringToObject(o, "message", r->message);
        if (r->latency_ms)
            cJSON_AddNumberToObject(o, "latency_ms", r->latency_ms);
        if (r->nth) {
            cJSON_AddNumberToObject(o, "nth", (double)r->nth);
            cJSON_AddNumberToObject(o, "count", (double)r->count);
        }
        if (r->probability >= 0)
            cJSON_AddNumberToObject(o, "probability", r->probability);
        if (r->share >= 0)
            cJSON_AddNumberToObject(o, "share", r->share);
        cJSON_AddNumberToObject(o, "calls", (double)r->calls);
        cJSON_AddNumberToObject(o, "fired", (double)r->fired);
    }
    pthread_mutex_unlock(&f->lock);
    return arr;
}

static bool matches(const rule *r, const wf_sim_fault_call *c)
{
    if (r->service && (!c->service || strcmp(r->service, c->service) != 0))
        return false;
    if (r->operation && (!c->operation || strcmp(r->operation, c->operation) != 0))
        return false;
    if (r->step && (!c->step || strcmp(r->step, c->step) != 0))
        return false;
    if (r->mutating >= 0 && r->mutating != (c->mutating != 0))
        return false;
    return true;
}

/* Counts the call and says whether the rule's trigger fires on it. */
static bool fires(wf_sim_faults *f, rule *r)
{
    r->calls++;
    if (r->nth)
        return r->calls >= r->nth && r->calls - r->nth < r->count;
    if (r->probability >= 0)
        return next_random(f) < r->probability;
    if (r->share >= 0) {
        /* Deterministic: the accumulator crosses 1 on exactly share of the calls. */
        r->acc += r->share;
        if (r->acc >= 1 - 1e-9) {
            r->acc -= 1;
            return true;
        }
        return false;
    }
    return true;
}

void wf_sim_faults_check(wf_sim_faults *f, const wf_sim_fault_call *call,
                         wf_sim_fault_outcome *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->count; i++) {
        rule *r = &f->rules[i];
        if (!matches(r, call) || !fires(f, r))
            continue;
        r->fired++;
        out->latency_ms += r->latency_ms;
        if (r->kind == WF_SIM_FAULT_NONE || out->kind != WF_SIM_FAULT_NONE)
            continue;
        out->kind = r->kind;
        out->status = r->status;
        out->rule_id = r->id;
        if (r->code)
            snprintf(out->code, sizeof out->code, "%s", r->code);
        if (r->message)
            snprintf(out->message, sizeof out->message, "%s", r->message);
        else
            snprintf(out->message, sizeof out->message, "awssim: fault injected by rule %d",
                     r->id);
    }
    pthread_mutex_unlock(&f->lock);
}
