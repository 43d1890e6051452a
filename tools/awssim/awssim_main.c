/* awssim: a local AWS on a loopback port. Parses the command line, builds the simulator,
 * serves until SIGTERM/SIGINT, then saves the state (with --state) and exits 0. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "sim.h"
#include "wf_build_info.h"

static const char usage[] =
    "usage: awssim [--listen 127.0.0.1:PORT] [--seed FILE] [--state FILE]\n"
    "              [--time-scale N] [--credentials KEY:SECRET[:ACCOUNT] ...]\n"
    "              [--region REGION] [--request-log FILE] [--fault SPEC ...]\n"
    "              [--fault-seed N]\n"
    "       awssim --version | --help\n"
    "\n"
    "A local AWS (EC2, Auto Scaling, RDS, CloudFormation, STS, S3, SSM wire protocols)\n"
    "with state, simulated time and fault injection. Prints its endpoint URL on the\n"
    "first line of stdout once it accepts connections.\n"
    "\n"
    "  --listen ADDR       loopback address and port (default 127.0.0.1:0, a free port);\n"
    "                      only 127.0.0.0/8 and [::1] are accepted\n"
    "  --seed FILE         starting world (JSON, or Lua returning a table), applied when\n"
    "                      the world is empty (no --state file yet)\n"
    "  --state FILE        load the world from FILE if it exists; save it there on exit\n"
    "                      and on POST /_awssim/save\n"
    "  --time-scale N      simulated time runs N times faster than real time (default 1)\n"
    "  --credentials K:S   an accepted access key and secret (repeatable; optional third\n"
    "                      field: the account id). Default testing:testing\n"
    "  --region REGION     default region (default us-east-1)\n"
    "  --request-log FILE  append the request log (JSON lines) to FILE\n"
    "  --fault SPEC        a fault rule, e.g. op=RunInstances,error=Unavailable,nth=2\n"
    "                      or throttle=0.5 or op=GetObject,latency_ms=200 or a JSON rule\n"
    "  --fault-seed N      seed of the random generator of probability faults\n"
    "  --version           print the version and the git commit it was built from\n"
    "\n"
    "Control endpoint (unsigned, same port): /_awssim/{health,faults,requests,inventory,\n"
    "clock,save,reset,seed}; /_awssim/apps/STACK/health: 200 while the stack's Auto\n"
    "Scaling group has an instance InService, else 503. See docs/awssim.md.\n";

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "awssim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(awssim --help shows the options)\n");
    return WF_EXIT_BAD_INPUT;
}

/* "--name value" or "--name=value": returns the value and advances *i, or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        return "";
    return argv[++*i];
}

int main(int argc, char **argv)
{
    wf_sim_options opts = {0};
    const char *listen_spec = "127.0.0.1:0";
    const char **faults = calloc((size_t)argc + 1, sizeof *faults);
    const char **creds = calloc((size_t)argc + 1, sizeof *creds);
    size_t n_faults = 0;
    int rc = WF_EXIT_BAD_INPUT;
    wf_sim sim = {0};
    wf_sim_server *server = NULL;
    if (!faults || !creds) {
        fprintf(stderr, "awssim: out of memory\n");
        goto out;
    }
    opts.time_scale = 1;
    opts.fault_seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
    opts.credentials = creds;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            rc = WF_EXIT_OK;
            goto out;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("awssim %s (commit %s)\n", WF_BUILD_VERSION, WF_BUILD_COMMIT);
            rc = WF_EXIT_OK;
            goto out;
        } else if ((v = option_value(argc, argv, &i, "--listen"))) {
            listen_spec = v;
        } else if ((v = option_value(argc, argv, &i, "--seed"))) {
            opts.seed_path = v;
        } else if ((v = option_value(argc, argv, &i, "--state"))) {
            opts.state_path = v;
        } else if ((v = option_value(argc, argv, &i, "--request-log"))) {
            opts.request_log_path = v;
        } else if ((v = option_value(argc, argv, &i, "--region"))) {
            opts.region = v;
        } else if ((v = option_value(argc, argv, &i, "--credentials"))) {
            creds[opts.n_credentials++] = v;
        } else if ((v = option_value(argc, argv, &i, "--fault"))) {
            faults[n_faults++] = v;
        } else if ((v = option_value(argc, argv, &i, "--time-scale"))) {
            char *end = NULL;
            opts.time_scale = strtod(v, &end);
            if (!*v || *end || !(opts.time_scale > 0) || !isfinite(opts.time_scale)) {
                rc = bad_usage("--time-scale %s: expected a number > 0", v);
                goto out;
            }
        } else if ((v = option_value(argc, argv, &i, "--fault-seed"))) {
            char *end = NULL;
            opts.fault_seed = strtoul(v, &end, 10);
            if (!*v || *end) {
                rc = bad_usage("--fault-seed %s: expected a whole number", v);
                goto out;
            }
        } else {
            rc = bad_usage("unknown argument \"%s\"", argv[i]);
            goto out;
        }
        if (v && !*v) {
            rc = bad_usage("%s needs a value", argv[i]);
            goto out;
        }
    }

    /* Refuse a non-loopback address before doing anything else. */
    wf_error err = {0};
    struct sockaddr_storage addr;
    socklen_t addr_len;
    if (wf_sim_parse_listen(listen_spec, &addr, &addr_len, &err) != WF_OK) {
        fprintf(stderr, "awssim: %s\n", err.message);
        goto out;
    }

    /* Signals go to sigwait below, never to a connection thread. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (wf_sim_init(&sim, &opts, &err) != WF_OK) {
        fprintf(stderr, "awssim: %s\n", err.message);
        goto out;
    }
    for (size_t i = 0; i < n_faults; i++) {
        if (wf_sim_faults_add_spec(sim.faults, faults[i], NULL, &err) != WF_OK) {
            fprintf(stderr, "awssim: --fault %s: %s\n", faults[i], err.message);
            goto out;
        }
    }
    server = wf_sim_server_start(listen_spec, sim.opts.max_body, wf_sim_handle, &sim, &err);
    if (!server) {
        fprintf(stderr, "awssim: %s\n", err.message);
        rc = 1;
        goto out;
    }
    printf("%s\n", wf_sim_server_url(server));
    fflush(stdout);
    fprintf(stderr, "awssim: listening on %s (time scale %g%s%s)\n", wf_sim_server_url(server),
            opts.time_scale, opts.state_path ? ", state " : "",
            opts.state_path ? opts.state_path : "");

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    fprintf(stderr, "awssim: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    wf_sim_server_stop(server);
    server = NULL;
    rc = WF_EXIT_OK;
    if (opts.state_path) {
        if (wf_sim_save(&sim, opts.state_path, &err) != WF_OK) {
            fprintf(stderr, "awssim: saving the state: %s\n", err.message);
            rc = 1;
        }
    }
out:
    wf_sim_server_stop(server);
    wf_sim_free(&sim);
    free(faults);
    free(creds);
    return rc;
}
