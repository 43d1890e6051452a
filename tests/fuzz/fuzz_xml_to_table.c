/* Fuzz target: arbitrary bytes as the XML body of query, ec2 and rest-xml answers
 * (success and error statuses) against a small fixed model; must never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "aws/parse.h"

/* One model per protocol, sharing shapes that use every XML feature the parsers know:
 * wrapped and flattened lists, maps with renamed keys, attributes, nested and recursive
 * structures, every scalar type, headers and a structure payload. */
static const char shapes[] =
    "{\"Out\":{\"type\":\"structure\",\"members\":{"
    "\"S\":{\"shape\":\"Str\"},\"I\":{\"shape\":\"Int\",\"locationName\":\"int\"},"
    "\"L\":{\"shape\":\"Long\"},\"F\":{\"shape\":\"Dbl\"},\"B\":{\"shape\":\"Bool\"},"
    "\"T\":{\"shape\":\"Time\"},\"Bl\":{\"shape\":\"Blob\"},"
    "\"List\":{\"shape\":\"StrList\",\"locationName\":\"listSet\"},"
    "\"Flat\":{\"shape\":\"StrList\",\"flattened\":true},"
    "\"Map\":{\"shape\":\"StrMap\"},\"FlatMap\":{\"shape\":\"StrMap\",\"flattened\":true},"
    "\"Attr\":{\"shape\":\"Str\",\"locationName\":\"xsi:type\",\"xmlAttribute\":true},"
    "\"Rec\":{\"shape\":\"Out\"},\"Items\":{\"shape\":\"OutList\"},"
    "\"H\":{\"shape\":\"Int\",\"location\":\"header\",\"locationName\":\"x-h\"},"
    "\"Meta\":{\"shape\":\"StrMap\",\"location\":\"headers\",\"locationName\":\"x-meta-\"},"
    "\"Status\":{\"shape\":\"Int\",\"location\":\"statusCode\"}}},"
    "\"Payload\":{\"type\":\"structure\",\"members\":{\"P\":{\"shape\":\"Out\"}},\"payload\":\"P\"},"
    "\"Oops\":{\"type\":\"structure\",\"members\":{\"Message\":{\"shape\":\"Str\"},"
    "\"Detail\":{\"shape\":\"Out\"}},\"exception\":true,\"error\":{\"code\":\"Oops.Bad\"}},"
    "\"Str\":{\"type\":\"string\"},\"Int\":{\"type\":\"integer\"},\"Long\":{\"type\":\"long\"},"
    "\"Dbl\":{\"type\":\"double\"},\"Bool\":{\"type\":\"boolean\"},\"Time\":{\"type\":\"timestamp\"},"
    "\"Blob\":{\"type\":\"blob\"},"
    "\"StrList\":{\"type\":\"list\",\"member\":{\"shape\":\"Str\",\"locationName\":\"item\"}},"
    "\"OutList\":{\"type\":\"list\",\"member\":{\"shape\":\"Out\"}},"
    "\"StrMap\":{\"type\":\"map\",\"key\":{\"shape\":\"Str\",\"locationName\":\"k\"},"
    "\"value\":{\"shape\":\"Str\"}}}";

static const char operations[] =
    "{\"Op\":{\"name\":\"Op\",\"output\":{\"shape\":\"Out\",\"resultWrapper\":\"OpResult\"},"
    "\"errors\":[{\"shape\":\"Oops\"}]},"
    "\"Bare\":{\"name\":\"Bare\",\"output\":{\"shape\":\"Out\"}},"
    "\"Pay\":{\"name\":\"Pay\",\"output\":{\"shape\":\"Payload\"}},"
    "\"None\":{\"name\":\"None\"}}";

static int load_model(wf_aws_model *m, const char *protocol)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
    cJSON_AddStringToObject(meta, "protocol", protocol);
    cJSON_AddItemToObject(root, "shapes", cJSON_Parse(shapes));
    cJSON_AddItemToObject(root, "operations", cJSON_Parse(operations));
    wf_error err;
    return wf_aws_model_init(m, root, &err) == WF_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const protocols[] = {"query", "ec2", "rest-xml"};
    static const char *const ops[] = {"Op", "Bare", "Pay", "None"};
    static const int statuses[] = {200, 400, 503};
    /* Models are read-only while parsing: load them once (they stay reachable, so leak
     * checkers do not count them). */
    static wf_aws_model models[3];
    static int loaded[3];
    for (size_t p = 0; p < 3; p++)
        if (!loaded[p])
            loaded[p] = load_model(&models[p], protocols[p]) ? 1 : -1;

    wf_http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.body = malloc(size + 1);
    if (!resp.body)
        return 0;
    if (size)
        memcpy(resp.body, data, size);
    resp.body[size] = '\0';
    resp.body_len = size;
    wf_http_headers_add(&resp.headers, "x-h", "12");
    wf_http_headers_add(&resp.headers, "x-meta-color", "blue");
    wf_http_headers_add(&resp.headers, "x-amz-request-id", "fuzz");

    for (size_t p = 0; p < 3; p++) {
        if (loaded[p] != 1)
            continue;
        for (size_t o = 0; o < 4; o++) {
            for (size_t s = 0; s < 3; s++) {
                for (int raw = 0; raw < 2; raw++) {
                    wf_aws_parse_options opts = {
                        .timestamps = raw ? WF_AWS_TIMESTAMP_EPOCH : WF_AWS_TIMESTAMP_ISO8601,
                        .blobs = raw ? WF_AWS_BLOB_RAW : WF_AWS_BLOB_BASE64,
                        .decode_listing_keys = raw};
                    resp.status = statuses[s];
                    cJSON *result = NULL;
                    wf_aws_error aws;
                    wf_error err;
                    wf_aws_parse_response_ex(&models[p], ops[o], &resp, &opts, &result, &aws, &err);
                    char *printed = result ? cJSON_PrintUnformatted(result) : NULL;
                    free(printed);
                    cJSON_Delete(result);
                }
            }
        }
    }
    wf_http_response_free(&resp);
    return 0;
}
