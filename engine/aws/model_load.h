/* Loads one of the AWS service models embedded in the binary (engine/aws/models/). */
#ifndef WF_AWS_MODEL_LOAD_H
#define WF_AWS_MODEL_LOAD_H
#include "aws/model.h"
#include "wf.h"

/* Parses the embedded model of service ("ec2", "autoscaling", "rds", "cloudformation",
 * "s3", "sts", "ssm") into *out, which the caller releases with wf_aws_model_free (also
 * after a failure). WF_ENOTFOUND if no model of that name is embedded. */
wf_status wf_aws_model_load(const char *service, wf_aws_model *out, wf_error *err);

#endif
