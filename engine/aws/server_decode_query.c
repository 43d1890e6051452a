/* Reading query and ec2 requests: the form (body, and the URL's query string) becomes a
 * sorted list of decoded name=value pairs, and the input shape is walked over it,
 * building each member's dotted key as serialize_query.c does (Name.member.N,
 * Name.N for ec2 and flattened lists, Name.entry.N.key/value, queryName and the
 * capitalised locationName for ec2) and reading what is there. */
#include "aws/server_internal.h"
#include "aws/uri_encode.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct form_pair {
    char *name, *value;
    size_t value_len;
    size_t order;   /* position on the wire: the first of a repeated name wins */
    bool used;      /* read into params; what is left over names no member */
} form_pair;

typedef struct form {
    form_pair *items;
    size_t n, cap;
} form;

typedef struct query_ctx {
    wf_aws_ser *s;
    bool ec2;
    form *f;
    wf_aws_buf key;   /* the dotted name being looked at: "Filter.1.Value" */
} query_ctx;

static wf_status oom(wf_aws_ser *s)
{
    return wf_sim_fail(s, WF_ENOMEM, "out of memory");
}

/* Hands v over as *out; NULL (no memory) is WF_ENOMEM. */
static wf_status give(wf_aws_ser *s, cJSON *v, cJSON **out)
{
    *out = v;
    return v ? WF_OK : oom(s);
}

static void form_free(form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->items[i].name);
        free(f->items[i].value);
    }
    free(f->items);
    memset(f, 0, sizeof *f);
}

/* application/x-www-form-urlencoded: '+' is a space, then %XX escapes. */
static char *form_decode(const char *s, size_t len, size_t *out_len)
{
    char *plus = malloc(len + 1);
    if (!plus)
        return NULL;
    for (size_t i = 0; i < len; i++)
        plus[i] = s[i] == '+' ? ' ' : s[i];
    plus[len] = '\0';
    char *out = wf_uri_decode(plus, len, out_len);
    free(plus);
    return out;
}

static bool form_add_all(form *f, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t part = amp ? (size_t)(amp - (s + i)) : len - i;
        if (part) {
            const char *p = s + i;
            const char *eq = memchr(p, '=', part);
            size_t nlen = eq ? (size_t)(eq - p) : part;
            if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 32;
                form_pair *grown = realloc(f->items, cap * sizeof *grown);
                if (!grown)
                    return false;
                f->items = grown;
                f->cap = cap;
            }
            form_pair *fp = &f->items[f->n];
            fp->name = form_decode(p, nlen, NULL);
            fp->value = eq ? form_decode(eq + 1, part - nlen - 1, &fp->value_len)
                           : form_decode("", 0, &fp->value_len);
            fp->order = f->n;
            fp->used = false;
            f->n++;
            if (!fp->name || !fp->value)
                return false;
        }
        i += part + 1;
    }
    return true;
}

