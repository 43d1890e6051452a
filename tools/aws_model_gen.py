#!/usr/bin/env python3
"""Trims the official AWS service models to the operations wfrun calls.

Reads <models>/<service>/<version>/{service-2,waiters-2,paginators-1}.json (botocore's
format, see ../shared/aws-models/README.md) and writes engine/aws/models/<service>.json:
metadata, the listed operations, the shapes reachable from them (input, output, errors),
every documentation key removed, plus the waiters and paginators of those operations.
LICENSE.txt and NOTICE are copied beside the output, as the Apache-2.0 licence asks.

Adding an operation is adding its name to OPERATIONS below and re-running this script.

    tools/aws_model_gen.py            # regenerate engine/aws/models/
    tools/aws_model_gen.py --check    # exit 1 if the committed files differ (CI)
"""
import argparse
import json
import os
import sys

# The operations wfrun calls, per service (the folder name under aws-models).
OPERATIONS = {
    "ec2": [
        "DescribeImages", "CreateImage", "DeregisterImage", "CopyImage",
        "EnableImageDeprecation", "DescribeInstances", "RunInstances", "StartInstances",
        "StopInstances", "TerminateInstances", "CreateTags", "DeleteTags",
        "GetConsoleOutput", "DescribeSnapshots", "DeleteSnapshot", "DescribeLaunchTemplates",
        "DescribeLaunchTemplateVersions", "CreateLaunchTemplateVersion",
        "DescribeSecurityGroups", "DescribeSubnets", "CreateKeyPair", "DeleteKeyPair",
    ],
    "autoscaling": [
        "DescribeAutoScalingGroups", "DescribeAutoScalingInstances", "EnterStandby",
        "ExitStandby", "DescribeScalingActivities", "UpdateAutoScalingGroup",
        "SuspendProcesses", "ResumeProcesses", "DescribeLaunchConfigurations",
        "SetInstanceProtection",
    ],
    "rds": [
        "DescribeDBInstances", "CreateDBSnapshot", "DescribeDBSnapshots", "DeleteDBSnapshot",
        "CopyDBSnapshot", "RestoreDBInstanceFromDBSnapshot", "DeleteDBInstance",
        "ModifyDBInstance", "AddTagsToResource", "ListTagsForResource",
    ],
    "cloudformation": [
        "CreateStack", "UpdateStack", "DeleteStack", "DescribeStacks",
        "DescribeStackResources", "ListStackResources", "DescribeStackEvents", "GetTemplate",
        "ValidateTemplate", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet",
        "DeleteChangeSet", "ListStacks",
    ],
    "s3": [
        "ListBuckets", "CreateBucket", "DeleteBucket", "HeadBucket", "ListObjectsV2",
        "HeadObject", "GetObject", "PutObject", "CopyObject", "DeleteObject", "DeleteObjects",
        "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload",
        "AbortMultipartUpload", "GetBucketLocation", "GetObjectTagging", "PutObjectTagging",
    ],
    "sts": ["GetCallerIdentity", "AssumeRole"],
    "ssm": ["SendCommand", "GetCommandInvocation", "ListCommandInvocations", "GetParameter"],
}

# Keys that only document: dropped everywhere in operations and shapes.
DOC_KEYS = {"documentation", "documentationUrl"}
# Waiter keys that only document.
WAITER_DOC_KEYS = {"description"}

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "engine", "aws", "models")
LICENSE_FILES = ("LICENSE.txt", "NOTICE")


def strip_docs(value):
    """A copy of value without documentation keys, at any depth."""
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k not in DOC_KEYS}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def load_json(path, required=True):
    if not os.path.exists(path):
        if required:
            sys.exit(f"aws_model_gen: missing {path}")
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def service_dir(models, service):
    """The one API-version folder of a service."""
    base = os.path.join(models, service)
    versions = sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d)))
    if len(versions) != 1:
        sys.exit(f"aws_model_gen: expected one API version under {base}, found {versions}")
    return os.path.join(base, versions[0])


