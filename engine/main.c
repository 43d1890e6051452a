/* wfrun's entry point: a Lua host running dsl/main.lua, which reads the command line. */
#include <stdio.h>
#include <lua.h>

#include "interrupt.h"
#include "log.h"
#include "lua_host.h"

int main(int argc, char **argv)
{
    wf_error err = {0};
    lua_State *L = wf_host_new(&err);
    if (!L) {
        fprintf(stderr, "wfrun: %s\n", err.message);
        return WF_EXIT_INCOMPLETE;
    }
    wf_interrupt_install();
    int code = wf_host_run_main(L, "dsl.main", argc - 1, argv + 1);
    lua_close(L);
    wf_log_shutdown();
    return code;
}
