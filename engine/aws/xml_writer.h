/* A small streaming XML builder: elements, attributes and escaped text, written in order
 * into one growing string. Used for REST-XML request bodies (and by awssim's answers).
 * Ownership: the writer owns its buffer until wf_xml_writer_take hands it over. */
#ifndef WF_AWS_XML_WRITER_H
#define WF_AWS_XML_WRITER_H
#include <stdbool.h>
#include <stddef.h>
#include "wf.h"

typedef struct wf_xml_writer {
    char *data;
    size_t len, cap;
    char **open;          /* names of the elements not yet closed, innermost last */
    size_t depth, open_cap;
    bool in_tag;          /* "<name ..." written, its ">" not yet */
    bool oom;             /* sticky: any failure to grow */
} wf_xml_writer;

/* Zero-initialise a writer before use; free it with wf_xml_writer_free. */
void wf_xml_writer_free(wf_xml_writer *w);

/* Opens <name>; attributes may follow until the next text or element. */
void wf_xml_start(wf_xml_writer *w, const char *name);
/* Adds name="value" (value escaped) to the element just opened. */
void wf_xml_attr(wf_xml_writer *w, const char *name, const char *value);
/* Writes escaped character data. */
void wf_xml_text(wf_xml_writer *w, const char *text, size_t len);
/* Closes the innermost open element as </name> (never <name/>). */
void wf_xml_end(wf_xml_writer *w);

/* Closes nothing: returns the document (malloc'd, NUL-terminated, *len set if not NULL)
 * and resets the writer, or NULL if memory ran out or elements are still open. */
char *wf_xml_writer_take(wf_xml_writer *w, size_t *len);

#endif
