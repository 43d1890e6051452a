/* The embedded AWS models: each loads, lists the operations wfrun calls, references only
 * shapes it holds, and serializes real requests as botocore does (expected requests below
 * were produced by botocore 1.43 from the same models, parameters in model order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "aws/model_load.h"
#include "aws/models_embedded.h"
#include "aws/serialize.h"
#include "check.h"

/* The operations of tools/aws_model_gen.py's list: dropping one breaks a workflow. */
static const char *const expected_ops[][2] = {
    {"ec2", "DescribeImages"}, {"ec2", "CreateImage"}, {"ec2", "DeregisterImage"},
    {"ec2", "CopyImage"}, {"ec2", "EnableImageDeprecation"}, {"ec2", "DescribeInstances"},
    {"ec2", "RunInstances"}, {"ec2", "StartInstances"}, {"ec2", "StopInstances"},
    {"ec2", "TerminateInstances"}, {"ec2", "CreateTags"}, {"ec2", "DeleteTags"},
    {"ec2", "GetConsoleOutput"}, {"ec2", "DescribeSnapshots"}, {"ec2", "DeleteSnapshot"},
    {"ec2", "DescribeLaunchTemplates"}, {"ec2", "DescribeLaunchTemplateVersions"},
    {"ec2", "CreateLaunchTemplateVersion"}, {"ec2", "DescribeSecurityGroups"},
    {"ec2", "DescribeSubnets"}, {"ec2", "CreateKeyPair"}, {"ec2", "DeleteKeyPair"},
    {"autoscaling", "DescribeAutoScalingGroups"}, {"autoscaling", "DescribeAutoScalingInstances"},
    {"autoscaling", "EnterStandby"}, {"autoscaling", "ExitStandby"},
    {"autoscaling", "DescribeScalingActivities"}, {"autoscaling", "UpdateAutoScalingGroup"},
    {"autoscaling", "SuspendProcesses"}, {"autoscaling", "ResumeProcesses"},
    {"autoscaling", "DescribeLaunchConfigurations"}, {"autoscaling", "SetInstanceProtection"},
    {"rds", "DescribeDBInstances"}, {"rds", "CreateDBSnapshot"}, {"rds", "DescribeDBSnapshots"},
    {"rds", "DeleteDBSnapshot"}, {"rds", "CopyDBSnapshot"},
    {"rds", "RestoreDBInstanceFromDBSnapshot"}, {"rds", "DeleteDBInstance"},
    {"rds", "ModifyDBInstance"}, {"rds", "AddTagsToResource"}, {"rds", "ListTagsForResource"},
    {"cloudformation", "CreateStack"}, {"cloudformation", "UpdateStack"},
    {"cloudformation", "DeleteStack"}, {"cloudformation", "DescribeStacks"},
    {"cloudformation", "DescribeStackResources"}, {"cloudformation", "ListStackResources"},
    {"cloudformation", "DescribeStackEvents"}, {"cloudformation", "GetTemplate"},
    {"cloudformation", "ValidateTemplate"}, {"cloudformation", "CreateChangeSet"},
    {"cloudformation", "DescribeChangeSet"}, {"cloudformation", "ExecuteChangeSet"},
    {"cloudformation", "DeleteChangeSet"}, {"cloudformation", "ListStacks"},
    {"s3", "ListBuckets"}, {"s3", "CreateBucket"}, {"s3", "DeleteBucket"}, {"s3", "HeadBucket"},
    {"s3", "ListObjectsV2"}, {"s3", "HeadObject"}, {"s3", "GetObject"}, {"s3", "PutObject"},
    {"s3", "CopyObject"}, {"s3", "DeleteObject"}, {"s3", "DeleteObjects"},
    {"s3", "CreateMultipartUpload"}, {"s3", "UploadPart"}, {"s3", "UploadPartCopy"},
    {"s3", "CompleteMultipartUpload"}, {"s3", "AbortMultipartUpload"},
    {"s3", "GetBucketLocation"}, {"sts", "GetCallerIdentity"}, {"sts", "AssumeRole"},
    {"ssm", "SendCommand"}, {"ssm", "GetCommandInvocation"}, {"ssm", "ListCommandInvocations"},
    {"ssm", "GetParameter"},
};

