/* Benchmark client for tools/bench/api-calls: N signed AWS calls through wf_aws_call on
 * one client (one kept-alive connection), as a workflow's primitives make them.
 *
 *   api_calls ENDPOINT N sts                 N x sts GetCallerIdentity
 *   api_calls ENDPOINT N s3-head BUCKET KEY  N x s3 HeadObject
 *
 * Credentials and region come from the environment, as for wfrun. Prints one line:
 * "calls=N wall_s=W user_s=U sys_s=S" measured around the loop only (the process's
 * own start-up is in what the caller measures from outside). Exit 1 on the first failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws/call.h"
#include "log.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: api_calls ENDPOINT N sts | api_calls ENDPOINT N s3-head BUCKET KEY\n");
        return 2;
    }
    const char *endpoint = argv[1];
    long n = strtol(argv[2], NULL, 10);
    const char *service = NULL, *operation = NULL;
    cJSON *params = cJSON_CreateObject();
    if (strcmp(argv[3], "sts") == 0) {
        service = "sts";
        operation = "GetCallerIdentity";
    } else if (strcmp(argv[3], "s3-head") == 0 && argc >= 6) {
        service = "s3";
        operation = "HeadObject";
        cJSON_AddStringToObject(params, "Bucket", argv[4]);
        cJSON_AddStringToObject(params, "Key", argv[5]);
    } else {
        fprintf(stderr, "api_calls: unknown call \"%s\"\n", argv[3]);
        return 2;
    }

    wf_log_configure(WF_LOG_TEXT, 0, stderr);
    wf_aws_client_options o = {.endpoint_url = endpoint, .max_attempts = 1};
    wf_aws_client *c = NULL;
    wf_error err = {0};
    int rc = 1;
    if (wf_aws_client_new(&o, &c, &err) != WF_OK) {
        fprintf(stderr, "api_calls: %s\n", err.message);
        goto out;
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        cJSON *result = NULL;
        wf_aws_error aws_err;
        wf_status st = wf_aws_call(c, service, operation, params, &result, &aws_err, &err);
        if (st != WF_OK || aws_err.is_error) {
            char line[512];
            if (st == WF_OK)
                wf_aws_error_describe(&aws_err, service, operation, line, sizeof line);
            fprintf(stderr, "api_calls: call %ld: %s\n", i + 1, st == WF_OK ? line : err.message);
            cJSON_Delete(result);
            goto out;
        }
        cJSON_Delete(result);
    }
    double t1 = now_s();
    getrusage(RUSAGE_SELF, &r1);
    printf("calls=%ld wall_s=%.6f user_s=%.6f sys_s=%.6f\n", n, t1 - t0,
           tv_s(r1.ru_utime) - tv_s(r0.ru_utime), tv_s(r1.ru_stime) - tv_s(r0.ru_stime));
    rc = 0;
out:
    wf_aws_client_free(c);
    cJSON_Delete(params);
    wf_log_shutdown();
    return rc;
}
