/* The HTTP side of awssim: libmicrohttpd on a loopback socket, one thread per connection.
 * Each complete request (raw path and query as on the wire, headers in order, whole body)
 * goes to one handler, which fills a reply or asks to drop the connection. The handler
 * runs on connection threads, several at once: it does its own locking. */
#ifndef WF_SIM_SERVER_H
#define WF_SIM_SERVER_H
#include <stdbool.h>
#include <sys/socket.h>
#include "aws/http_message.h"
#include "wf.h"

typedef struct wf_sim_reply {
    wf_http_response response;   /* status (0 means 500), headers, body; owned, freed by
                                    the server. Content-Length, Transfer-Encoding,
                                    Connection and Date headers are the server's own: for
                                    a HEAD request a Content-Length set here is what the
                                    answer announces, otherwise they are dropped. */
    bool drop;                   /* close the connection without an answer */
} wf_sim_reply;

/* Called once per request with req fully read (req->body NUL-terminated). reply is
 * zeroed. */
typedef void (*wf_sim_handler_fn)(void *ud, const wf_http_request *req, wf_sim_reply *reply);

typedef struct wf_sim_server wf_sim_server;

/* Parses "127.0.0.1:PORT", "localhost:PORT" or "[::1]:PORT" (PORT 0 picks a free one)
 * into addr. Anything that is not a loopback address (127.0.0.0/8, ::1) is WF_EINVAL with
 * a message saying so: awssim is never reachable from another machine. */
wf_status wf_sim_parse_listen(const char *spec, struct sockaddr_storage *addr,
                              socklen_t *addr_len, wf_error *err);

/* Binds, listens and starts serving; when it returns the socket accepts connections.
 * max_body: larger bodies get 413 without reaching the handler. NULL with err set. */
wf_sim_server *wf_sim_server_start(const char *listen, size_t max_body,
                                   wf_sim_handler_fn handler, void *ud, wf_error *err);
/* "http://127.0.0.1:PORT" with the port actually bound. */
const char *wf_sim_server_url(const wf_sim_server *s);
/* Stops accepting, closes every connection (waiting for handlers running), frees s.
 * Accepts NULL. */
void wf_sim_server_stop(wf_sim_server *s);

#endif