static int shape_exists(const wf_aws_model *m, const cJSON *ref, const char *where)
{
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ref, "shape"));
    if (name && wf_aws_model_shape(m, name))
        return 1;
    fprintf(stderr, "%s: shape %s is missing\n", where, name ? name : "(unnamed)");
    return 0;
}

/* Every shape an operation or a shape references is in the model. */
static void check_closure(const char *service, const wf_aws_model *m)
{
    const cJSON *op;
    cJSON_ArrayForEach(op, m->operations) {
        CHECK(!cJSON_GetObjectItem(op, "input") ||
              shape_exists(m, cJSON_GetObjectItem(op, "input"), op->string));
        CHECK(!cJSON_GetObjectItem(op, "output") ||
              shape_exists(m, cJSON_GetObjectItem(op, "output"), op->string));
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(op, "errors"))
            CHECK(shape_exists(m, e, op->string));
    }
    const cJSON *shape;
    cJSON_ArrayForEach(shape, m->shapes) {
        CHECK(cJSON_GetObjectItemCaseSensitive(shape, "documentation") == NULL);
        const cJSON *member;
        cJSON_ArrayForEach(member, cJSON_GetObjectItem(shape, "members"))
            CHECK(shape_exists(m, member, shape->string));
        static const char *const parts[] = {"member", "key", "value"};
        for (int i = 0; i < 3; i++)
            if (cJSON_GetObjectItem(shape, parts[i]))
                CHECK(shape_exists(m, cJSON_GetObjectItem(shape, parts[i]), shape->string));
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(m->root, "waiters"))
        CHECK(wf_aws_model_operation(m, cJSON_GetStringValue(
                  cJSON_GetObjectItem(w, "operation"))) != NULL);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(m->root, "paginators"))
        CHECK(wf_aws_model_operation(m, p->string) != NULL);
    const char *protocol = wf_aws_model_protocol(m);
    CHECK(protocol && (strcmp(protocol, "ec2") == 0 || strcmp(protocol, "query") == 0 ||
                       strcmp(protocol, "rest-xml") == 0 || strcmp(protocol, "json") == 0));
    fprintf(stderr, "%s: %d operations, %d shapes\n", service,
            cJSON_GetArraySize(m->operations), cJSON_GetArraySize(m->shapes));
}

static void test_models(void)
{
    int services = 0;
    for (const wf_aws_embedded_model *e = wf_aws_embedded_models; e->service; e++) {
        wf_aws_model m;
        wf_error err = {0};
        CHECK_INT_EQ(wf_aws_model_load(e->service, &m, &err), WF_OK);
        if (m.root)
            check_closure(e->service, &m);
        wf_aws_model_free(&m);
        services++;
    }
    CHECK_INT_EQ(services, 7);
    for (size_t i = 0; i < sizeof expected_ops / sizeof expected_ops[0]; i++) {
        wf_aws_model m;
        wf_error err = {0};
        CHECK_INT_EQ(wf_aws_model_load(expected_ops[i][0], &m, &err), WF_OK);
        if (!wf_aws_model_operation(&m, expected_ops[i][1]))
            fprintf(stderr, "%s has no %s\n", expected_ops[i][0], expected_ops[i][1]);
        CHECK(wf_aws_model_operation(&m, expected_ops[i][1]) != NULL);
        wf_aws_model_free(&m);
    }
    wf_aws_model m;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_model_load("lambda", &m, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "lambda") != NULL);
    wf_aws_model_free(&m);
}

