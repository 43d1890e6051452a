/* HTTP over libcurl for the AWS layer: one reusable connection per endpoint origin,
 * timeouts, TLS verification, proxies from the environment, and transfers that stop
 * when wfrun is interrupted (SIGINT/SIGTERM) or a step deadline passes.
 *
 * Proxies: http_proxy, https_proxy/HTTPS_PROXY, all_proxy/ALL_PROXY and
 * no_proxy/NO_PROXY apply as libcurl reads them (only the lower-case http_proxy, for CGI
 * safety), read when the client first talks to an origin rather than on every request.
 * TLS: peers and host names are always verified; AWS_CA_BUNDLE names an extra CA file.
 *
 * Ownership: the client owns its curl handles. wf_http_send only reads the request; the
 * response's strings belong to the response (free it with wf_http_response_free, also
 * after a failure). Not thread-safe: one client per thread. */
#ifndef WF_HTTP_CLIENT_H
#define WF_HTTP_CLIENT_H
#include "aws/http_message.h"
#include "wf.h"

typedef struct wf_http_client wf_http_client;

typedef struct wf_http_client_options {
    double connect_timeout_s;   /* <= 0: 10 s */
    double timeout_s;           /* whole request; <= 0: 120 s */
} wf_http_client_options;

/* Creates a client (NULL options: the defaults). */
wf_status wf_http_client_new(const wf_http_client_options *opts, wf_http_client **out,
                             wf_error *err);
/* Closes its connections and frees it; accepts NULL. */
void wf_http_client_free(wf_http_client *c);

/* Sends req to origin ("https://ec2.us-east-1.amazonaws.com", "http://127.0.0.1:8080";
 * no path) at req->path and req->query, with req's headers exactly (a Host header in req
 * replaces curl's own; curl adds no Expect, Accept or Content-Type of its own), and the body
 * for any method that has one. resp must be zeroed; it receives the final status, the
 * response headers (of the last response, not of any 100 Continue) and the body.
 *
 * Returns WF_OK whenever an HTTP answer came back, whatever its status.
 * WF_EINTR / WF_ETIMEOUT: wf_interrupt_check stopped the transfer (signal or deadline).
 * WF_EIO: no answer (connection refused or dropped, TLS failure, the client's own
 * timeout), with curl's message. WF_EINVAL: a malformed origin or method, or a header
 * whose name is empty or holds ':', space or a line break, or whose value holds a line
 * break (it could smuggle in headers of its own). */
wf_status wf_http_send(wf_http_client *c, const char *origin, const wf_http_request *req,
                       wf_http_response *resp, wf_error *err);

/* Sets on curl, a libcurl easy handle (CURL *), the options every AWS transfer of wfrun uses: http(s) only,
 * HTTP/1.1, the two timeouts (ms), TLS verification with AWS_CA_BUNDLE, TCP keep-alive,
 * CURLOPT_NOSIGNAL (libcurl would otherwise swap the SIGPIPE handler around every
 * transfer: it needs no signals, its resolver is threaded and it sends with
 * MSG_NOSIGNAL) and the User-Agent "wfrun". For other transfer loops (libcurl multi). */
void wf_http_setup_defaults(void *curl, long connect_ms, long total_ms);

#endif
