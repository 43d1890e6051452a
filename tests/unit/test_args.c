/* Argument splitting and typed parameter conversion. */
#include "check.h"
#include "args.h"

static void test_split(void)
{
    const char *argv[] = {"prod", "--count=3", "--dry", "-v", "--", "--not-an-option"};
    wf_arg *a = NULL;
    size_t n = 0;
    wf_error err;
    CHECK_INT_EQ(wf_args_split(6, argv, &a, &n, &err), WF_OK);
    CHECK_INT_EQ(n, 5);
    CHECK_INT_EQ(a[0].kind, WF_ARG_POSITIONAL);
    CHECK_STR_EQ(a[0].value, "prod");
    CHECK_STR_EQ(a[1].name, "count");
    CHECK_STR_EQ(a[1].value, "3");
    CHECK_STR_EQ(a[2].name, "dry");
    CHECK(a[2].value == NULL);
    CHECK_STR_EQ(a[3].name, "v");
    CHECK_INT_EQ(a[3].short_form, 1);
    CHECK_INT_EQ(a[4].kind, WF_ARG_POSITIONAL);
    CHECK_STR_EQ(a[4].value, "--not-an-option");
    wf_args_free(a, n);

    const char *bad[] = {"--a b=c"};
    CHECK_INT_EQ(wf_args_split(1, bad, &a, &n, &err), WF_EINVAL);
    CHECK(strstr(err.message, "--a b=c") != NULL);
    const char *bad_short[] = {"-xy"};
    CHECK_INT_EQ(wf_args_split(1, bad_short, &a, &n, &err), WF_EINVAL);
}

static void test_convert(void)
{
    wf_value v;
    wf_error err;
    const char *choices[] = {"fast", "safe", NULL};
    CHECK_INT_EQ(wf_param_convert("number", "2.5", NULL, &v, &err), WF_OK);
    CHECK(v.kind == WF_VALUE_NUMBER && v.number == 2.5);
    CHECK_INT_EQ(wf_param_convert("number", "2.5x", NULL, &v, &err), WF_EINVAL);
    CHECK(strstr(err.message, "\"2.5x\"") != NULL);
    CHECK_INT_EQ(wf_param_convert("number", "", NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_param_convert("number", "nan", NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_param_convert("integer", "7", NULL, &v, &err), WF_OK);
    CHECK_INT_EQ(wf_param_convert("integer", "7.5", NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_param_convert("bool", "Yes", NULL, &v, &err), WF_OK);
    CHECK_INT_EQ(v.boolean, 1);
    CHECK_INT_EQ(wf_param_convert("bool", "off", NULL, &v, &err), WF_OK);
    CHECK_INT_EQ(v.boolean, 0);
    CHECK_INT_EQ(wf_param_convert("bool", "maybe", NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_param_convert("enum", "safe", choices, &v, &err), WF_OK);
    CHECK_INT_EQ(wf_param_convert("enum", "slow", choices, &v, &err), WF_EINVAL);
    CHECK(strstr(err.message, "fast, safe") != NULL);
    CHECK_INT_EQ(wf_param_convert("duration", "1h30m", NULL, &v, &err), WF_OK);
    CHECK(v.number == 5400);
    CHECK_INT_EQ(wf_param_convert("path", "", NULL, &v, &err), WF_EINVAL);
    CHECK_INT_EQ(wf_param_convert("colour", "red", NULL, &v, &err), WF_EINVAL);
}

int main(void)
{
    test_split();
    test_convert();
    return CHECK_DONE();
}
