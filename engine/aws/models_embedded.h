/* The trimmed AWS service models (engine/aws/models/<service>.json), compiled into the binary by
 * tools/embed_data.cmake. Everything here is static data owned by the binary. */
#ifndef WF_AWS_MODELS_EMBEDDED_H
#define WF_AWS_MODELS_EMBEDDED_H
#include <stddef.h>

typedef struct {
    const char *service;   /* "ec2", "s3", ...: the model's file name without .json */
    const char *json;      /* NUL-terminated JSON text */
    size_t length;         /* bytes of json, without the NUL */
} wf_aws_embedded_model;

/* Terminated by an entry whose service is NULL. */
extern const wf_aws_embedded_model wf_aws_embedded_models[];

#endif