/* Serializes params (JSON text) for service/op; returns the status, fills req and err. */
static wf_status ser(const char *service, const char *op, const char *params,
                     wf_http_request *req, wf_error *err)
{
    wf_aws_model m;
    memset(req, 0, sizeof *req);
    wf_status st = wf_aws_model_load(service, &m, err);
    cJSON *p = cJSON_Parse(params);
    if (st == WF_OK)
        st = wf_aws_serialize(&m, op, p, req, err);
    cJSON_Delete(p);
    wf_aws_model_free(&m);
    return st;
}

static void test_query_requests(void)
{
    wf_http_request r;
    wf_error err = {0};
    CHECK_INT_EQ(ser("ec2", "DescribeImages",
                     "{\"ImageIds\":[\"ami-1\",\"ami-2\"],\"Owners\":[\"self\"],"
                     "\"IncludeDeprecated\":true,\"MaxResults\":10,\"Filters\":["
                     "{\"Name\":\"name\",\"Values\":[\"app-*\",\"web ?\"]},"
                     "{\"Name\":\"state\",\"Values\":[\"available\"]}]}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.method, "POST");
    CHECK_STR_EQ(r.path, "/");
    CHECK_STR_EQ(r.query, "");
    CHECK(r.host_prefix == NULL);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "content-type"),
                 "application/x-www-form-urlencoded");
    CHECK_STR_EQ(r.body, "Action=DescribeImages&Version=2016-11-15&ImageId.1=ami-1&"
                 "ImageId.2=ami-2&Owner.1=self&IncludeDeprecated=true&MaxResults=10&"
                 "Filter.1.Name=name&Filter.1.Value.1=app-%2A&Filter.1.Value.2=web%20%3F&"
                 "Filter.2.Name=state&Filter.2.Value.1=available");
    CHECK_INT_EQ(r.body_len, strlen(r.body));
    wf_http_request_free(&r);

    /* A timestamp given as an ISO-8601 string, and as epoch seconds. */
    CHECK_INT_EQ(ser("ec2", "EnableImageDeprecation",
                     "{\"ImageId\":\"ami-1\",\"DeprecateAt\":\"2030-01-02T04:04:05+01:00\"}",
                     &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=EnableImageDeprecation&Version=2016-11-15&ImageId=ami-1&"
                 "DeprecateAt=2030-01-02T03%3A04%3A05Z");
    wf_http_request_free(&r);
    CHECK_INT_EQ(ser("ec2", "EnableImageDeprecation",
                     "{\"ImageId\":\"ami-1\",\"DeprecateAt\":1893553445.25}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=EnableImageDeprecation&Version=2016-11-15&ImageId=ami-1&"
                 "DeprecateAt=2030-01-02T03%3A04%3A05.250Z");
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("cloudformation", "CreateStack",
                     "{\"StackName\":\"s\",\"TemplateBody\":\"{\\\"Resources\\\":{}}\","
                     "\"Parameters\":[{\"ParameterKey\":\"A\",\"ParameterValue\":\"1\"},"
                     "{\"ParameterKey\":\"B\",\"UsePreviousValue\":true}],"
                     "\"Capabilities\":[\"CAPABILITY_IAM\"],\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}",
                     &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=CreateStack&Version=2010-05-15&StackName=s&"
                 "TemplateBody=%7B%22Resources%22%3A%7B%7D%7D&"
                 "Parameters.member.1.ParameterKey=A&Parameters.member.1.ParameterValue=1&"
                 "Parameters.member.2.ParameterKey=B&Parameters.member.2.UsePreviousValue=true&"
                 "Capabilities.member.1=CAPABILITY_IAM&Tags.member.1.Key=k&Tags.member.1.Value=v");
    wf_http_request_free(&r);

    /* Query sends an empty list as "Name=", so "suspend nothing" is not "suspend all". */
    CHECK_INT_EQ(ser("autoscaling", "SuspendProcesses",
                     "{\"AutoScalingGroupName\":\"g\",\"ScalingProcesses\":[]}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=SuspendProcesses&Version=2011-01-01&AutoScalingGroupName=g&"
                 "ScalingProcesses=");
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("sts", "GetCallerIdentity", NULL, &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=GetCallerIdentity&Version=2011-06-15");
    wf_http_request_free(&r);
}

static int is_uuid4(const char *s)
{
    if (strlen(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return 0;
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static void test_idempotency_token(void)
{
    wf_http_request r;
    wf_error err = {0};
    CHECK_INT_EQ(ser("ec2", "RunInstances",
                     "{\"ImageId\":\"ami-1\",\"MinCount\":1,\"MaxCount\":1}", &r, &err), WF_OK);
    const char *token = strstr(r.body, "&ClientToken=");
    CHECK(token != NULL);
    if (token) {
        char value[64];
        snprintf(value, sizeof value, "%.36s", token + 13);
        CHECK(is_uuid4(value));
    }
    wf_http_request_free(&r);
    /* A token the caller gives is kept, so a retry of the same step reuses it. */
    CHECK_INT_EQ(ser("ec2", "RunInstances",
                     "{\"ImageId\":\"ami-1\",\"MinCount\":1,\"MaxCount\":1,\"ClientToken\":\"t-1\"}",
                     &r, &err), WF_OK);
    CHECK(strstr(r.body, "&ClientToken=t-1") != NULL);
    wf_http_request_free(&r);
}

static void test_rest_xml_requests(void)
{
    wf_http_request r;
    wf_error err = {0};
    CHECK_INT_EQ(ser("s3", "PutObject",
                     "{\"Bucket\":\"bkt\",\"Key\":\"dir/a b+c.txt\",\"Body\":\"hello\","
                     "\"ContentType\":\"text/plain\",\"Metadata\":{\"owner\":\"me\"}}",
                     &r, &err), WF_OK);
    CHECK_STR_EQ(r.method, "PUT");
    CHECK_STR_EQ(r.path, "/bkt/dir/a%20b%2Bc.txt");
    CHECK_STR_EQ(r.query, "");
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "Content-Type"), "text/plain");
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "x-amz-meta-owner"), "me");
    CHECK_STR_EQ(r.body, "hello");
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("s3", "ListObjectsV2",
                     "{\"Bucket\":\"bkt\",\"Prefix\":\"a b/\",\"MaxKeys\":10}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.method, "GET");
    CHECK_STR_EQ(r.path, "/bkt");
    CHECK_STR_EQ(r.query, "list-type=2&max-keys=10&prefix=a%20b%2F");
    CHECK_INT_EQ(r.body_len, 0);
    wf_http_request_free(&r);

    /* DeleteObjects needs a body checksum: Content-MD5 of exactly this body. */
    CHECK_INT_EQ(ser("s3", "DeleteObjects",
                     "{\"Bucket\":\"bkt\",\"Delete\":{\"Objects\":[{\"Key\":\"a\"},"
                     "{\"Key\":\"b\",\"VersionId\":\"v1\"}],\"Quiet\":true}}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.path, "/bkt");
    CHECK_STR_EQ(r.query, "delete");
    CHECK_STR_EQ(r.body, "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object>"
                 "<Key>a</Key></Object><Object><Key>b</Key><VersionId>v1</VersionId></Object>"
                 "<Quiet>true</Quiet></Delete>");
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "Content-MD5"), "yJoGXutAfUwoTft5+0Z+oQ==");
    wf_http_request_free(&r);

    /* The payload element is named by the member (CompleteMultipartUpload), not its shape. */
    CHECK_INT_EQ(ser("s3", "CompleteMultipartUpload",
                     "{\"Bucket\":\"bkt\",\"Key\":\"k\",\"UploadId\":\"u1\",\"MultipartUpload\":"
                     "{\"Parts\":[{\"ETag\":\"\\\"e1\\\"\",\"PartNumber\":1}]}}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.query, "uploadId=u1");
    CHECK_STR_EQ(r.body, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                 "<Part><ETag>\"e1\"</ETag><PartNumber>1</PartNumber></Part>"
                 "</CompleteMultipartUpload>");
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("s3", "GetObject",
                     "{\"Bucket\":\"bkt\",\"Key\":\"k\",\"IfModifiedSince\":\"2020-01-01T00:00:00Z\"}",
                     &r, &err), WF_OK);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "If-Modified-Since"),
                 "Wed, 01 Jan 2020 00:00:00 GMT");
    wf_http_request_free(&r);
}

/* The member tables of a model: members by name, header members by header name
 * (any case), several members on one header, and a table built for a shape that is not
 * the model's own. */
static void test_shape_info(void)
{
    wf_aws_model m;
    wf_error err = {0};
    CHECK_INT_EQ(wf_aws_model_load("s3", &m, &err), WF_OK);
    const cJSON *out = wf_aws_model_shape(&m, "HeadObjectOutput");
    wf_aws_shape_info scratch;
    const wf_aws_shape_info *si = wf_aws_model_shape_info(&m, out, &scratch);
    CHECK(si != NULL && si != &scratch);   /* the model's own, built on first use */
    wf_aws_shape_info again;
    CHECK(wf_aws_model_shape_info(&m, out, &again) == si);   /* and kept */
    if (si) {
        CHECK_INT_EQ(si->count, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "members")));
        CHECK_INT_EQ(si->located, si->count);
        const wf_aws_member_info *cl = wf_aws_shape_info_header(si, "content-LENGTH");
        CHECK(cl != NULL && strcmp(cl->name, "ContentLength") == 0);
        CHECK(cl && cl->where == WF_AWS_LOC_HEADER && cl->target == wf_aws_model_shape(&m, "ContentLength"));
        CHECK(wf_aws_shape_info_header(si, "x-amz-meta-") == NULL);   /* a prefix map */
        const wf_aws_member_info *meta = wf_aws_shape_info_member(si, "Metadata");
        CHECK(meta && meta->where == WF_AWS_LOC_HEADERS);
        CHECK(wf_aws_shape_info_member(si, "metadata") == NULL);   /* names keep their case */
        CHECK(wf_aws_shape_info_header(si, "x-unknown") == NULL);
    }
    wf_aws_shape_info_release(&scratch);
    const wf_aws_shape_info *in =
        wf_aws_model_shape_info(&m, wf_aws_model_shape(&m, "HeadObjectRequest"), &scratch);
    const wf_aws_member_info *key = in ? wf_aws_shape_info_member(in, "Key") : NULL;
    CHECK(key && key->where == WF_AWS_LOC_URI && strcmp(key->location_name, "Key") == 0);
    CHECK(in && in->idempotency_tokens == 0);
    wf_aws_shape_info_release(&scratch);
    wf_aws_model_free(&m);

    /* Not a shape of the model: built into scratch, with the same lookups. */
    cJSON *shape = cJSON_Parse("{\"type\":\"structure\",\"members\":{"
                               "\"A\":{\"shape\":\"S\",\"location\":\"header\",\"locationName\":\"X-One\"},"
                               "\"B\":{\"shape\":\"S\",\"location\":\"header\",\"locationName\":\"x-one\"},"
                               "\"C\":{\"shape\":\"S\",\"location\":\"statusCode\"},"
                               "\"D\":{\"shape\":\"S\",\"idempotencyToken\":true,\"xmlAttribute\":true},"
                               "\"E\":{\"shape\":\"S\",\"locationName\":\"C\"},"
                               "\"F\":{\"shape\":\"L\"}}}");
    CHECK_INT_EQ(wf_aws_model_init(&m, cJSON_Parse("{\"metadata\":{},\"operations\":{},"
                                                   "\"shapes\":{\"S\":{\"type\":\"string\"},"
                                                   "\"L\":{\"type\":\"list\",\"member\":{\"shape\":\"S\"},"
                                                   "\"flattened\":true}}}"),
                                   &err), WF_OK);
    si = wf_aws_model_shape_info(&m, shape, &scratch);
    CHECK(si == &scratch);
    if (si) {
        CHECK_INT_EQ(si->count, 6);
        CHECK_INT_EQ(si->located, 3);
        CHECK_INT_EQ(si->idempotency_tokens, 1);
        const wf_aws_member_info *a = wf_aws_shape_info_header(si, "X-ONE");
        CHECK(a && strcmp(a->name, "A") == 0 && a->target == wf_aws_model_shape(&m, "S"));
        const wf_aws_member_info *b = a && a->same_header_next ? &si->members[a->same_header_next - 1] : NULL;
        CHECK(b && strcmp(b->name, "B") == 0 && b->same_header_next == 0);
        const wf_aws_member_info *c = wf_aws_shape_info_member(si, "C");
        CHECK(c && c->where == WF_AWS_LOC_STATUS_CODE && c->location_name == NULL);
        const wf_aws_member_info *d = wf_aws_shape_info_member(si, "D");
        CHECK(d && d->where == WF_AWS_LOC_NONE && d->xml_attribute);
        /* XML element names: locationName, else the name, case kept; members sharing
         * one chain in model order. */
        CHECK(wf_aws_shape_info_xml(si, "X-One") == a);
        CHECK(wf_aws_shape_info_xml(si, "x-one") == b);
        CHECK(wf_aws_shape_info_xml(si, "X-ONE") == NULL);
        CHECK(wf_aws_shape_info_xml(si, "A") == NULL);
        CHECK(wf_aws_shape_info_xml(si, "C") == c);
        const wf_aws_member_info *e = c && c->same_xml_next ? &si->members[c->same_xml_next - 1] : NULL;
        CHECK(e && strcmp(e->name, "E") == 0 && e->same_xml_next == 0);
        CHECK(d && strcmp(d->target_type, "string") == 0 && !d->flattened);
        const wf_aws_member_info *f = wf_aws_shape_info_xml(si, "F");
        CHECK(f && strcmp(f->target_type, "list") == 0 && f->flattened);   /* from the target */
    }
    wf_aws_shape_info_release(&scratch);
    wf_aws_model_free(&m);
    cJSON_Delete(shape);
}

/* The rest-xml serializer looks at the members given, not all of them: order, null and
 * duplicate keys must come out as a walk over all the members gives them. */
static void test_rest_xml_given_members(void)
{
    wf_http_request r;
    wf_error err = {0};
    /* Given in reverse: written in the model's order all the same. */
    CHECK_INT_EQ(ser("s3", "HeadObject",
                     "{\"PartNumber\":2,\"VersionId\":\"v 1\",\"Range\":\"bytes=0-1\","
                     "\"IfMatch\":\"e\",\"Key\":\"a/b c\",\"Bucket\":\"bkt\"}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.method, "HEAD");
    CHECK_STR_EQ(r.path, "/bkt/a/b%20c");
    CHECK_STR_EQ(r.query, "versionId=v%201&partNumber=2");
    CHECK_INT_EQ(r.headers.count, 2);
    if (r.headers.count == 2) {
        CHECK_STR_EQ(r.headers.items[0].name, "If-Match");
        CHECK_STR_EQ(r.headers.items[1].name, "Range");
    }
    wf_http_request_free(&r);

    /* The first key of a name counts: null first means not given. */
    CHECK_INT_EQ(ser("s3", "HeadObject",
                     "{\"Bucket\":\"bkt\",\"Key\":\"k\",\"Range\":null,\"Range\":\"bytes=0-1\","
                     "\"IfMatch\":\"first\",\"IfMatch\":\"second\"}", &r, &err), WF_OK);
    CHECK(wf_http_headers_get(&r.headers, "Range") == NULL);
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "If-Match"), "first");
    CHECK_INT_EQ(r.headers.count, 1);
    wf_http_request_free(&r);

    /* A URI label given as null is missing. */
    CHECK_INT_EQ(ser("s3", "HeadObject", "{\"Bucket\":\"bkt\",\"Key\":null}", &r, &err),
                 WF_EINVAL);
    CHECK(strstr(err.message, "HeadObject: parameter Key: missing required parameter") != NULL);
    wf_http_request_free(&r);
}

static void test_json_requests(void)
{
    wf_http_request r;
    wf_error err = {0};
    CHECK_INT_EQ(ser("ssm", "SendCommand",
                     "{\"InstanceIds\":[\"i-1\"],\"DocumentName\":\"AWS-RunShellScript\","
                     "\"Parameters\":{\"commands\":[\"echo hi\"]},\"TimeoutSeconds\":60}",
                     &r, &err), WF_OK);
    CHECK_STR_EQ(r.method, "POST");
    CHECK_STR_EQ(r.path, "/");
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "X-Amz-Target"), "AmazonSSM.SendCommand");
    CHECK_STR_EQ(wf_http_headers_get(&r.headers, "Content-Type"), "application/x-amz-json-1.1");
    CHECK_STR_EQ(r.body, "{\"InstanceIds\":[\"i-1\"],\"DocumentName\":\"AWS-RunShellScript\","
                 "\"TimeoutSeconds\":60,\"Parameters\":{\"commands\":[\"echo hi\"]}}");
    wf_http_request_free(&r);
}

