/* The XML builder: nesting, attributes, and escaping of text and attribute values. */
#include <stdlib.h>
#include "aws/xml_writer.h"
#include "check.h"

int main(void)
{
    wf_xml_writer w = {0};
    wf_xml_start(&w, "Root");
    wf_xml_attr(&w, "xmlns", "http://example.com/a?b=1&c=\"2\"");
    wf_xml_start(&w, "Empty");
    wf_xml_end(&w);
    wf_xml_start(&w, "Text");
    wf_xml_attr(&w, "note", "line1\nline2\ttab\r");
    wf_xml_text(&w, "a < b && c > \"d\"\r\n", 18);
    wf_xml_end(&w);
    wf_xml_end(&w);
    size_t len = 0;
    char *xml = wf_xml_writer_take(&w, &len);
    CHECK_STR_EQ(xml, "<Root xmlns=\"http://example.com/a?b=1&amp;c=&quot;2&quot;\">"
                      "<Empty></Empty>"
                      "<Text note=\"line1&#xA;line2&#x9;tab&#xD;\">"
                      "a &lt; b &amp;&amp; c &gt; \"d\"&#xD;\n</Text></Root>");
    CHECK_INT_EQ(len, strlen(xml ? xml : ""));
    free(xml);

    /* Unbalanced documents and misplaced attributes are refused, not half-written. */
    wf_xml_start(&w, "Open");
    CHECK(wf_xml_writer_take(&w, NULL) == NULL);
    wf_xml_text(&w, "x", 1);
    wf_xml_attr(&w, "late", "x");
    CHECK(wf_xml_writer_take(&w, NULL) == NULL);
    wf_xml_end(&w);
    CHECK(wf_xml_writer_take(&w, NULL) == NULL);

    /* An empty writer gives an empty document. */
    xml = wf_xml_writer_take(&w, &len);
    CHECK_STR_EQ(xml, "");
    CHECK_INT_EQ(len, 0);
    free(xml);
    return CHECK_DONE();
}
