/* Builds the small XML DOM of xml_reader.h from expat's callbacks, within limits. The
 * whole tree lives in one arena (big answers have millions of elements; one malloc
 * each would dominate the parse), freed at once by wf_xml_free. A wf_xml_reader keeps
 * expat's parser and the per-depth buffers between documents: for the short answers
 * of most AWS calls, making and freeing them cost more than the parse. */
#include "xml_reader.h"
#include <expat.h>
#include <openssl/rand.h>
#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- arena: bump allocation in blocks, released all together --- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
} arena_block;

struct wf_xml_arena {
    arena_block *head;
    size_t first;   /* the first block's size, fitted to the document */
};

#define ARENA_BLOCK 60000

static void *arena_alloc(struct wf_xml_arena *a, size_t n)
{
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = b ? ARENA_BLOCK : a->first;
        if (size < n)
            size = n;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static char *arena_strndup(struct wf_xml_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void arena_free(struct wf_xml_arena *a)
{
    arena_block *b = a ? a->head : NULL;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* --- the reader --- */

/* One open element. Its text and children gather in buffers reused from one element
 * to the next at the same depth, and are copied into the arena when it closes. */
typedef struct level {
    wf_xml_node *node;
    char *text;
    size_t text_len, text_cap;
    wf_xml_node **kids;
    size_t kid_count, kid_cap;
} level;

typedef struct reader {
    XML_Parser parser;
    wf_xml_limits limits;
    struct wf_xml_arena *arena;
    wf_xml_node *root;
    level *levels;            /* levels[0 .. depth) are open */
    size_t depth, level_cap;
    size_t nodes;
    wf_status failure;        /* WF_OK until a handler gives up */
    char why[256];            /* the handler's reason, when it stopped the parser */
} reader;

struct wf_xml_reader {
    XML_Parser parser;        /* reset between documents */
    unsigned long salt;       /* expat's hash salt, drawn once */
    int used;                 /* the parser has seen a document: reset it first */
    level *levels;            /* kept with their buffers */
    size_t level_cap;
};

static char empty_text[] = "";

void wf_xml_free(wf_xml_node *root)
{
    if (root)
        arena_free(root->arena);
}

const char *wf_xml_local_name(const char *qname)
{
    const char *colon = strrchr(qname, ':');
    return colon ? colon + 1 : qname;
}

/* Stops expat and remembers why; the first reason wins. */
static void give_up(reader *r, wf_status code, const char *why)
{
    if (r->failure == WF_OK) {
        r->failure = code;
        snprintf(r->why, sizeof r->why, "%s", why);
    }
    XML_StopParser(r->parser, XML_FALSE);
}

static wf_xml_node *new_node(struct wf_xml_arena *a, const char *qname, const char **atts)
{
    wf_xml_node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    const char *local = wf_xml_local_name(qname);
    n->name = arena_strndup(a, local, strlen(local));
    n->text = empty_text;
    size_t count = 0;
    while (atts[2 * count])
        count++;
    if (count) {
        n->attrs = arena_alloc(a, count * sizeof *n->attrs);
        if (!n->attrs)
            return NULL;
        n->attr_count = count;
        for (size_t i = 0; i < count; i++) {
            n->attrs[i].name = arena_strndup(a, atts[2 * i], strlen(atts[2 * i]));
            n->attrs[i].value = arena_strndup(a, atts[2 * i + 1], strlen(atts[2 * i + 1]));
            if (!n->attrs[i].name || !n->attrs[i].value)
                return NULL;
        }
    }
    return n->name ? n : NULL;
}

/* Grows *buf (elements of size each) to hold need of them. */
static int reserve(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    void *grown = realloc(*buf, c * size);
    if (!grown)
        return -1;
    *buf = grown;
    *cap = c;
    return 0;
}

static void XMLCALL on_start(void *ud, const XML_Char *qname, const XML_Char **atts)
{
    reader *r = ud;
    if (r->failure != WF_OK)
        return;
    if (r->depth >= r->limits.max_depth) {
        give_up(r, WF_EPARSE, "elements nested too deeply");
        return;
    }
    if (r->nodes >= r->limits.max_nodes) {
        give_up(r, WF_EPARSE, "too many elements");
        return;
    }
    if (r->depth == r->level_cap) {
        size_t cap = r->level_cap ? r->level_cap * 2 : 16;
        level *grown = realloc(r->levels, cap * sizeof *grown);
        if (!grown) {
            give_up(r, WF_ENOMEM, "out of memory");
            return;
        }
        memset(grown + r->level_cap, 0, (cap - r->level_cap) * sizeof *grown);
        r->levels = grown;
        r->level_cap = cap;
    }
    wf_xml_node *n = new_node(r->arena, qname, atts);
    if (!n) {
        give_up(r, WF_ENOMEM, "out of memory");
        return;
    }
    if (r->depth == 0) {
        r->root = n;
    } else {
        level *parent = &r->levels[r->depth - 1];
        if (reserve((void **)&parent->kids, &parent->kid_cap, parent->kid_count + 1,
                    sizeof *parent->kids) != 0) {
            give_up(r, WF_ENOMEM, "out of memory");
            return;
        }
        parent->kids[parent->kid_count++] = n;
        n->parent = parent->node;
    }
    r->nodes++;
    level *l = &r->levels[r->depth++];
    l->node = n;
    l->text_len = 0;
    l->kid_count = 0;
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
    reader *r = ud;
    (void)qname;
    if (r->failure != WF_OK || r->depth == 0)
        return;
    level *l = &r->levels[r->depth - 1];
    wf_xml_node *n = l->node;
    if (l->text_len) {
        n->text = arena_strndup(r->arena, l->text, l->text_len);
        n->text_len = l->text_len;
    }
    if (l->kid_count) {
        n->children = arena_alloc(r->arena, l->kid_count * sizeof *n->children);
        if (n->children) {
            memcpy(n->children, l->kids, l->kid_count * sizeof *n->children);
            n->child_count = l->kid_count;
        }
    }
    if (!n->text || (l->kid_count && !n->children)) {
        n->text = empty_text;
        give_up(r, WF_ENOMEM, "out of memory");
        return;
    }
    r->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    reader *r = ud;
    if (r->failure != WF_OK || r->depth == 0 || len <= 0)
        return;
    level *l = &r->levels[r->depth - 1];
    if (reserve((void **)&l->text, &l->text_cap, l->text_len + (size_t)len, 1) != 0) {
        give_up(r, WF_ENOMEM, "out of memory");
        return;
    }
    memcpy(l->text + l->text_len, s, (size_t)len);
    l->text_len += (size_t)len;
}

/* AWS never sends a DTD; refusing one rules out entity expansion attacks entirely. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal_subset;
    give_up(ud, WF_EPARSE, "DOCTYPE declarations are not accepted");
}

wf_status wf_xml_reader_new(wf_xml_reader **out, wf_error *err)
{
    *out = NULL;
    wf_xml_reader *rd = calloc(1, sizeof *rd);
    if (rd)
        rd->parser = XML_ParserCreate(NULL);
    if (!rd || !rd->parser) {
        free(rd);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    /* Left to itself, expat draws a salt from getrandom(2) for every document; OpenSSL's
     * generator gives one as unpredictable without a system call. 0: expat's own. */
    if (RAND_bytes((unsigned char *)&rd->salt, sizeof rd->salt) != 1)
        rd->salt = 0;
    *out = rd;
    return WF_OK;
}

void wf_xml_reader_free(wf_xml_reader *rd)
{
    if (!rd)
        return;
    XML_ParserFree(rd->parser);
    for (size_t i = 0; i < rd->level_cap; i++) {
        free(rd->levels[i].text);
        free(rd->levels[i].kids);
    }
    free(rd->levels);
    free(rd);
}

wf_status wf_xml_reader_parse(wf_xml_reader *rd, const char *data, size_t len,
                              const wf_xml_limits *limits, wf_xml_node **root, wf_error *err)
{
    *root = NULL;
    reader r;
    memset(&r, 0, sizeof r);
    if (limits)
        r.limits = *limits;
    if (!r.limits.max_bytes)
        r.limits.max_bytes = WF_XML_DEFAULT_MAX_BYTES;
    if (!r.limits.max_depth)
        r.limits.max_depth = WF_XML_DEFAULT_MAX_DEPTH;
    if (!r.limits.max_nodes)
        r.limits.max_nodes = WF_XML_DEFAULT_MAX_NODES;
    if (len > r.limits.max_bytes)
        return wf_error_set(err, WF_EPARSE, "XML document of %zu bytes exceeds the limit of %zu",
                            len, r.limits.max_bytes);

    if (rd->used && !XML_ParserReset(rd->parser, NULL))
        return wf_error_set(err, WF_ENOMEM, "cannot reset the XML parser");
    rd->used = 1;
    r.arena = calloc(1, sizeof *r.arena);
    if (!r.arena)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    /* Small answers get a small first block; big ones grow in ARENA_BLOCK steps. */
    r.arena->first = len < ARENA_BLOCK / 8 ? 1024 + 8 * len : ARENA_BLOCK;
    r.parser = rd->parser;
    r.levels = rd->levels;
    r.level_cap = rd->level_cap;
    if (rd->salt)
        XML_SetHashSalt(r.parser, rd->salt);
    XML_SetUserData(r.parser, &r);
    XML_SetElementHandler(r.parser, on_start, on_end);
    XML_SetCharacterDataHandler(r.parser, on_text);
    XML_SetStartDoctypeDeclHandler(r.parser, on_doctype);

    /* XML_Parse takes an int length: feed very large inputs in pieces. */
    enum XML_Status st = XML_STATUS_OK;
    size_t off = 0;
    do {
        size_t chunk = len - off > (size_t)INT_MAX / 2 ? (size_t)INT_MAX / 2 : len - off;
        int final = off + chunk == len;
        st = XML_Parse(r.parser, data + off, (int)chunk, final);
        off += chunk;
    } while (st == XML_STATUS_OK && off < len);

    wf_status rc = WF_OK;
    if (r.failure != WF_OK || st != XML_STATUS_OK) {
        unsigned long line = (unsigned long)XML_GetCurrentLineNumber(r.parser);
        unsigned long col = (unsigned long)XML_GetCurrentColumnNumber(r.parser) + 1;
        if (r.failure != WF_OK)
            rc = wf_error_set(err, r.failure, "XML line %lu column %lu: %s", line, col, r.why);
        else
            rc = wf_error_set(err, WF_EPARSE, "XML line %lu column %lu: %s", line, col,
                              XML_ErrorString(XML_GetErrorCode(r.parser)));
    }
    rd->levels = r.levels;       /* grown or not, kept for the next document */
    rd->level_cap = r.level_cap;
    for (size_t i = 0; i < rd->level_cap; i++) {   /* but not what one big answer needed */
        level *l = &rd->levels[i];
        if (l->text_cap > 65536) {
            free(l->text);
            l->text = NULL;
            l->text_cap = 0;
        }
        if (l->kid_cap > 8192) {
            free(l->kids);
            l->kids = NULL;
            l->kid_cap = 0;
        }
    }
    if (rc != WF_OK || !r.root) {
        arena_free(r.arena);
        return rc;
    }
    r.root->arena = r.arena;
    *root = r.root;
    return WF_OK;
}

wf_status wf_xml_parse(const char *data, size_t len, const wf_xml_limits *limits,
                       wf_xml_node **root, wf_error *err)
{
    *root = NULL;
    wf_xml_reader *rd = NULL;
    wf_status st = wf_xml_reader_new(&rd, err);
    if (st == WF_OK)
        st = wf_xml_reader_parse(rd, data, len, limits, root, err);
    wf_xml_reader_free(rd);
    return st;
}

const wf_xml_node *wf_xml_child(const wf_xml_node *node, const char *name)
{
    if (!node)
        return NULL;
    for (size_t i = 0; i < node->child_count; i++)
        if (strcmp(node->children[i]->name, name) == 0)
            return node->children[i];
    return NULL;
}

const char *wf_xml_child_text(const wf_xml_node *node, const char *name)
{
    const wf_xml_node *c = wf_xml_child(node, name);
    return c ? c->text : NULL;
}

const char *wf_xml_attr_get(const wf_xml_node *node, const char *name)
{
    if (!node)
        return NULL;
    for (size_t i = 0; i < node->attr_count; i++)
        if (strcmp(node->attrs[i].name, name) == 0)
            return node->attrs[i].value;
    const char *local = wf_xml_local_name(name);
    for (size_t i = 0; i < node->attr_count; i++)
        if (strcmp(wf_xml_local_name(node->attrs[i].name), local) == 0)
            return node->attrs[i].value;
    return NULL;
}