def reachable_shapes(shapes, roots):
    """Names of every shape reachable from roots through members, member, key and value."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in shapes:
            sys.exit(f"aws_model_gen: shape {name} is referenced but not defined")
        seen.add(name)
        shape = shapes[name]
        refs = list(shape.get("members", {}).values())
        refs += [shape[k] for k in ("member", "key", "value") if k in shape]
        todo.extend(ref["shape"] for ref in refs)
    return seen


def trim(models, service, operations):
    """The trimmed model of one service, as a dict."""
    folder = service_dir(models, service)
    full = load_json(os.path.join(folder, "service-2.json"))
    waiters = load_json(os.path.join(folder, "waiters-2.json"), required=False) or {}
    pages = load_json(os.path.join(folder, "paginators-1.json"), required=False) or {}

    ops, roots = {}, []
    for name in operations:
        if name not in full["operations"]:
            sys.exit(f"aws_model_gen: {service} has no operation {name}")
        op = strip_docs(full["operations"][name])
        ops[name] = op
        for key in ("input", "output"):
            if key in op:
                roots.append(op[key]["shape"])
        roots.extend(e["shape"] for e in op.get("errors", []))

    names = reachable_shapes(full["shapes"], roots)
    shapes = {n: strip_docs(full["shapes"][n]) for n in sorted(names)}

    listed = set(operations)
    waiter_defs = {}
    for name, w in sorted(waiters.get("waiters", {}).items()):
        if w.get("operation") in listed:
            waiter_defs[name] = {k: v for k, v in w.items() if k not in WAITER_DOC_KEYS}
    paginators = {n: p for n, p in sorted(pages.get("pagination", {}).items()) if n in listed}

    return {
        "version": full.get("version", "2.0"),
        "metadata": strip_docs(full["metadata"]),
        "operations": ops,
        "shapes": shapes,
        "waiters": waiter_defs,
        "paginators": paginators,
    }


def dump(model):
    """Compact JSON with one line per operation, shape, waiter and paginator, for diffs."""
    def compact(v):
        return json.dumps(v, separators=(",", ":"), ensure_ascii=False, sort_keys=False)

    lines = ["{"]
    sections = list(model.items())
    for i, (key, value) in enumerate(sections):
        last_section = i == len(sections) - 1
        if isinstance(value, dict) and key in ("operations", "shapes", "waiters", "paginators"):
            lines.append(f"{compact(key)}:{{")
            items = list(value.items())
            for j, (name, body) in enumerate(items):
                sep = "," if j < len(items) - 1 else ""
                lines.append(f"{compact(name)}:{compact(body)}{sep}")
            lines.append("}" + ("" if last_section else ","))
        else:
            lines.append(f"{compact(key)}:{compact(value)}" + ("" if last_section else ","))
    lines.append("}")
    return "\n".join(lines) + "\n"


def generate(models):
    """{file name: text} for everything under engine/aws/models/."""
    files = {}
    for service, operations in OPERATIONS.items():
        files[f"{service}.json"] = dump(trim(models, service, operations))
    for name in LICENSE_FILES:
        with open(os.path.join(models, name), encoding="utf-8") as f:
            files[name] = f.read()
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=os.path.join(REPO_ROOT, "..", "shared", "aws-models"),
                    help="folder of the full models (default: ../shared/aws-models)")
    ap.add_argument("--out", default=OUT_DIR, help="output folder (default: engine/aws/models)")
    ap.add_argument("--check", action="store_true",
                    help="compare the committed files with a fresh generation; write nothing")
    args = ap.parse_args()

    if not os.path.isdir(args.models):
        if args.check:
            print(f"aws_model_gen: SKIP: no models at {args.models}")
            return 0
        sys.exit(f"aws_model_gen: no models at {args.models}")

    files = generate(args.models)
    if args.check:
        stale = []
        for name, text in files.items():
            path = os.path.join(args.out, name)
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != text:
                stale.append(name)
        extra = sorted(set(os.listdir(args.out)) - set(files)) if os.path.isdir(args.out) else []
        for name in stale:
            print(f"aws_model_gen: {name} differs from a fresh generation")
        for name in extra:
            print(f"aws_model_gen: {name} is not generated (remove it or list it)")
        if stale or extra:
            print("aws_model_gen: run tools/aws_model_gen.py and commit engine/aws/models/")
            return 1
        print(f"aws_model_gen: {len(files)} files up to date")
        return 0

    os.makedirs(args.out, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"aws_model_gen: wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
