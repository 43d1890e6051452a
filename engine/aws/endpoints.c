/* Endpoint resolution: configured or regional default, host prefixes, S3 bucket addressing. */
#include "aws/endpoints.h"
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void wf_aws_endpoint_free(wf_aws_endpoint *ep)
{
    if (!ep)
        return;
    free(ep->scheme);
    free(ep->host);
    free(ep->base_path);
    memset(ep, 0, sizeof *ep);
}

static int host_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

wf_status wf_aws_endpoint_parse(const char *url, wf_aws_endpoint *out, wf_error *err)
{
    assert(url && out);
    const char *rest;
    const char *scheme;
    if (strncasecmp(url, "https://", 8) == 0) {
        scheme = "https";
        rest = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        scheme = "http";
        rest = url + 7;
    } else {
        return wf_error_set(err, WF_EINVAL,
                            "endpoint URL \"%.200s\" must start with http:// or https://", url);
    }
    const char *host = rest, *host_end;
    if (*host == '[') {   /* IPv6 literal: keep the brackets, they go in URL and Host */
        const char *close = strchr(host, ']');
        if (!close)
            return wf_error_set(err, WF_EINVAL, "endpoint URL \"%.200s\": unclosed '['", url);
        host_end = close + 1;
    } else {
        host_end = host;
        while (host_char(*host_end))
            host_end++;
    }
    if (host_end == host)
        return wf_error_set(err, WF_EINVAL, "endpoint URL \"%.200s\" has no host", url);
    const char *p = host_end;
    int port = 0;
    if (*p == ':') {
        p++;
        if (!isdigit((unsigned char)*p))
            return wf_error_set(err, WF_EINVAL, "endpoint URL \"%.200s\": bad port", url);
        long v = 0;
        while (isdigit((unsigned char)*p) && v <= 65535)
            v = v * 10 + (*p++ - '0');
        if (v < 1 || v > 65535)
            return wf_error_set(err, WF_EINVAL, "endpoint URL \"%.200s\": bad port", url);
        port = (int)v;
    }
    if (*p && *p != '/')
        return wf_error_set(err, WF_EINVAL,
                            "endpoint URL \"%.200s\": expected scheme://host[:port][/path]", url);
    const char *path = p;
    size_t path_len = strlen(path);
    if (strpbrk(path, "?#"))
        return wf_error_set(err, WF_EINVAL,
                            "endpoint URL \"%.200s\" may not have a query or fragment", url);
    while (path_len > 0 && path[path_len - 1] == '/')
        path_len--;

    out->scheme = strdup(scheme);
    out->host = dup_n(host, (size_t)(host_end - host));
    out->base_path = dup_n(path, path_len);
    out->port = port;
    out->custom = 1;
    if (!out->scheme || !out->host || !out->base_path)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    for (char *h = out->host; *h; h++)
        *h = (char)tolower((unsigned char)*h);
    return WF_OK;
}

wf_status wf_aws_endpoint_resolve(const wf_aws_config *cfg, const wf_aws_model *model,
                                  const char *region, wf_aws_endpoint *out, wf_error *err)
{
    assert(cfg && model && out);
    const char *service_id = wf_aws_model_meta(model, "serviceId");
    const char *configured = wf_aws_config_endpoint_url(cfg, service_id);
    if (configured)
        return wf_aws_endpoint_parse(configured, out, err);

    const char *prefix = wf_aws_model_meta(model, "endpointPrefix");
    if (!prefix)
        return wf_error_set(err, WF_EINVAL, "the %s model has no endpointPrefix",
                            service_id ? service_id : "service");
    if (!region || !*region)
        return wf_error_set(err, WF_EINVAL, "no AWS region: pass --region or set AWS_REGION");
    const char *suffix = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    size_t len = strlen(prefix) + strlen(region) + strlen(suffix) + 3;
    out->scheme = strdup("https");
    out->host = malloc(len);
    out->base_path = strdup("");
    out->custom = 0;
    if (!out->scheme || !out->host || !out->base_path)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    snprintf(out->host, len, "%s.%s.%s", prefix, region, suffix);
    return WF_OK;
}

int wf_aws_s3_virtual_hostable(const char *b)
{
    size_t n = b ? strlen(b) : 0;
    if (n < 3 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-')
            return 0;
        if ((i == 0 || i == n - 1) && !alnum)
            return 0;
    }
    return 1;
}

/* IP literals and localhost cannot take a prefix label or a bucket label. */
static int is_ip_or_localhost(const char *host)
{
    if (host[0] == '[' || strcmp(host, "localhost") == 0)
        return 1;
    for (const char *p = host; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != '.')
            return 0;
    return 1;
}

/* Concatenates up to three strings into a new one (memcpy: this runs on every call). */
static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc);
        s[la + lb + lc] = '\0';
    }
    return s;
}

wf_status wf_aws_endpoint_apply(const wf_aws_endpoint *ep, wf_aws_s3_addressing style,
                                const char *bucket, wf_http_request *req, char **origin,
                                char **host, wf_error *err)
{
    assert(ep && req && origin && host);
    *origin = *host = NULL;
    char *name = strdup(ep->host);
    if (!name)
        return wf_error_set(err, WF_ENOMEM, "out of memory");

    if (bucket && *bucket && style != WF_AWS_S3_PATH && wf_aws_s3_virtual_hostable(bucket) &&
        !is_ip_or_localhost(ep->host) && (style == WF_AWS_S3_VIRTUAL || !ep->custom)) {
        /* The serializer wrote "/<bucket>[/key]"; a hostable bucket needs no encoding. */
        size_t blen = strlen(bucket);
        const char *path = req->path ? req->path : "";
        if (path[0] == '/' && strncmp(path + 1, bucket, blen) == 0 &&
            (path[1 + blen] == '/' || path[1 + blen] == '\0')) {
            const char *rest = path[1 + blen] ? path + 1 + blen : "/";
            char *new_path = strdup(rest);
            char *new_name = join3(bucket, ".", name);
            if (!new_path || !new_name) {
                free(new_path);
                free(new_name);
                free(name);
                return wf_error_set(err, WF_ENOMEM, "out of memory");
            }
            free(req->path);
            req->path = new_path;
            free(name);
            name = new_name;
        }
    }
    if (req->host_prefix && *req->host_prefix && !is_ip_or_localhost(ep->host)) {
        char *prefixed = join3(req->host_prefix, "", name);
        free(name);
        name = prefixed;
        if (!name)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    if (ep->base_path && *ep->base_path) {
        char *joined = join3(ep->base_path, req->path ? req->path : "/", "");
        if (!joined) {
            free(name);
            return wf_error_set(err, WF_ENOMEM, "out of memory");
        }
        free(req->path);
        req->path = joined;
    }
    char port[16] = "";
    if (ep->port)
        snprintf(port, sizeof port, ":%d", ep->port);
    *host = join3(name, port, "");
    *origin = *host ? join3(ep->scheme, "://", *host) : NULL;
    free(name);
    if (!*origin || !*host) {
        free(*origin);
        free(*host);
        *origin = *host = NULL;
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    return WF_OK;
}
