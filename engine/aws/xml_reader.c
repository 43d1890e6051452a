/* Builds the small XML DOM of xml_reader.h from expat's callbacks, within limits. */
#include "xml_reader.h"
#include <expat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One open element: the node and the capacities of its growing arrays. */
typedef struct open_elem {
    wf_xml_node *node;
    size_t text_cap;
    size_t child_cap;
} open_elem;

typedef struct reader {
    XML_Parser parser;
    wf_xml_limits limits;
    wf_xml_node *root;
    open_elem *stack;
    size_t depth, stack_cap;
    size_t nodes;
    wf_status failure;        /* WF_OK until a handler gives up */
    char why[256];            /* the handler's reason, when it stopped the parser */
} reader;

static void node_free(wf_xml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->child_count; i++)
        node_free(n->children[i]);
    for (size_t i = 0; i < n->attr_count; i++) {
        free(n->attrs[i].name);
        free(n->attrs[i].value);
    }
    free(n->children);
    free(n->attrs);
    free(n->name);
    free(n->text);
    free(n);
}

void wf_xml_free(wf_xml_node *root)
{
    node_free(root);
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

static wf_xml_node *new_node(const char *qname, const char **atts)
{
    wf_xml_node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->name = strdup(wf_xml_local_name(qname));
    n->text = calloc(1, 1);
    size_t count = 0;
    while (atts[2 * count])
        count++;
    if (count) {
        n->attrs = calloc(count, sizeof *n->attrs);
        if (n->attrs) {
            n->attr_count = count;
            for (size_t i = 0; i < count; i++) {
                n->attrs[i].name = strdup(atts[2 * i]);
                n->attrs[i].value = strdup(atts[2 * i + 1]);
                if (!n->attrs[i].name || !n->attrs[i].value) {
                    node_free(n);
                    return NULL;
                }
            }
        }
    }
    if (!n->name || !n->text || (count && !n->attrs)) {
        node_free(n);
        return NULL;
    }
    return n;
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
    if (r->depth == r->stack_cap) {
        size_t cap = r->stack_cap ? r->stack_cap * 2 : 16;
        open_elem *grown = realloc(r->stack, cap * sizeof *grown);
        if (!grown) {
            give_up(r, WF_ENOMEM, "out of memory");
            return;
        }
        r->stack = grown;
        r->stack_cap = cap;
    }
    wf_xml_node *n = new_node(qname, atts);
    if (!n) {
        give_up(r, WF_ENOMEM, "out of memory");
        return;
    }
    if (r->depth == 0) {
        r->root = n;
    } else {
        /* Attach at once, so the tree owns the node whatever happens next. */
        open_elem *top = &r->stack[r->depth - 1];
        wf_xml_node *parent = top->node;
        if (parent->child_count == top->child_cap) {
            size_t cap = top->child_cap ? top->child_cap * 2 : 4;
            wf_xml_node **grown = realloc(parent->children, cap * sizeof *grown);
            if (!grown) {
                node_free(n);
                give_up(r, WF_ENOMEM, "out of memory");
                return;
            }
            parent->children = grown;
            top->child_cap = cap;
        }
        parent->children[parent->child_count++] = n;
        n->parent = parent;
    }
    r->nodes++;
    r->stack[r->depth].node = n;
    r->stack[r->depth].text_cap = 1;
    r->stack[r->depth].child_cap = 0;
    r->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
    reader *r = ud;
    (void)qname;
    if (r->failure == WF_OK && r->depth > 0)
        r->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    reader *r = ud;
    if (r->failure != WF_OK || r->depth == 0 || len <= 0)
        return;
    open_elem *top = &r->stack[r->depth - 1];
    wf_xml_node *n = top->node;
    size_t need = n->text_len + (size_t)len + 1;
    if (need > top->text_cap) {
        size_t cap = top->text_cap * 2;
        if (cap < need)
            cap = need;
        char *grown = realloc(n->text, cap);
        if (!grown) {
            give_up(r, WF_ENOMEM, "out of memory");
            return;
        }
        n->text = grown;
        top->text_cap = cap;
    }
    memcpy(n->text + n->text_len, s, (size_t)len);
    n->text_len += (size_t)len;
    n->text[n->text_len] = '\0';
}

/* AWS never sends a DTD; refusing one rules out entity expansion attacks entirely. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    (void)name; (void)sysid; (void)pubid; (void)has_internal_subset;
    give_up(ud, WF_EPARSE, "DOCTYPE declarations are not accepted");
}

wf_status wf_xml_parse(const char *data, size_t len, const wf_xml_limits *limits,
                       wf_xml_node **root, wf_error *err)
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

    r.parser = XML_ParserCreate(NULL);
    if (!r.parser)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
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
        wf_xml_free(r.root);
        r.root = NULL;
    }
    XML_ParserFree(r.parser);
    free(r.stack);
    *root = r.root;
    return rc;
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
