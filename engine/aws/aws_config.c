/* AWS configuration: the shared ini files, profile, region and endpoint overrides. */
#include "aws/aws_config.h"
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct ini_entry {
    char *section;
    char *key;
    char *value;
} ini_entry;

struct wf_aws_ini {
    ini_entry *items;
    size_t count, cap;
    char **sections;
    size_t nsections, capsections;
};

/* --- Ini parsing ---------------------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Cuts an inline comment: '#' or ';' preceded by whitespace. */
static void cut_comment(char *s)
{
    for (char *p = s; *p; p++) {
        if ((*p == '#' || *p == ';') && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* "profile   dev" -> "profile dev": section names compare with single spaces. */
static void collapse_spaces(char *s)
{
    char *w = s;
    int space = 0;
    for (char *r = s; *r; r++) {
        if (*r == ' ' || *r == '\t') {
            space = 1;
            continue;
        }
        if (space && w != s)
            *w++ = ' ';
        space = 0;
        *w++ = *r;
    }
    *w = '\0';
}

static ini_entry *find_entry(const wf_aws_ini *ini, const char *section, const char *key)
{
    for (size_t i = ini->count; i-- > 0;)
        if (strcmp(ini->items[i].section, section) == 0 && strcmp(ini->items[i].key, key) == 0)
            return &ini->items[i];
    return NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static wf_status add_section(wf_aws_ini *ini, const char *name)
{
    for (size_t i = 0; i < ini->nsections; i++)
        if (strcmp(ini->sections[i], name) == 0)
            return WF_OK;
    if (ini->nsections == ini->capsections) {
        size_t cap = ini->capsections ? ini->capsections * 2 : 8;
        char **grown = realloc(ini->sections, cap * sizeof *grown);
        if (!grown)
            return WF_ENOMEM;
        ini->sections = grown;
        ini->capsections = cap;
    }
    ini->sections[ini->nsections] = strdup(name);
    if (!ini->sections[ini->nsections])
        return WF_ENOMEM;
    ini->nsections++;
    return WF_OK;
}

/* Sets section.key = value, replacing an earlier value (last one wins). */
static wf_status set_value(wf_aws_ini *ini, const char *section, const char *key,
                           const char *value)
{
    char *v = strdup(value);
    if (!v)
        return WF_ENOMEM;
    ini_entry *e = find_entry(ini, section, key);
    if (e) {
        wipe_free(e->value);
        e->value = v;
        return WF_OK;
    }
    if (ini->count == ini->cap) {
        size_t cap = ini->cap ? ini->cap * 2 : 16;
        ini_entry *grown = realloc(ini->items, cap * sizeof *grown);
        if (!grown) {
            free(v);
            return WF_ENOMEM;
        }
        ini->items = grown;
        ini->cap = cap;
    }
    e = &ini->items[ini->count];
    e->section = strdup(section);
    e->key = strdup(key);
    e->value = v;
    if (!e->section || !e->key) {
        free(e->section);
        free(e->key);
        free(v);
        return WF_ENOMEM;
    }
    ini->count++;
    return WF_OK;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* Splits "key = value" / "key: value" at the first delimiter; NULL when there is none. */
static char *split_key(char *line)
{
    char *eq = strchr(line, '='), *colon = strchr(line, ':');
    char *d = eq && (!colon || eq < colon) ? eq : colon;
    if (!d)
        return NULL;
    *d = '\0';
    return d + 1;
}

wf_status wf_aws_ini_parse(const char *text, size_t len, const char *name, wf_aws_ini **out,
                           wf_error *err)
{
    assert(out);
    *out = NULL;
    wf_aws_ini *ini = calloc(1, sizeof *ini);
    char *buf = malloc(len + 1);
    if (!ini || !buf) {
        free(ini);
        free(buf);
        return wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (!name)
        name = "ini";

    wf_status st = WF_OK;
    char *section = NULL;       /* current section name, owned */
    char *parent = NULL;        /* last key of this section, for indented lines */
    int parent_empty = 0;       /* its value was empty: indented lines are sub-keys */
    int lineno = 0;
    for (char *p = buf; p && st == WF_OK;) {
        char *line = p;
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p = NULL;
        }
        lineno++;
        int indented = line[0] == ' ' || line[0] == '\t';
        char *t = trim(line);
        if (!*t || *t == '#' || *t == ';')
            continue;
        if (*t == '[') {
            char *close = strchr(t, ']');
            if (!close) {
                st = wf_error_set(err, WF_EINVAL, "%s:%d: section header without ']'", name,
                                  lineno);
                break;
            }
            *close = '\0';
            char *after = trim(close + 1);
            if (*after && *after != '#' && *after != ';') {
                st = wf_error_set(err, WF_EINVAL, "%s:%d: text after a section header", name,
                                  lineno);
                break;
            }
            char *sec = trim(t + 1);
            collapse_spaces(sec);
            if (!*sec) {
                st = wf_error_set(err, WF_EINVAL, "%s:%d: empty section name", name, lineno);
                break;
            }
            free(section);
            free(parent);
            parent = NULL;
            section = strdup(sec);
            if (!section || add_section(ini, sec) != WF_OK)
                st = wf_error_set(err, WF_ENOMEM, "out of memory");
            continue;
        }
        if (!section) {
            st = wf_error_set(err, WF_EINVAL, "%s:%d: a setting before any [section]", name,
                              lineno);
            break;
        }
        if (indented && parent) {
            if (parent_empty) {
                /* "s3 =\n  addressing_style = path": a sub-key of parent. */
                char *value = split_key(t);
                if (!value) {
                    st = wf_error_set(err, WF_EINVAL, "%s:%d: expected \"key = value\"", name,
                                      lineno);
                    break;
                }
                cut_comment(value);
                char *k = trim(t);
                lower(k);
                size_t klen = strlen(parent) + strlen(k) + 2;
                char *full = malloc(klen);
                if (!full) {
                    st = wf_error_set(err, WF_ENOMEM, "out of memory");
                    break;
                }
                snprintf(full, klen, "%s.%s", parent, k);
                if (set_value(ini, section, full, trim(value)) != WF_OK)
                    st = wf_error_set(err, WF_ENOMEM, "out of memory");
                free(full);
            } else {
                /* A continuation line of the previous value. */
                ini_entry *e = find_entry(ini, section, parent);
                cut_comment(t);
                t = trim(t);
                size_t old = e ? strlen(e->value) : 0;
                char *joined = e ? malloc(old + strlen(t) + 2) : NULL;
                if (!joined) {
                    st = wf_error_set(err, WF_ENOMEM, "out of memory");
                    break;
                }
                snprintf(joined, old + strlen(t) + 2, "%s\n%s", e->value, t);
                wipe_free(e->value);
                e->value = joined;
            }
            continue;
        }
        char *value = split_key(t);
        if (!value) {
            st = wf_error_set(err, WF_EINVAL, "%s:%d: expected \"key = value\"", name, lineno);
            break;
        }
        cut_comment(value);
        char *k = trim(t);
        value = trim(value);
        if (!*k) {
            st = wf_error_set(err, WF_EINVAL, "%s:%d: a setting without a name", name, lineno);
            break;
        }
        lower(k);
        free(parent);
        parent = strdup(k);
        parent_empty = *value == '\0';
        if (!parent || set_value(ini, section, k, value) != WF_OK)
            st = wf_error_set(err, WF_ENOMEM, "out of memory");
    }
    free(section);
    free(parent);
    OPENSSL_cleanse(buf, len);
    free(buf);
    if (st != WF_OK) {
        wf_aws_ini_free(ini);
        return st;
    }
    *out = ini;
    return WF_OK;
}

wf_status wf_aws_ini_load(const char *path, wf_aws_ini **out, wf_error *err)
{
    assert(path && out);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return wf_aws_ini_parse("", 0, path, out, err);
        return wf_error_set(err, WF_EINVAL, "cannot read %s: %s", path, strerror(errno));
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    wf_status st = WF_OK;
    for (;;) {
        if (len + 4096 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *grown = realloc(text, ncap);
            if (!grown) {
                st = wf_error_set(err, WF_ENOMEM, "out of memory");
                break;
            }
            text = grown;
            cap = ncap;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f))
                st = wf_error_set(err, WF_EINVAL, "cannot read %s", path);
            break;
        }
    }
    fclose(f);
    if (st == WF_OK)
        st = wf_aws_ini_parse(text ? text : "", len, path, out, err);
    if (text) {
        OPENSSL_cleanse(text, cap);   /* the credentials file holds secret keys */
        free(text);
    }
    return st;
}

const char *wf_aws_ini_get(const wf_aws_ini *ini, const char *section, const char *key)
{
    if (!ini || !section || !key)
        return NULL;
    const ini_entry *e = find_entry(ini, section, key);
    return e ? e->value : NULL;
}

int wf_aws_ini_has_section(const wf_aws_ini *ini, const char *section)
{
    if (!ini || !section)
        return 0;
    for (size_t i = 0; i < ini->nsections; i++)
        if (strcmp(ini->sections[i], section) == 0)
            return 1;
    return 0;
}

void wf_aws_ini_free(wf_aws_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->count; i++) {
        free(ini->items[i].section);
        free(ini->items[i].key);
        wipe_free(ini->items[i].value);
    }
    for (size_t i = 0; i < ini->nsections; i++)
        free(ini->sections[i]);
    free(ini->items);
    free(ini->sections);
    free(ini);
}

/* --- Resolution --------------------------------------------------------------------- */

/* An environment variable, or NULL when unset or empty (the SDKs treat both alike). */
static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *home_dir(void)
{
    const char *h = env("HOME");
    if (h)
        return strdup(h);
    struct passwd *pw = getpwuid(getuid());
    return strdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

/* The path from env var name (with a leading "~/" expanded), else ~/.aws/<file>. */
static char *file_path(const char *name, const char *file)
{
    const char *v = env(name);
    char *home = NULL, *out = NULL;
    if (v && !(v[0] == '~' && (v[1] == '/' || v[1] == '\0')))
        return strdup(v);
    home = home_dir();
    if (!home)
        return NULL;
    size_t len = strlen(home) + (v ? strlen(v) : strlen(file) + 7) + 2;
    out = malloc(len);
    if (out) {
        if (v)
            snprintf(out, len, "%s%s", home, v + 1);
        else
            snprintf(out, len, "%s/.aws/%s", home, file);
    }
    free(home);
    return out;
}

static int valid_region(const char *r)
{
    if (!*r || strlen(r) > 63)
        return 0;
    for (; *r; r++)
        if (!isalnum((unsigned char)*r) && *r != '-')
            return 0;
    return 1;
}

static int parse_addressing(const char *s, wf_aws_s3_addressing *out)
{
    if (strcasecmp(s, "auto") == 0)
        *out = WF_AWS_S3_AUTO;
    else if (strcasecmp(s, "path") == 0)
        *out = WF_AWS_S3_PATH;
    else if (strcasecmp(s, "virtual") == 0)
        *out = WF_AWS_S3_VIRTUAL;
    else
        return 0;
    return 1;
}

wf_status wf_aws_config_load(const wf_aws_config_options *opts, wf_aws_config *out,
                             wf_error *err)
{
    assert(out);
    wf_aws_config_options none = {0};
    if (!opts)
        opts = &none;

    const char *profile = opts->profile && *opts->profile ? opts->profile : env("AWS_PROFILE");
    out->profile_explicit = profile != NULL;
    out->profile = strdup(profile ? profile : "default");
    out->config_path = file_path("AWS_CONFIG_FILE", "config");
    out->credentials_path = file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    if (opts->endpoint_url && *opts->endpoint_url)
        out->endpoint_url = strdup(opts->endpoint_url);
    if (!out->profile || !out->config_path || !out->credentials_path ||
        (opts->endpoint_url && *opts->endpoint_url && !out->endpoint_url))
        return wf_error_set(err, WF_ENOMEM, "out of memory");

    wf_status st = wf_aws_ini_load(out->config_path, &out->config, err);
    if (st == WF_OK)
        st = wf_aws_ini_load(out->credentials_path, &out->credentials, err);
    if (st != WF_OK)
        return st;
    if (out->profile_explicit && !wf_aws_config_has_profile(out, out->profile))
        return wf_error_set(err, WF_EINVAL,
                            "AWS profile \"%s\" not found in %s or %s", out->profile,
                            out->config_path, out->credentials_path);

    const char *region = opts->region && *opts->region ? opts->region : NULL;
    if (!region)
        region = env("AWS_REGION");
    if (!region)
        region = env("AWS_DEFAULT_REGION");
    if (!region)
        region = wf_aws_config_get(out, out->profile, "region");
    if (region && *region) {
        if (!valid_region(region))
            return wf_error_set(err, WF_EINVAL,
                                "invalid AWS region \"%.64s\": letters, digits and '-' only",
                                region);
        out->region = strdup(region);
        if (!out->region)
            return wf_error_set(err, WF_ENOMEM, "out of memory");
    }

    const char *style = opts->s3_addressing && *opts->s3_addressing ? opts->s3_addressing
                                                                      : NULL;
    const char *style_from = "the s3 addressing option";
    if (!style) {
        style = env("WFRUN_S3_ADDRESSING_STYLE");
        style_from = "WFRUN_S3_ADDRESSING_STYLE";
    }
    if (!style) {
        style = wf_aws_config_get(out, out->profile, "s3.addressing_style");
        style_from = "s3.addressing_style in the config file";
    }
    if (style && !parse_addressing(style, &out->s3_addressing))
        return wf_error_set(err, WF_EINVAL, "%s: \"%.32s\" is not auto, path or virtual",
                            style_from, style);
    return WF_OK;
}

void wf_aws_config_free(wf_aws_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->profile);
    free(cfg->region);
    free(cfg->endpoint_url);
    free(cfg->config_path);
    free(cfg->credentials_path);
    wf_aws_ini_free(cfg->config);
    wf_aws_ini_free(cfg->credentials);
    memset(cfg, 0, sizeof *cfg);
}

wf_status wf_aws_config_region(const wf_aws_config *cfg, const char **region, wf_error *err)
{
    *region = cfg->region;
    if (!cfg->region)
        return wf_error_set(err, WF_EINVAL, "no AWS region: pass --region or set AWS_REGION");
    return WF_OK;
}

const char *wf_aws_config_get(const wf_aws_config *cfg, const char *profile, const char *key)
{
    if (!profile)
        return NULL;
    char section[512];
    snprintf(section, sizeof section, "profile %s", profile);
    const char *v = wf_aws_ini_get(cfg->config, section, key);
    /* "[profile default]" wins over "[default]", as in the SDKs. */
    if (!v && !wf_aws_ini_has_section(cfg->config, section) && strcmp(profile, "default") == 0)
        v = wf_aws_ini_get(cfg->config, "default", key);
    return v;
}

const char *wf_aws_config_credential(const wf_aws_config *cfg, const char *profile,
                                     const char *key)
{
    return profile ? wf_aws_ini_get(cfg->credentials, profile, key) : NULL;
}

int wf_aws_config_has_profile(const wf_aws_config *cfg, const char *profile)
{
    char section[512];
    snprintf(section, sizeof section, "profile %s", profile);
    return wf_aws_ini_has_section(cfg->credentials, profile) ||
           wf_aws_ini_has_section(cfg->config, section) ||
           (strcmp(profile, "default") == 0 && wf_aws_ini_has_section(cfg->config, "default"));
}

void wf_aws_endpoint_env_name(const char *service_id, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "AWS_ENDPOINT_URL_");
    for (const char *p = service_id; *p && n + 1 < size; p++)
        buf[n++] = *p == ' ' ? '_' : (char)toupper((unsigned char)*p);
    if (n < size)
        buf[n] = '\0';
}

int wf_aws_config_is_true(const char *value)
{
    return value && strcasecmp(value, "true") == 0;
}

const char *wf_aws_config_endpoint_url(const wf_aws_config *cfg, const char *service_id)
{
    if (cfg->endpoint_url)
        return cfg->endpoint_url;
    const char *ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ignore)
        ignore = wf_aws_config_get(cfg, cfg->profile, "ignore_configured_endpoint_urls");
    if (wf_aws_config_is_true(ignore))
        return NULL;

    char name[160];
    wf_aws_endpoint_env_name(service_id ? service_id : "", name, sizeof name);
    const char *v = service_id ? env(name) : NULL;
    if (v)
        return v;
    /* "services = NAME" in the profile points at "[services NAME]", whose sub-keys are
     * the service id in lower case with spaces as underscores: "auto_scaling.endpoint_url". */
    const char *services = wf_aws_config_get(cfg, cfg->profile, "services");
    if (services && service_id) {
        char section[256], key[160];
        snprintf(section, sizeof section, "services %s", services);
        size_t n = 0;
        for (const char *p = service_id; *p && n + 1 < sizeof key - 16; p++)
            key[n++] = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);
        snprintf(key + n, sizeof key - n, ".endpoint_url");
        v = wf_aws_ini_get(cfg->config, section, key);
        if (v && *v)
            return v;
    }
    v = env("AWS_ENDPOINT_URL");
    if (v)
        return v;
    v = wf_aws_config_get(cfg, cfg->profile, "endpoint_url");
    return v && *v ? v : NULL;
}