static int pair_cmp(const void *a, const void *b)
{
    const form_pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Index of the first name >= key. */
static size_t lower_bound(const form *f, const char *key)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(f->items[mid].name, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const form_pair *form_get(const form *f, const char *key)
{
    size_t i = lower_bound(f, key);
    return i < f->n && strcmp(f->items[i].name, key) == 0 ? &f->items[i] : NULL;
}

/* form_get, marking the pair (and any repeat of its name) as read. */
static const form_pair *form_take(form *f, const char *key)
{
    size_t i = lower_bound(f, key);
    if (i >= f->n || strcmp(f->items[i].name, key) != 0)
        return NULL;
    for (size_t j = i; j < f->n && strcmp(f->items[j].name, key) == 0; j++)
        f->items[j].used = true;
    return &f->items[i];
}

/* Is there a name "key.<anything>"? */
static bool form_has_children(const form *f, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = lower_bound(f, key); i < f->n; i++) {
        const char *name = f->items[i].name;
        if (strncmp(name, key, klen) != 0)
            return false;
        if (name[klen] == '.')
            return true;
    }
    return false;
}

static const char *cur_key(const query_ctx *q)
{
    return q->key.data ? q->key.data : "";
}

static bool present(const query_ctx *q)
{
    return form_get(q->f, cur_key(q)) || form_has_children(q->f, cur_key(q));
}

static size_t key_push(query_ctx *q, const char *part)
{
    size_t old = q->key.len;
    if (old)
        wf_aws_buf_append(&q->key, ".", 1);
    wf_aws_buf_puts(&q->key, part);
    return old;
}

static size_t key_push_index(query_ctx *q, size_t i)
{
    size_t old = q->key.len;
    wf_aws_buf_printf(&q->key, "%s%zu", old ? "." : "", i);
    return old;
}

static void key_pop(query_ctx *q, size_t len)
{
    q->key.len = len;
    if (q->key.data)
        q->key.data[len] = '\0';
}

/* The wire name of a member or of a map's key/value, as serialize_query.c names it. */
static void wire_name(const query_ctx *q, const cJSON *ref, const char *fallback,
                      bool capitalise_fallback, char *out, size_t n)
{
    const char *loc = wf_aws_jstr(ref, "locationName");
    if (!q->ec2) {
        snprintf(out, n, "%s", loc ? loc : fallback);
        return;
    }
    const char *query_name = wf_aws_jstr(ref, "queryName");
    if (query_name) {
        snprintf(out, n, "%s", query_name);
        return;
    }
    snprintf(out, n, "%s", loc ? loc : fallback);
    if (loc || capitalise_fallback)
        out[0] = (char)toupper((unsigned char)out[0]);
}

static wf_status decode_value(query_ctx *q, const cJSON *ref, const cJSON *shape, cJSON **out,
                              int depth);

static wf_status decode_structure(query_ctx *q, const cJSON *shape, cJSON **out, int depth)
{
    if (q->key.len && !form_has_children(q->f, cur_key(q)))
        return WF_OK;   /* absent */
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return oom(q->s);
    const cJSON *ref;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItemCaseSensitive(shape, "members")) {
        const cJSON *target = wf_aws_ser_target(q->s, ref);
        if (!target) {
            cJSON_Delete(obj);
            return WF_EPARSE;
        }
        char name[256];
        wire_name(q, ref, ref->string, true, name, sizeof name);
        size_t path = wf_aws_ser_push_name(q->s, ref->string);
        size_t key = key_push(q, name);
        cJSON *value = NULL;
        wf_status st = q->key.oom ? oom(q->s) : decode_value(q, ref, target, &value, depth + 1);
        if (st == WF_OK && value)
            st = wf_sim_object_set(q->s, obj, ref->string, value);
        key_pop(q, key);
        wf_aws_ser_pop(q->s, path);
        if (st != WF_OK) {
            cJSON_Delete(obj);
            return st;
        }
    }
    wf_status st = wf_sim_check_required(q->s, shape, obj, NULL);
    if (st != WF_OK) {
        cJSON_Delete(obj);
        return st;
    }
    *out = obj;
    return WF_OK;
}

