/* Command-line words -> options and positionals, and typed conversion of parameter values.
 * Both read untrusted input (CI job definitions), so both have a fuzz target. */
#ifndef WF_ARGS_H
#define WF_ARGS_H
#include <stddef.h>
#include "wf.h"

typedef enum wf_arg_kind { WF_ARG_POSITIONAL, WF_ARG_OPTION } wf_arg_kind;

typedef struct wf_arg {
    wf_arg_kind kind;
    char *name;       /* option name without dashes; NULL for positionals */
    char *value;      /* "--name=value" or a positional; NULL for a bare "--name" */
    int short_form;   /* 1 for "-v" */
} wf_arg;

/* Splits argv: "--name=value", "--name", "-x", "--" (the rest are positionals) and
 * positionals. Option names are [A-Za-z0-9_.-]+; anything else is WF_EINVAL naming the
 * word. On success *out is a malloc'ed array the caller frees with wf_args_free. */
wf_status wf_args_split(int argc, const char *const *argv, wf_arg **out, size_t *count,
                        wf_error *err);
void wf_args_free(wf_arg *args, size_t count);

typedef enum wf_value_kind { WF_VALUE_STRING, WF_VALUE_NUMBER, WF_VALUE_BOOL } wf_value_kind;

typedef struct wf_value {
    wf_value_kind kind;
    double number;
    int boolean;
} wf_value;

/* Converts text for a parameter of type: string, path, secret (kept as text), number,
 * integer, bool (true/false/yes/no/on/off/1/0), duration (seconds), enum (one of choices,
 * a NULL-terminated list). WF_EINVAL with a message that quotes the text and says what
 * was expected. */
wf_status wf_param_convert(const char *type, const char *text, const char *const *choices,
                           wf_value *out, wf_error *err);

#endif
