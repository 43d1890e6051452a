/* Splitting command-line words and converting parameter values by declared type. */
#include "args.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "duration.h"

static int valid_name(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return 0;
    return 1;
}

void wf_args_free(wf_arg *args, size_t count)
{
    if (!args)
        return;
    for (size_t i = 0; i < count; i++) {
        free(args[i].name);
        free(args[i].value);
    }
    free(args);
}

wf_status wf_args_split(int argc, const char *const *argv, wf_arg **out, size_t *count,
                        wf_error *err)
{
    *out = NULL;
    *count = 0;
    if (argc <= 0)
        return WF_OK;
    wf_arg *args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    size_t n = 0;
    int only_positionals = 0;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        wf_arg *a = &args[n];
        if (!w)
            continue;
        if (!only_positionals && strcmp(w, "--") == 0) {
            only_positionals = 1;
            continue;
        }
        if (only_positionals || w[0] != '-' || w[1] == '\0') {
            a->kind = WF_ARG_POSITIONAL;
            if (!(a->value = strdup(w)))
                goto nomem;
            n++;
            continue;
        }
        a->kind = WF_ARG_OPTION;
        const char *name = w + 1;
        if (*name == '-') {
            name++;
        } else {
            a->short_form = 1;
        }
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        if (!valid_name(name, name_len) || (a->short_form && name_len != 1)) {
            wf_args_free(args, n);
            return wf_error_set(err, WF_EINVAL, "argument %d: \"%.200s\" is not a valid option "
                                "(expected --name=value, --name or -x)", i + 1, w);
        }
        if (!(a->name = strndup(name, name_len)))
            goto nomem;
        if (eq && !(a->value = strdup(eq + 1)))
            goto nomem;
        n++;
    }
    *out = args;
    *count = n;
    return WF_OK;
nomem:
    wf_args_free(args, (size_t)argc);
    return wf_error_set(err, WF_ENOMEM, "out of memory");
}

static int parse_bool(const char *t, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0) { *out = 1; return 1; }
        if (strcasecmp(t, no[i]) == 0) { *out = 0; return 1; }
    }
    return 0;
}

static int parse_number(const char *t, double *out)
{
    char *end = NULL;
    if (!*t || isspace((unsigned char)*t))
        return 0;
    errno = 0;
    double v = strtod(t, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

wf_status wf_param_convert(const char *type, const char *text, const char *const *choices,
                           wf_value *out, wf_error *err)
{
    memset(out, 0, sizeof *out);
    out->kind = WF_VALUE_STRING;
    if (strcmp(type, "string") == 0 || strcmp(type, "secret") == 0)
        return WF_OK;
    if (strcmp(type, "path") == 0) {
        if (!*text)
            return wf_error_set(err, WF_EINVAL, "expected a path, got an empty value");
        return WF_OK;
    }
    if (strcmp(type, "number") == 0 || strcmp(type, "integer") == 0) {
        out->kind = WF_VALUE_NUMBER;
        if (!parse_number(text, &out->number))
            return wf_error_set(err, WF_EINVAL, "expected a number, got \"%.200s\"", text);
        if (type[0] == 'i' && (out->number != floor(out->number) || fabs(out->number) > 9007199254740992.0))
            return wf_error_set(err, WF_EINVAL, "expected a whole number, got \"%.200s\"", text);
        return WF_OK;
    }
    if (strcmp(type, "bool") == 0) {
        out->kind = WF_VALUE_BOOL;
        if (!parse_bool(text, &out->boolean))
            return wf_error_set(err, WF_EINVAL, "expected true or false, got \"%.200s\"", text);
        return WF_OK;
    }
    if (strcmp(type, "duration") == 0) {
        out->kind = WF_VALUE_NUMBER;
        return wf_duration_parse(text, &out->number, err);
    }
    if (strcmp(type, "enum") == 0) {
        char list[512] = "";
        size_t used = 0;
        for (size_t i = 0; choices && choices[i]; i++) {
            if (strcmp(text, choices[i]) == 0)
                return WF_OK;
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
            if (w > 0 && (size_t)w < sizeof list - used)
                used += (size_t)w;
        }
        return wf_error_set(err, WF_EINVAL, "expected one of %s, got \"%.200s\"", list, text);
    }
    return wf_error_set(err, WF_EINVAL, "unknown parameter type \"%.100s\"", type);
}
