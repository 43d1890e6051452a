/* Streaming XML builder with escaping, for request bodies. */
#include "aws/xml_writer.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void put(wf_xml_writer *w, const char *s, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 512;
        while (cap < w->len + n + 1 && cap < SIZE_MAX / 2)
            cap *= 2;
        char *grown = cap >= w->len + n + 1 ? realloc(w->data, cap) : NULL;
        if (!grown) {
            w->oom = true;
            return;
        }
        w->data = grown;
        w->cap = cap;
    }
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

static void puts_(wf_xml_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Escapes markup characters; in attributes also quotes and the whitespace that attribute
 * normalisation would otherwise turn into spaces. \r is kept as a reference everywhere so
 * a reader's newline normalisation cannot change the value. */
static void put_escaped(wf_xml_writer *w, const char *s, size_t n, bool attr)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '\r': rep = "&#xD;"; break;
        case '"': rep = attr ? "&quot;" : NULL; break;
        case '\n': rep = attr ? "&#xA;" : NULL; break;
        case '\t': rep = attr ? "&#x9;" : NULL; break;
        default: break;
        }
        if (rep) {
            put(w, s + start, i - start);
            puts_(w, rep);
            start = i + 1;
        }
    }
    put(w, s + start, n - start);
}

static void close_tag(wf_xml_writer *w)
{
    if (w->in_tag) {
        put(w, ">", 1);
        w->in_tag = false;
    }
}

void wf_xml_start(wf_xml_writer *w, const char *name)
{
    close_tag(w);
    if (w->oom)
        return;
    if (w->depth == w->open_cap) {
        size_t cap = w->open_cap ? w->open_cap * 2 : 16;
        char **grown = realloc(w->open, cap * sizeof *grown);
        if (!grown) {
            w->oom = true;
            return;
        }
        w->open = grown;
        w->open_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) {
        w->oom = true;
        return;
    }
    w->open[w->depth++] = copy;
    put(w, "<", 1);
    puts_(w, name);
    w->in_tag = true;
}

void wf_xml_attr(wf_xml_writer *w, const char *name, const char *value)
{
    if (!w->in_tag) {   /* misuse: no element to carry it */
        w->oom = true;
        return;
    }
    put(w, " ", 1);
    puts_(w, name);
    put(w, "=\"", 2);
    put_escaped(w, value, strlen(value), true);
    put(w, "\"", 1);
}

void wf_xml_text(wf_xml_writer *w, const char *text, size_t len)
{
    close_tag(w);
    put_escaped(w, text, len, false);
}

void wf_xml_end(wf_xml_writer *w)
{
    if (w->depth == 0) {
        w->oom = true;
        return;
    }
    close_tag(w);
    char *name = w->open[--w->depth];
    put(w, "</", 2);
    puts_(w, name);
    put(w, ">", 1);
    free(name);
}

void wf_xml_writer_free(wf_xml_writer *w)
{
    for (size_t i = 0; i < w->depth; i++)
        free(w->open[i]);
    free(w->open);
    free(w->data);
    memset(w, 0, sizeof *w);
}

char *wf_xml_writer_take(wf_xml_writer *w, size_t *len)
{
    char *out = NULL;
    if (!w->oom && w->depth == 0) {
        if (!w->data)
            put(w, "", 0);
        if (!w->oom) {
            out = w->data;
            if (len)
                *len = w->len;
            w->data = NULL;
        }
    }
    wf_xml_writer_free(w);
    return out;
}