static wf_status decode_list(query_ctx *q, const cJSON *ref, const cJSON *shape, cJSON **out,
                             int depth)
{
    const cJSON *mref = cJSON_GetObjectItemCaseSensitive(shape, "member");
    const cJSON *mshape = wf_aws_ser_target(q->s, mref);
    if (!mshape)
        return WF_EPARSE;
    const form_pair *whole = form_get(q->f, cur_key(q));
    bool children = form_has_children(q->f, cur_key(q));
    if (!children) {
        /* Query sends an empty list as "Name="; ec2 sends nothing at all. */
        if (whole && !q->ec2 && whole->value_len == 0) {
            form_take(q->f, cur_key(q));
            return give(q->s, cJSON_CreateArray(), out);
        }
        return WF_OK;
    }
    size_t list_key = q->key.len;
    bool flattened = wf_aws_jtrue(ref, "flattened") || wf_aws_jtrue(shape, "flattened");
    if (!q->ec2 && !flattened) {
        const char *loc = wf_aws_jstr(mref, "locationName");
        key_push(q, loc ? loc : "member");
    }
    cJSON *arr = cJSON_CreateArray();
    wf_status st = arr ? WF_OK : oom(q->s);
    for (size_t i = 1; st == WF_OK; i++) {
        size_t key = key_push_index(q, i);
        if (q->key.oom) {
            st = oom(q->s);
        } else if (!present(q)) {
            key_pop(q, key);
            break;
        } else {
            size_t path = wf_aws_ser_push_index(q->s, i);
            cJSON *item = NULL;
            st = decode_value(q, mref, mshape, &item, depth + 1);
            if (st == WF_OK && !item && form_take(q->f, cur_key(q)))
                item = cJSON_CreateObject();   /* "Name.member.1=" for a structure */
            if (st == WF_OK && !cJSON_AddItemToArray(arr, item)) {
                cJSON_Delete(item);
                st = oom(q->s);
            }
            wf_aws_ser_pop(q->s, path);
        }
        key_pop(q, key);
    }
    key_pop(q, list_key);
    if (st != WF_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *out = arr;
    return WF_OK;
}

static wf_status decode_map(query_ctx *q, const cJSON *ref, const cJSON *shape, cJSON **out,
                            int depth)
{
    if (!form_has_children(q->f, cur_key(q)))
        return WF_OK;
    const cJSON *kref = cJSON_GetObjectItemCaseSensitive(shape, "key");
    const cJSON *vref = cJSON_GetObjectItemCaseSensitive(shape, "value");
    const cJSON *vshape = wf_aws_ser_target(q->s, vref);
    if (!vshape)
        return WF_EPARSE;
    char kname[128], vname[128];
    wire_name(q, kref, "key", false, kname, sizeof kname);
    wire_name(q, vref, "value", false, vname, sizeof vname);
    size_t map_key = q->key.len;
    if (!wf_aws_jtrue(ref, "flattened") && !wf_aws_jtrue(shape, "flattened"))
        key_push(q, "entry");
    cJSON *obj = cJSON_CreateObject();
    wf_status st = obj ? WF_OK : oom(q->s);
    for (size_t i = 1; st == WF_OK; i++) {
        size_t entry = key_push_index(q, i);
        if (q->key.oom) {
            st = oom(q->s);
            break;
        }
        if (!present(q)) {
            key_pop(q, entry);
            break;
        }
        size_t part = key_push(q, kname);
        const form_pair *k = form_take(q->f, cur_key(q));
        key_pop(q, part);
        key_push(q, vname);
        if (k && !q->key.oom) {
            size_t path = wf_aws_ser_push_key(q->s, k->value);
            cJSON *value = NULL;
            st = decode_value(q, vref, vshape, &value, depth + 1);
            if (st == WF_OK && value)
                st = wf_sim_object_set(q->s, obj, k->value, value);
            wf_aws_ser_pop(q->s, path);
        } else if (q->key.oom) {
            st = oom(q->s);
        }
        key_pop(q, entry);
    }
    key_pop(q, map_key);
    if (st != WF_OK) {
        cJSON_Delete(obj);
        return st;
    }
    *out = obj;
    return WF_OK;
}

static wf_status decode_value(query_ctx *q, const cJSON *ref, const cJSON *shape, cJSON **out,
                              int depth)
{
    *out = NULL;
    if (depth > WF_SIM_MAX_DEPTH)
        return wf_sim_fail(q->s, WF_EINVAL, "nested too deeply");
    const char *type = wf_aws_shape_type(shape);
    if (strcmp(type, "structure") == 0)
        return decode_structure(q, shape, out, depth);
    if (strcmp(type, "list") == 0)
        return decode_list(q, ref, shape, out, depth);
    if (strcmp(type, "map") == 0)
        return decode_map(q, ref, shape, out, depth);
    const form_pair *p = form_take(q->f, cur_key(q));
    if (!p)
        return WF_OK;
    return wf_sim_scalar_from_text(q->s, shape, p->value, p->value_len, out);
}

wf_status wf_sim_decode_query(wf_aws_ser *s, const wf_http_request *req, bool ec2,
                              char **operation, cJSON **params)
{
    form f = {0};
    bool ok = !req->query || form_add_all(&f, req->query, strlen(req->query));
    const char *type = wf_http_headers_get(&req->headers, "Content-Type");
    if (ok && req->body_len &&
        (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0))
        ok = form_add_all(&f, req->body, req->body_len);
    if (!ok) {
        form_free(&f);
        return oom(s);
    }
    if (f.n)
        qsort(f.items, f.n, sizeof *f.items, pair_cmp);

    const form_pair *action = form_take(&f, "Action");
    form_take(&f, "Version");
    const cJSON *op = action ? wf_aws_model_operation(s->model, action->value) : NULL;
    if (!cJSON_IsObject(op)) {
        wf_status st = action ? wf_error_set(s->err, WF_ENOTFOUND, "unknown Action \"%s\"",
                                             action->value)
                              : wf_error_set(s->err, WF_ENOTFOUND, "the request names no Action");
        form_free(&f);
        return st;
    }
    s->op_name = op->string;
    s->operation = op;
    *operation = strdup(op->string);
    wf_status st = *operation ? WF_OK : oom(s);

    const cJSON *input = wf_aws_ser_input(s);
    query_ctx q = {.s = s, .ec2 = ec2, .f = &f};
    if (st == WF_OK && input)
        st = decode_structure(&q, input, params, 0);
    if (st == WF_OK && !*params)
        st = give(s, cJSON_CreateObject(), params);
    for (size_t i = 0; st == WF_OK && i < f.n; i++)
        if (!f.items[i].used)   /* EC2's UnknownParameter wording */
            st = wf_error_set(s->err, WF_EINVAL, "The parameter %s is not recognized",
                              f.items[i].name);
    wf_aws_buf_free(&q.key);
    form_free(&f);
    return st;
}
