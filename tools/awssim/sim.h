/* The simulator: the embedded service models, the keys it accepts, the Lua world (one
 * lua_State, used under one mutex), the clock, the fault rules and the request log; and
 * the pipeline one AWS request goes through (service, SigV4, codec, faults, Lua, codec,
 * log). The HTTP server calls wf_sim_handle; control.c calls the world functions. */
#ifndef WF_SIM_H
#define WF_SIM_H
#include <pthread.h>
#include <stdbool.h>
#include <cjson/cJSON.h>
#include <lua.h>
#include "aws/model.h"
#include "faults.h"
#include "request_log.h"
#include "server.h"
#include "sim_clock.h"
#include "wf.h"

typedef struct wf_sim_credential {
    char *access_key, *secret_key;   /* owned */
    char *account;                   /* owned; "000000000000" unless given */
} wf_sim_credential;

typedef struct wf_sim_service {
    const char *name;           /* "ec2": the embedded model and the Lua module services.ec2 */
    wf_aws_model model;         /* owned */
    const char *signing_name;   /* credential scope service; borrowed from the model */
    const char *protocol;       /* "ec2", "query", "rest-xml", "json" */
    const char *target_prefix;  /* json protocol's X-Amz-Target prefix, or NULL */
} wf_sim_service;

/* What awssim_main.c parsed from the command line; strings are borrowed. */
typedef struct wf_sim_options {
    const char *seed_path;          /* --seed, or NULL */
    const char *state_path;         /* --state, or NULL */
    const char *request_log_path;   /* --request-log, or NULL */
    const char *region;             /* --region, default us-east-1 */
    double time_scale;              /* --time-scale, > 0 */
    const char **credentials;       /* --credentials KEY:SECRET[:ACCOUNT] */
    size_t n_credentials;           /* 0: testing:testing */
    unsigned long fault_seed;       /* random generator of probability faults */
    size_t max_body;                /* largest request body accepted */
} wf_sim_options;

typedef struct wf_sim {
    wf_sim_options opts;
    wf_sim_credential *credentials;
    size_t n_credentials;
    wf_sim_service *services;
    size_t n_services;
    lua_State *L;
    pthread_mutex_t lua_lock;       /* every use of L */
    int module_ref;                 /* registry ref of require "sim" */
    wf_sim_clock clock;
    wf_sim_faults *faults;
    wf_sim_request_log *log;
} wf_sim;

/* Builds the simulator: models, credentials, Lua world; loads --state when the file
 * exists, else applies --seed. On failure sim is half-built: call wf_sim_free anyway. */
wf_status wf_sim_init(wf_sim *sim, const wf_sim_options *opts, wf_error *err);
void wf_sim_free(wf_sim *sim);   /* accepts a zeroed or half-built simulator */

/* The server's handler (ud is the wf_sim): /_awssim/ paths go to the control endpoint,
 * everything else is an AWS request. */
void wf_sim_handle(void *ud, const wf_http_request *req, wf_sim_reply *reply);

/* Writes the world to path atomically (temporary file, fsync, rename). */
wf_status wf_sim_save(wf_sim *sim, const char *path, wf_error *err);
/* Replaces the world with the one saved in path. */
wf_status wf_sim_load(wf_sim *sim, const char *path, wf_error *err);
/* Adds a seed (JSON object, see docs/awssim.md) to the world. */
wf_status wf_sim_seed_json(wf_sim *sim, const cJSON *seed, wf_error *err);
/* Reads a seed file (.json, or .lua returning a table) and adds it to the world. */
wf_status wf_sim_seed_file(wf_sim *sim, const char *path, wf_error *err);
/* Empties the world, then applies --seed again when there is one. */
wf_status wf_sim_reset(wf_sim *sim, wf_error *err);
/* Every resource and its state, as a new JSON object ({"time": ..., "resources": ...}). */
cJSON *wf_sim_inventory(wf_sim *sim, wf_error *err);
/* The health of the application stack_name runs ({"status": 200 or 503, "reason", ...},
 * a new JSON object; lua/app_health.lua). */
cJSON *wf_sim_app_health(wf_sim *sim, const char *stack_name, wf_error *err);

/* The control endpoint (control.c): answers a request under /_awssim/. */
bool wf_sim_is_control_path(const char *path);
void wf_sim_control(wf_sim *sim, const wf_http_request *req, wf_sim_reply *reply);

/* The "simcore" Lua module (lua_sim.c): clock, hashes, base64, ids for the Lua side.
 * Needs the simulator pointer in the registry (wf_sim_lua_bind). */
void wf_sim_lua_bind(lua_State *L, wf_sim *sim);
int wf_sim_open_core(lua_State *L);

#endif
