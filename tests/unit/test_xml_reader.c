/* Tests of the XML reader: names, attributes, text, entities, and the limits and
 * refusals that keep hostile documents harmless. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "aws/xml_reader.h"

static wf_xml_node *parse(const char *xml, wf_status want)
{
    wf_xml_node *root = NULL;
    wf_error err = {0};
    wf_status rc = wf_xml_parse(xml, strlen(xml), NULL, &root, &err);
    CHECK_INT_EQ(rc, want);
    if (rc != want)
        fprintf(stderr, "  for %s: %s\n", xml, err.message);
    return root;
}

static void test_tree(void)
{
    wf_xml_node *r = parse("<a x=\"1\"><b>hi</b><c/><b>there</b></a>", WF_OK);
    if (!r)
        return;
    CHECK_STR_EQ(r->name, "a");
    CHECK_STR_EQ(wf_xml_attr_get(r, "x"), "1");
    CHECK(wf_xml_attr_get(r, "y") == NULL);
    CHECK_INT_EQ(r->child_count, 3);
    CHECK_STR_EQ(wf_xml_child_text(r, "b"), "hi");     /* the first of two */
    CHECK_STR_EQ(r->children[2]->text, "there");
    CHECK_STR_EQ(wf_xml_child_text(r, "c"), "");
    CHECK(wf_xml_child(r, "d") == NULL);
    CHECK(wf_xml_child_text(r, "d") == NULL);
    CHECK(r->children[1]->parent == r);
    CHECK(r->parent == NULL);
    wf_xml_free(r);
    wf_xml_free(NULL);
}

static void test_namespaces(void)
{
    wf_xml_node *r = parse("<ns:a xmlns:ns=\"urn:x\" xmlns=\"urn:y\">"
                           "<ns:b>t</ns:b><c xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                           " xsi:type=\"CanonicalUser\"/></ns:a>", WF_OK);
    if (!r)
        return;
    CHECK_STR_EQ(r->name, "a");
    CHECK_STR_EQ(wf_xml_child_text(r, "b"), "t");
    const wf_xml_node *c = wf_xml_child(r, "c");
    CHECK_STR_EQ(wf_xml_attr_get(c, "xsi:type"), "CanonicalUser");
    CHECK_STR_EQ(wf_xml_attr_get(c, "type"), "CanonicalUser");
    CHECK_STR_EQ(wf_xml_attr_get(r, "xmlns:ns"), "urn:x");
    CHECK_STR_EQ(wf_xml_local_name("a:b:c"), "c");
    wf_xml_free(r);
}

static void test_text(void)
{
    wf_xml_node *r = parse("<a>&lt;x&gt; &amp;amp; &quot;&apos;&#xD;&#10;&#x4E2D;</a>", WF_OK);
    if (r)
        CHECK_STR_EQ(r->text, "<x> &amp; \"'\r\n\xE4\xB8\xAD");
    wf_xml_free(r);
    r = parse("<a><![CDATA[<raw> & ]]>tail</a>", WF_OK);
    if (r)
        CHECK_STR_EQ(r->text, "<raw> & tail");
    wf_xml_free(r);
    r = parse("<?xml version = \"1.0\" encoding = \"UTF-8\"?>\n<a> x <b/> y <!-- note --></a>", WF_OK);
    if (r) {
        CHECK_STR_EQ(r->text, " x  y ");
        CHECK_INT_EQ(r->text_len, 6);
    }
    wf_xml_free(r);
    /* Other encodings arrive as UTF-8. */
    r = parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xE9</a>", WF_OK);
    if (r)
        CHECK_STR_EQ(r->text, "caf\xC3\xA9");
    wf_xml_free(r);
    static const char utf16[] = "\xFF\xFE<\0a\0>\0z\0<\0/\0a\0>\0";
    wf_xml_node *u = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_xml_parse(utf16, sizeof utf16 - 1, NULL, &u, &err), WF_OK);
    if (u) {
        CHECK_STR_EQ(u->name, "a");
        CHECK_STR_EQ(u->text, "z");
    }
    wf_xml_free(u);
}

static void test_refusals(void)
{
    wf_error err = {0};
    wf_xml_node *r = NULL;
    const char *laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
    CHECK_INT_EQ(wf_xml_parse(laughs, strlen(laughs), NULL, &r, &err), WF_EPARSE);
    CHECK(r == NULL);
    CHECK(strstr(err.message, "DOCTYPE") != NULL);
    const char *xxe = "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>";
    CHECK_INT_EQ(wf_xml_parse(xxe, strlen(xxe), NULL, &r, &err), WF_EPARSE);
    CHECK(r == NULL);

    CHECK_INT_EQ(wf_xml_parse("<a><b></a>", 10, NULL, &r, &err), WF_EPARSE);
    CHECK(strstr(err.message, "line 1") != NULL);
    CHECK(r == NULL);
    CHECK_INT_EQ(wf_xml_parse("", 0, NULL, &r, &err), WF_EPARSE);
    CHECK_INT_EQ(wf_xml_parse("<a>x\0y</a>", 10, NULL, &r, &err), WF_EPARSE);
    CHECK_INT_EQ(wf_xml_parse("<a/><b/>", 8, NULL, &r, &err), WF_EPARSE);
    CHECK_INT_EQ(wf_xml_parse("<a>&undefined;</a>", 18, NULL, &r, &err), WF_EPARSE);
    CHECK(r == NULL);
}

static void test_limits(void)
{
    enum { DEPTH = 200 };
    char *deep = malloc(DEPTH * 7 + 1);
    char *p = deep;
    for (int i = 0; i < DEPTH; i++)
        p += sprintf(p, "<a>");
    for (int i = 0; i < DEPTH; i++)
        p += sprintf(p, "</a>");
    wf_xml_node *r = NULL;
    wf_error err = {0};
    CHECK_INT_EQ(wf_xml_parse(deep, strlen(deep), NULL, &r, &err), WF_EPARSE);
    CHECK(strstr(err.message, "nested") != NULL);
    wf_xml_limits roomy = {.max_depth = DEPTH};
    CHECK_INT_EQ(wf_xml_parse(deep, strlen(deep), &roomy, &r, &err), WF_OK);
    wf_xml_free(r);
    free(deep);

    const char *five = "<a><b/><b/><b/><b/></a>";
    wf_xml_limits few = {.max_nodes = 3};
    CHECK_INT_EQ(wf_xml_parse(five, strlen(five), &few, &r, &err), WF_EPARSE);
    CHECK(strstr(err.message, "too many") != NULL);
    wf_xml_limits small = {.max_bytes = 10};
    CHECK_INT_EQ(wf_xml_parse(five, strlen(five), &small, &r, &err), WF_EPARSE);
    CHECK(r == NULL);
}

int main(void)
{
    test_tree();
    test_namespaces();
    test_text();
    test_refusals();
    test_limits();
    return CHECK_DONE();
}
