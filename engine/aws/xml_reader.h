/* A small XML DOM read with expat, for AWS response bodies: element local names,
 * attributes, text and children, with limits on size, depth and node count.
 *
 * Ownership: wf_xml_parse returns a tree the caller frees with wf_xml_free (which accepts
 * NULL); every string and node in it belongs to the tree. Lookups return borrowed
 * pointers that live as long as the tree.
 *
 * Names: an element's name is its local name, the part after any "prefix:"
 * (<baz:foo> and <foo xmlns="..."> are both "foo"); namespaces are otherwise ignored, as
 * botocore ignores them. Attribute names are kept as written ("xsi:type", "xmlns:baz").
 * Text is the element's own character data, entities and CDATA decoded, concatenated;
 * it never contains a NUL byte (XML cannot carry one). Documents with a DOCTYPE are
 * refused, so neither external nor internal entities are ever expanded. */
#ifndef WF_AWS_XML_READER_H
#define WF_AWS_XML_READER_H
#include <stddef.h>
#include "wf.h"

typedef struct wf_xml_attr {
    char *name;
    char *value;
} wf_xml_attr;

typedef struct wf_xml_node {
    char *name;                    /* local name, prefix stripped */
    char *text;                    /* own character data; "" when none, never NULL */
    size_t text_len;
    wf_xml_attr *attrs;
    size_t attr_count;
    struct wf_xml_node **children; /* element children in document order */
    size_t child_count;
    struct wf_xml_node *parent;    /* NULL for the root */
    struct wf_xml_arena *arena;    /* internal: the root's memory, released by wf_xml_free */
} wf_xml_node;

/* Zero fields take the defaults below. */
typedef struct wf_xml_limits {
    size_t max_bytes;   /* input size; default 64 MiB */
    size_t max_depth;   /* element nesting; default 128 */
    size_t max_nodes;   /* elements in the document; default 4,000,000 */
} wf_xml_limits;

#define WF_XML_DEFAULT_MAX_BYTES ((size_t)64 << 20)
#define WF_XML_DEFAULT_MAX_DEPTH 128
#define WF_XML_DEFAULT_MAX_NODES 4000000

/* Parses len bytes of XML (limits may be NULL). On success *root is the document
 * element. Malformed XML, a DOCTYPE, or an exceeded limit give WF_EPARSE with the line
 * and column in err; memory exhaustion gives WF_ENOMEM. *root is NULL on failure. */
wf_status wf_xml_parse(const char *data, size_t len, const wf_xml_limits *limits,
                       wf_xml_node **root, wf_error *err);
void wf_xml_free(wf_xml_node *root);

/* A reader for many documents, one after the other: it keeps expat's parser (reset, not
 * re-made) and its buffers, so a short document costs its parse only. The trees it
 * returns are independent of it (free them with wf_xml_free, before or after the
 * reader). Not thread-safe. */
typedef struct wf_xml_reader wf_xml_reader;
wf_status wf_xml_reader_new(wf_xml_reader **out, wf_error *err);
void wf_xml_reader_free(wf_xml_reader *rd);   /* accepts NULL */
/* wf_xml_parse on rd. */
wf_status wf_xml_reader_parse(wf_xml_reader *rd, const char *data, size_t len,
                              const wf_xml_limits *limits, wf_xml_node **root,
                              wf_error *err);

/* First child element with that local name, or NULL. */
const wf_xml_node *wf_xml_child(const wf_xml_node *node, const char *name);
/* Text of the first child with that name, or NULL when there is no such child. */
const char *wf_xml_child_text(const wf_xml_node *node, const char *name);
/* Value of the attribute written with exactly that name, or else the first whose part
 * after "prefix:" equals name's part after "prefix:"; NULL when none. */
const char *wf_xml_attr_get(const wf_xml_node *node, const char *name);
/* The part of a qualified name after the last ':' (the name itself when none). */
const char *wf_xml_local_name(const char *qname);

#endif