static void test_errors(void)
{
    wf_http_request r;
    wf_error err = {0};
    CHECK_INT_EQ(ser("ec2", "DescribeImages", "{\"Owner\":[\"self\"]}", &r, &err), WF_EINVAL);
    CHECK(strstr(err.message, "DescribeImages: parameter Owner: unknown parameter") != NULL);
    CHECK(strstr(err.message, "Owners") != NULL);   /* the members are listed */
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("ec2", "DescribeImages", "{\"Filters\":[{\"Name\":\"a\",\"Values\":[1]}]}",
                     &r, &err), WF_EINVAL);
    CHECK(strstr(err.message, "parameter Filters[1].Values[1]: expected a string") != NULL);
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("rds", "CreateDBSnapshot", "{\"DBSnapshotIdentifier\":\"s\"}", &r, &err),
                 WF_EINVAL);
    CHECK(strstr(err.message, "DBInstanceIdentifier: missing required parameter") != NULL);
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("ec2", "DescribeImages", "{\"MaxResults\":1.5}", &r, &err), WF_EINVAL);
    CHECK(strstr(err.message, "MaxResults: expected an integer") != NULL);
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("ec2", "EnableImageDeprecation",
                     "{\"ImageId\":\"a\",\"DeprecateAt\":\"tomorrow\"}", &r, &err), WF_EINVAL);
    CHECK(strstr(err.message, "DeprecateAt: expected a timestamp") != NULL);
    wf_http_request_free(&r);

    /* An empty Lua table may arrive as [] or {}: both mean "empty" wherever they go. */
    CHECK_INT_EQ(ser("sts", "GetCallerIdentity", "[]", &r, &err), WF_OK);
    wf_http_request_free(&r);
    CHECK_INT_EQ(ser("ec2", "DescribeImages", "{\"Filters\":{},\"Owners\":[]}", &r, &err), WF_OK);
    CHECK_STR_EQ(r.body, "Action=DescribeImages&Version=2016-11-15");
    wf_http_request_free(&r);
    CHECK_INT_EQ(ser("ec2", "DescribeImages", "{\"Filters\":{\"Name\":\"a\"}}", &r, &err),
                 WF_EINVAL);
    CHECK(strstr(err.message, "Filters: expected a list") != NULL);
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("ec2", "DescribeImages", "[1]", &r, &err), WF_EINVAL);
    wf_http_request_free(&r);

    CHECK_INT_EQ(ser("ec2", "DescribeUnicorns", "{}", &r, &err), WF_ENOTFOUND);
    CHECK(strstr(err.message, "DescribeUnicorns") != NULL);
    wf_http_request_free(&r);
}

int main(void)
{
    test_models();
    test_query_requests();
    test_idempotency_token();
    test_rest_xml_requests();
    test_shape_info();
    test_rest_xml_given_members();
    test_json_requests();
    test_errors();
    return CHECK_DONE();
}
