"""Parity of `wfrun call` with Debian's AWS CLI against awssim (issue 10, "Parity").

Run by tests/e2e/test_aws_parity.sh, which holds the table of operations and the list of
normalisations; this file is the machinery. It runs under the AWS CLI's own interpreter
(the #! line of /usr/bin/aws), so it can read the CLI's service models.

How a row is run (the table's format is described in the .sh):

  read   wfrun call and aws make the same request against the same simulator (A), one
         after the other; nothing may differ but the documented tolerances below.
  write  a mutating request cannot be sent twice to one state, so there are two
         simulators started alike (A and B: same seed, same frozen clock, same id salt).
         wfrun's request goes to A and the CLI's to B; their answers are compared, and
         then the two worlds (GET /_awssim/inventory) must still be equal, which proves
         the two requests had the same effect.
  error  like read (or like write with `on=both`), but both must fail with the same
         AWS error code and message.
  advance N   moves both simulators' clocks N seconds on.

The simulators run with a frozen clock (--time-scale 1e-12; their clocks aligned, then
the same seed posted to both) that only moves when the table says so, so timestamps of
new things are the same on A and B, and in both answers.

Tolerances (each printed, never silent):
  - key order: compared as JSON values (the CLI prints members in its own, older model's
    order; wfrun in its model's order); values are compared with their JSON types
    (2 and 2.0 differ, as do 1 and true);
  - a member present on one side only, when the other side's model has no such member
    (awscli 2.9.19's models are from early 2023; wfrun's are newer): listed as a note;
  - the table's `newer-keys`: top-level keys newer botocore's paginators add to a full
    result (listed as notes);
  - the table's normalisations (write rows and inventories only: values the simulator
    generates at random, which two simulators cannot agree on); the summary says which
    ones made a difference.
A row whose operation the simulator does not implement (NotImplemented on both sides) is
reported as such and counted apart, with the rows that need its results;
PARITY_STRICT=1 makes that a failure.
"""
import base64
import copy
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

# ---- table ------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")


class Row:
    def __init__(self, lineno, kind, service, operation, args, options, reason=None):
        self.lineno = lineno
        self.kind = kind
        self.service = service
        self.operation = operation
        self.args = args
        self.options = options
        self.reason = reason

    def label(self):
        if self.kind == "advance":
            return "advance %s" % self.args
        return "%s %s %s" % (self.service, self.operation, self.args)


def parse_table(path, offset=0):
    """Rows and normalisations; line numbers are the table's own plus offset (the line of
    the test script the table starts after)."""
    rows, normalise, patterns, newer = [], {}, [], {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1 + offset):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.split(" | ")]
            kind = cols[0]
            if kind == "normalise":
                # normalise | Field | reason
                normalise[cols[1]] = cols[2]
            elif kind == "normalise-pattern":
                # normalise-pattern | REGEX | reason: the matches, in any string or key
                patterns.append((re.compile(cols[1]), cols[2]))
            elif kind == "newer-keys":
                # newer-keys | service | Operation | Key Key | reason
                newer[(cols[1], cols[2])] = (cols[3].split(), cols[4])
            elif kind == "advance":
                rows.append(Row(lineno, "advance", None, None, float(cols[1]), {}))
            elif kind == "skip":
                # skip | service | Operation | reason
                rows.append(Row(lineno, "skip", cols[1], cols[2], "", {}, reason=cols[3]))
            elif kind in ("read", "write", "error"):
                # kind | service | Operation | JSON args | options
                args = cols[3] if len(cols) > 3 and cols[3] else "{}"
                options = {}
                for word in (cols[4].split() if len(cols) > 4 else []):
                    k, _, v = word.partition("=")
                    options.setdefault(k, []).append(v)
                rows.append(Row(lineno, kind, cols[1], cols[2], args, options))
            else:
                raise SystemExit("%s:%d: unknown row kind %r" % (path, lineno, kind))
    return rows, normalise, patterns, newer


# ---- models -------------------------------------------------------------------------------

def load_wfrun_model(source_dir, service):
    with open(os.path.join(source_dir, "engine", "aws", "models", service + ".json"),
              encoding="utf-8") as f:
        return json.load(f)


_cli_loader = None


def load_cli_model(service):
    global _cli_loader
    if _cli_loader is None:
        from awscli.botocore.loaders import create_loader
        _cli_loader = create_loader()
    return _cli_loader.load_service_model(service, "service-2")


def shape(model, name):
    return model["shapes"].get(name) if model and name else None


def output_shape(model, operation):
    op = model["operations"].get(operation) if model else None
    return op and op.get("output", {}).get("shape")


def input_shape(model, operation):
    op = model["operations"].get(operation) if model else None
    return op and op.get("input", {}).get("shape")


def cli_name(name):
    """The CLI's spelling of an operation or member: DescribeDBInstances ->
    describe-db-instances (botocore's own xform_name, as the CLI uses it)."""
    from awscli.botocore import xform_name
    return xform_name(name, "-")


CLI_SERVICE = {"s3": "s3api"}

# ---- running the two clients --------------------------------------------------------------

class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def doc(self):
        text = self.out.strip()
        return json.loads(text) if text else None


def run_wfrun(wfrun, url, service, operation, args, env):
    p = subprocess.run([wfrun, "--endpoint-url", url, "call", service, operation, args],
                       capture_output=True, env=env, timeout=120)
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))


class AwsCli:
    """Debian's AWS CLI: a fresh /usr/bin/aws process per call (PARITY_AWS=process), or,
    by default, the same entry point /usr/bin/aws runs (awscli.clidriver.main) called in
    this process with stdout and stderr redirected at the file descriptors, which saves
    about a second of interpreter start-up per call. Each call builds a new CLI driver
    and botocore session, as a new process would."""

    def __init__(self, path, env, mode):
        self.path, self.env, self.mode = path, env, mode

    def run(self, url, argv):
        full = ["--endpoint-url", url, "--output", "json"] + argv
        if self.mode == "process":
            p = subprocess.run([self.path] + full, capture_output=True, env=self.env,
                               timeout=120)
            return Result(p.returncode, p.stdout.decode("utf-8", "replace"),
                          p.stderr.decode("utf-8", "replace"))
        return self._run_here(full)

    def _run_here(self, argv):
        # The environment is this process's own (the one the .sh exported); awscli's import
        # adds AWS_DATA_PATH to it, which its sessions need.
        import awscli.clidriver
        out = tempfile.TemporaryFile()
        err = tempfile.TemporaryFile()
        sys.stdout.flush()
        sys.stderr.flush()
        fd1, fd2 = os.dup(1), os.dup(2)
        try:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            try:
                rc = awscli.clidriver.AWSCLIEntryPoint().main(argv)
            except SystemExit as e:   # argparse errors exit
                rc = e.code if isinstance(e.code, int) else 255
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os.dup2(fd1, 1)
            os.dup2(fd2, 2)
            os.close(fd1)
            os.close(fd2)
        out.seek(0)
        err.seek(0)
        return Result(rc, out.read().decode("utf-8", "replace"),
                      err.read().decode("utf-8", "replace"))


# ---- simulators -----------------------------------------------------------------------------

class Sim:
    def __init__(self, name, awssim, workdir):
        self.name = name
        self.out = open(os.path.join(workdir, "sim-%s.out" % name), "w+")
        self.err = open(os.path.join(workdir, "sim-%s.err" % name), "w+")
        self.proc = subprocess.Popen([awssim, "--listen", "127.0.0.1:0", "--time-scale", "1e-12"],
                                     stdout=self.out, stderr=self.err)
        self.url = None
        for _ in range(200):
            self.out.seek(0)
            first = self.out.readline().strip()
            if first.startswith("http://"):
                self.url = first
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.url:
            self.err.seek(0)
            raise SystemExit("awssim %s did not start:\n%s" % (name, self.err.read()))

    def control(self, method, path, body=None, allow_error=False):
        """The JSON answer of a control request; with allow_error, None on success and the
        error text on an HTTP error."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_awssim/" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = json.loads(r.read() or b"null")
                return None if allow_error else answer
        except urllib.error.HTTPError as e:
            if allow_error:
                text = e.read().decode("utf-8", "replace")
                try:
                    return json.loads(text).get("error", text)
                except ValueError:
                    return text
            raise SystemExit("awssim %s: %s /_awssim/%s: HTTP %d %s"
                             % (self.name, method, path, e.code, e.read().decode()))

    def now(self):
        return self.control("GET", "clock")["now"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def align_clocks(sims):
    """Both clocks at the same instant, half a second past a whole second (so fractional
    timestamps are exercised), and equal to the last bit: the inventories hold epoch
    floats, compared exactly. At --time-scale 1e-12 a clock moves 1e-10 s in 100 s of
    real time, far below the resolution of a double near 1.8e9 (2.4e-7 s), so a reading
    stays put for the whole test unless the table advances it."""
    target = int(max(s.now() for s in sims)) + 2.5
    for s in sims:
        s.control("POST", "clock", {"advance": target - s.now()})
    for _ in range(5):
        nows = [s.now() for s in sims]
        if len(set(nows)) == 1:
            return
        top = max(nows)
        for s, n in zip(sims, nows):
            if n < top:
                s.control("POST", "clock", {"advance": top - n})
    raise SystemExit("could not align the simulators' clocks: %r" % nows)


# ---- comparison -----------------------------------------------------------------------------

class Compare:
    """Compares wfrun's document (w) with the CLI's (a) as JSON values, walking wfrun's
    model and the CLI's model alongside so that a member only one model knows is told
    apart from a real difference."""

    def __init__(self, wmodel, amodel, normalise):
        self.wmodel, self.amodel = wmodel, amodel
        self.normalise = normalise or {}
        self.diffs, self.notes = [], []
        self.used = set()

    def run(self, w, a, wshape, ashape, newer_keys=()):
        """newer_keys: top-level keys wfrun's paginator adds to a full result and the
        CLI's older botocore does not (the table's `newer-keys` rows)."""
        # An operation without an output shape prints nothing: an empty structure.
        for model, name in ((self.wmodel, wshape), (self.amodel, ashape)):
            if name is None:
                model["shapes"].setdefault("<none>", {"type": "structure", "members": {}})
        wshape, ashape = wshape or "<none>", ashape or "<none>"
        w = {} if w is None else w
        a = {} if a is None else a
        if isinstance(w, dict) and isinstance(a, dict):
            for k in newer_keys:
                if k in w and k not in a:
                    self.notes.append("$.%s: only wfrun prints it (a key of the paginator's "
                                      "full result in newer botocore)" % k)
                    w = {x: y for x, y in w.items() if x != k}
        self.walk(w, a, wshape, ashape, "$")
        return not self.diffs

    def walk(self, w, a, wname, aname, path):
        ws, as_ = shape(self.wmodel, wname), shape(self.amodel, aname)
        if isinstance(w, dict) and isinstance(a, dict):
            is_struct = (ws or as_ or {}).get("type", "structure") == "structure"
            wmembers = (ws or {}).get("members", {})
            amembers = (as_ or {}).get("members", {})
            for k in sorted(set(w) | set(a), key=str):
                sub = "%s.%s" % (path, k)
                if k in self.normalise and k in w and k in a:
                    self.used.add(k)
                    continue
                if k not in a:
                    if is_struct and as_ is not None and k not in amembers:
                        self.notes.append("%s: only wfrun prints it (not in awscli's older "
                                          "model)" % sub)
                    else:
                        self.diffs.append("%s: only in wfrun's output" % sub)
                    continue
                if k not in w:
                    if is_struct and ws is not None and k not in wmembers:
                        self.notes.append("%s: only awscli prints it (not in wfrun's model)" % sub)
                    else:
                        self.diffs.append("%s: only in awscli's output" % sub)
                    continue
                if is_struct:
                    wn = wmembers.get(k, {}).get("shape")
                    an = amembers.get(k, {}).get("shape")
                else:   # a map: every value has the value shape
                    wn = (ws or {}).get("value", {}).get("shape")
                    an = (as_ or {}).get("value", {}).get("shape")
                self.walk(w[k], a[k], wn, an, sub)
        elif isinstance(w, list) and isinstance(a, list):
            if len(w) != len(a):
                self.diffs.append("%s: %d items in wfrun's output, %d in awscli's"
                                  % (path, len(w), len(a)))
            wn = (ws or {}).get("member", {}).get("shape")
            an = (as_ or {}).get("member", {}).get("shape")
            for i, (x, y) in enumerate(zip(w, a)):
                self.walk(x, y, wn, an, "%s[%d]" % (path, i))
        elif type(w) is not type(a) or w != a:
            self.diffs.append("%s: wfrun %s, awscli %s" % (path, json.dumps(w), json.dumps(a)))


def normalised(doc, fields, patterns=(), used=None):
    """A copy of doc where the values of the named fields, wherever they occur (also inside
    other strings and as object keys, e.g. an inventory's ids), and the matches of the
    patterns in every string and key are replaced by "<normalised>". used collects the
    field names and patterns that changed something."""
    values = {}

    def collect(d):
        if isinstance(d, dict):
            for k, v in d.items():
                if k in fields and isinstance(v, str) and v:
                    values[v] = k
                collect(v)
        elif isinstance(d, list):
            for x in d:
                collect(x)
    collect(doc)

    def text(s):
        for v, field in values.items():
            if v in s:
                s = s.replace(v, "<normalised>")
                if used is not None:
                    used.add(field)
        for rx, _ in patterns:
            t = rx.sub("<normalised>", s)
            if t != s and used is not None:
                used.add(rx.pattern)
            s = t
        return s

    def walk(d):
        if isinstance(d, dict):
            out = {}
            for k, v in d.items():
                if k in fields:
                    if used is not None:
                        used.add(k)
                    out[text(k)] = "<normalised>"
                else:
                    out[text(k)] = walk(v)
            return out
        if isinstance(d, list):
            return [walk(x) for x in d]
        if isinstance(d, str):
            return text(d)
        return d
    return walk(doc)


WFRUN_ERROR = re.compile(r"^(\S+?)(?:: (.*))? \((\S+) (\S+), HTTP (\d+), request id (.*)\)$", re.M)
CLI_ERROR = re.compile(r"An error occurred \(([^)]*)\) when calling the (\S+) operation"
                       r"(?: \(reached max retries: \d+\))?: (.*)", re.S)


def wfrun_error(res):
    m = WFRUN_ERROR.search(res.err)
    return (m.group(1), m.group(2) or "") if m else None


def cli_error(res):
    m = CLI_ERROR.search(res.err)
    return (m.group(1), m.group(3).strip()) if m else None


def field_values(doc, field, out):
    """Every value of field in doc (as JSON text), in document order."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == field:
                out.append(json.dumps(v, sort_keys=True))
            field_values(v, field, out)
    elif isinstance(doc, list):
        for x in doc:
            field_values(x, field, out)
    return out


def needed_normalisations(w, a, fields, patterns):
    """The named fields and patterns whose values differ between the two documents: the
    normalisations that made a difference."""
    need = set()
    for f in fields:
        vw, va = sorted(field_values(w, f, [])), sorted(field_values(a, f, []))
        if vw and va and vw != va:   # (present on one side only: a model difference)
            need.add(f)
    tw = json.dumps(w, sort_keys=True)
    ta = json.dumps(a, sort_keys=True)
    for rx, _ in patterns:
        if sorted(rx.findall(tw)) != sorted(rx.findall(ta)):
            need.add(rx.pattern)
    return need


def sim_lacks(err):
    """Whether an error (code, message) is awssim saying it has no such operation."""
    code, message = err
    return (code == "NotImplemented" or "awssim does not implement" in message
            # the stand-in codec awssim has until its real one is wired in: InvalidAction
            # (query), MethodNotAllowed (S3; a bare 405 for HEAD, which has no body)
            or "awssim's temporary codec cannot" in message
            or (code == "405" and message == "Method Not Allowed")
            or (code == "501" and message == "Not Implemented"))   # HEAD: no body


def pretty(doc):
    return json.dumps(doc, indent=4, sort_keys=True, ensure_ascii=False).splitlines()


# ---- the run --------------------------------------------------------------------------------

class Parity:
    def __init__(self, opts):
        self.o = opts
        self.rows, self.normalise, self.patterns, newer = parse_table(
            opts["table"], int(opts.get("line-offset", 0)))
        self.newer_keys = {k: v[0] for k, v in newer.items()}
        self.vars = {"A": {}, "B": {}}
        self.missing = {}   # variable -> (why, line) when the row that saves it did not
        self.not_run = []
        self.dependents = []
        self.compared_rows = []   # rows needing what an unsupported row would have made
        self.wmodels, self.amodels = {}, {}
        self.failures, self.compared, self.equal = [], 0, 0
        self.identical = 0
        self.not_implemented, self.skipped, self.notes = [], [], {}
        self.used_normalisations = set()
        self.seed_errors = []
        self.used_in_worlds = set()
        env = dict(os.environ)
        self.env = env
        self.cli = AwsCli(opts["aws"], env, os.environ.get("PARITY_AWS", "inprocess"))

    def models(self, service):
        if service not in self.wmodels:
            self.wmodels[service] = load_wfrun_model(self.o["source"], service)
            self.amodels[service] = load_cli_model(service)
        return self.wmodels[service], self.amodels[service]

    def subst(self, text, side):
        def rep(m):
            name = m.group(1)
            if name not in self.vars[side]:
                raise KeyError(name)
            return json.dumps(self.vars[side][name])[1:-1]   # inside a JSON string
        return PLACEHOLDER.sub(rep, text)

    def save_vars(self, row, side, doc):
        for spec in row.options.get("save", []):
            name, _, path = spec.partition("=")
            v = doc
            try:
                for part in path.split("."):
                    v = v[int(part)] if isinstance(v, list) else v[part]
            except (KeyError, IndexError, TypeError, ValueError):
                self.fail(row, "the answer has no %s to save as {{%s}}" % (path, name))
                continue
            self.vars[side][name] = v if isinstance(v, str) else json.dumps(v)

    def cli_argv(self, row, args_json, workdir):
        """The CLI's words for a row: --cli-input-json with the same JSON, blob members
        base64-encoded (awscli v2 reads blobs in JSON input as base64, wfrun's JSON-ARGS
        take them as text); `flags` rows pass top-level members as --flags instead."""
        _, amodel = self.models(row.service)
        args = json.loads(args_json)
        ishape = shape(amodel, input_shape(amodel, row.operation)) or {}
        for k, m in ishape.get("members", {}).items():
            if k in args and shape(amodel, m["shape"]).get("type") == "blob":
                args[k] = base64.b64encode(args[k].encode()).decode()
        argv = [CLI_SERVICE.get(row.service, row.service), cli_name(row.operation)]
        if "flags" in row.options:
            for k, v in args.items():
                argv += ["--" + cli_name(k), v if isinstance(v, str) else json.dumps(v)]
        else:
            argv += ["--cli-input-json", json.dumps(args)]
        if "outfile" in row.options:
            argv.append(os.path.join(workdir, "outfile.bin"))
        return argv

    def note_missing(self, row, why="not run"):
        """The values row would have saved are missing, and why."""
        for spec in row.options.get("save", []):
            self.missing[spec.partition("=")[0]] = (why, row.lineno)
        for spec in row.options.get("provides", []):
            self.missing[spec] = (why, row.lineno)

    def fail(self, row, what, w=None, a=None, wres=None, ares=None, diffs=None):
        self.note_missing(row, "which failed")
        self.failures.append(row)
        print("FAIL line %d: %s: %s" % (row.lineno, row.label(), what))
        for d in diffs or []:
            print("    " + d)
        if w is not None or a is not None:
            print("  --- wfrun call")
            print("\n".join("    " + l for l in pretty(w)))
            print("  --- aws")
            print("\n".join("    " + l for l in pretty(a)))
            print("  --- diff (wfrun -> aws, keys sorted)")
            for l in difflib.unified_diff(pretty(w), pretty(a), "wfrun", "aws", lineterm="", n=2):
                print("    " + l)
        for name, res in (("wfrun", wres), ("aws", ares)):
            if res is not None and (res.rc != 0 or res.err.strip()):
                print("  --- %s exit %d, stderr:\n%s" % (name, res.rc,
                      "\n".join("    " + l for l in res.err.strip().splitlines()[-8:])))
            elif res is not None and w is None and a is None:
                print("  --- %s exit %d, stdout:\n%s" % (name, res.rc,
                      "\n".join("    " + l for l in res.out.strip().splitlines()[:40])))

    def run_row(self, row, sims, workdir):
        A, B = sims
        if row.kind == "advance":
            for s in sims:
                s.control("POST", "clock", {"advance": row.args})
            return
        if row.kind == "skip":
            self.skipped.append(row)
            print("skip line %d: %s %s: %s" % (row.lineno, row.service, row.operation, row.reason))
            return
        needed = set(PLACEHOLDER.findall(row.args)) | set(row.options.get("needs", []))
        for name in sorted(needed):
            if name in self.missing:
                why, line = self.missing[name]
                self.note_missing(row, why)
                print("not run (line %d): %s %s: needs {{%s}} from line %d, %s"
                      % (row.lineno, row.service, row.operation, name, line, why))
                if why == "not implemented by awssim":
                    self.dependents.append(row)
                else:
                    self.not_run.append(row)
                return
        two = row.kind == "write" or row.options.get("on") == ["both"]
        wsim, asim = (A, B) if two else (A, A)
        try:
            wargs = self.subst(row.args, "A")
            aargs = self.subst(row.args, "B" if two else "A")
        except KeyError as e:
            self.fail(row, "no value for {{%s}} (an earlier row that saves it failed)" % e.args[0])
            return
        if os.path.exists(os.path.join(workdir, "outfile.bin")):
            os.unlink(os.path.join(workdir, "outfile.bin"))
        self.compared += 1
        self.compared_rows.append(row)
        wres = run_wfrun(self.o["wfrun"], wsim.url, row.service, row.operation, wargs, self.env)
        ares = self.cli.run(asim.url, self.cli_argv(row, aargs, workdir))
        werr, aerr = wfrun_error(wres), cli_error(ares)

        if werr and aerr and werr[0] == aerr[0] and sim_lacks(werr) and sim_lacks(aerr):
            self.compared -= 1
            self.compared_rows.pop()
            self.not_implemented.append(row)
            self.note_missing(row, "not implemented by awssim")
            print("not implemented by awssim (line %d): %s %s" % (row.lineno, row.service, row.operation))
            if os.environ.get("PARITY_STRICT") == "1":
                self.fail(row, "awssim does not implement it (PARITY_STRICT=1)")
            return

        if row.kind == "error":
            want = row.options.get("expect", [None])[0]
            if wres.rc == 0 or ares.rc == 0 or not werr or not aerr:
                self.fail(row, "expected both to fail with %s" % want, wres=wres, ares=ares)
            elif werr != aerr or (want and werr[0] != want):
                self.fail(row, "errors differ (expected %s)" % want,
                          diffs=["wfrun: %s: %s" % werr, "aws:   %s: %s" % aerr])
            else:
                self.equal += 1
                print("ok   line %d: %s %s -> %s" % (row.lineno, row.service, row.operation, werr[0]))
            return

        if wres.rc != 0 or ares.rc != 0:
            self.fail(row, "a call failed (wfrun exit %d, aws exit %d)" % (wres.rc, ares.rc),
                      wres=wres, ares=ares)
            return
        try:
            w, a = wres.doc(), ares.doc()
        except ValueError as e:
            self.fail(row, "output is not JSON: %s" % e, wres=wres, ares=ares)
            return
        raw_w, raw_a = copy.deepcopy(w), copy.deepcopy(a)
        extra = []
        if "outfile" in row.options:
            # The CLI writes a streaming body to its outfile argument; wfrun prints it
            # base64-encoded as "Body". Compare the bytes, then the rest.
            body_w = base64.b64decode((w or {}).pop("Body", ""))
            with open(os.path.join(workdir, "outfile.bin"), "rb") as f:
                body_a = f.read()
            if body_w != body_a:
                extra.append("$.Body: wfrun %r, awscli's outfile %r" % (body_w[:80], body_a[:80]))
        wmodel, amodel = self.models(row.service)
        fields = self.normalise if two else {}
        if two:
            self.used_normalisations |= needed_normalisations(w, a, self.normalise, self.patterns)
            w = normalised(w, self.normalise, self.patterns)
            a = normalised(a, self.normalise, self.patterns)
        cmp_ = Compare(wmodel, amodel, fields)
        same = cmp_.run(w, a, output_shape(wmodel, row.operation), output_shape(amodel, row.operation),
                        self.newer_keys.get((row.service, row.operation), ()))
        for n in cmp_.notes:
            key = "%s %s %s" % (row.service, row.operation, re.sub(r"\[\d+\]", "[*]", n))
            self.notes.setdefault(key, [])
            if row.lineno not in self.notes[key]:
                self.notes[key].append(row.lineno)
        if not same or extra:
            self.fail(row, "outputs differ", w, a, diffs=cmp_.diffs + extra)
        else:
            self.equal += 1
            if wres.out == ares.out:
                self.identical += 1
            print("ok   line %d: %s %s%s" % (row.lineno, row.service, row.operation,
                                             " (byte-identical)" if wres.out == ares.out else ""))
        for name in row.options.get("provides", []):
            self.vars["A"][name] = self.vars["B"][name] = "yes"
        # A read row saw simulator A only; B holds the same ids (the worlds are checked
        # equal after every write), so its values serve both.
        self.save_vars(row, "A", raw_w)
        self.save_vars(row, "B", raw_a)
        if two:
            self.check_worlds(row, sims)

    def check_worlds(self, row, sims):
        A, B = sims
        ia, ib = A.control("GET", "inventory"), B.control("GET", "inventory")
        self.used_in_worlds |= needed_normalisations(ia, ib, self.normalise, self.patterns)
        ia = normalised(ia, self.normalise, self.patterns)
        ib = normalised(ib, self.normalise, self.patterns)
        if ia != ib:
            self.failures.append(row)
            print("FAIL line %d: %s: the two simulators' worlds differ after it "
                  "(A: after wfrun's request, B: after awscli's)" % (row.lineno, row.label()))
            for l in difflib.unified_diff(pretty(ia), pretty(ib), "A (wfrun)", "B (aws)",
                                          lineterm="", n=3):
                print("    " + l)
            # Go on from equal worlds is impossible; later write rows will show it too.

    def main(self):
        workdir = self.o["workdir"]
        sims = [Sim("A", self.o["awssim"], workdir), Sim("B", self.o["awssim"], workdir)]
        try:
            align_clocks(sims)
            with open(self.o["seed"], encoding="utf-8") as f:
                seed = json.load(f)
            # One section at a time (the "world" member with each), so that a section this
            # simulator refuses is named and the others are still seeded.
            for name, section in seed.items():
                if name == "world":
                    continue
                part = {"world": seed["world"]} if "world" in seed else {}
                part[name] = section
                for s in sims:
                    err = s.control("POST", "seed", part, allow_error=True)
                    if err:
                        self.seed_errors.append("%s (simulator %s): %s" % (name, s.name, err))
            for e in self.seed_errors:
                print("FAIL: the simulator refused the seed's %s" % e)
            print("awssim A %s, B %s; %s" % (sims[0].url, sims[1].url,
                  subprocess.run([self.o["aws"], "--version"], capture_output=True,
                                 text=True, env=self.env).stdout.strip()))
            for row in self.rows:
                self.run_row(row, sims, workdir)
        finally:
            for s in sims:
                s.stop()
        for n, lines in self.notes.items():
            print("note: %s (line%s %s)" % (n, "s" if len(lines) > 1 else "",
                                             ", ".join(map(str, lines))))
        reasons = dict(self.normalise)
        reasons.update((rx.pattern, why) for rx, why in self.patterns)
        for k in sorted(reasons):
            where = [w for w, used in (("answers", self.used_normalisations),
                                       ("worlds", self.used_in_worlds)) if k in used]
            print("normalisation %s: %s (%s)" % (
                k, "values differed in " + " and ".join(where) if where else "never needed",
                reasons[k]))
        print("parity: %d requests compared, %d equal (%d byte-identical), %d differ; "
              "%d not supported by awssim yet (and %d rows that need their results); "
              "%d not run (an earlier row failed); %d skipped with a reason"
              % (self.compared, self.equal, self.identical,
                 len(set(r.lineno for r in self.failures)), len(self.not_implemented),
                 len(self.dependents), len(self.not_run), len(self.skipped)))
        done = sorted(set("%s %s" % (r.service, r.operation) for r in self.rows
                          if r in self.compared_rows))
        print("operations compared: %d: %s" % (len(done), ", ".join(done)))
        if self.not_implemented:
            print("not implemented by awssim: " + ", ".join(
                sorted(set("%s %s" % (r.service, r.operation) for r in self.not_implemented))))
        return 1 if self.failures or self.seed_errors else 0


def main(argv):
    opts = {}
    it = iter(argv)
    for a in it:
        opts[a.lstrip("-")] = next(it)
    for k in ("table", "seed", "wfrun", "awssim", "aws", "source", "workdir"):
        if k not in opts:
            raise SystemExit("parity.py: missing --%s" % k)
    return Parity(opts).main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
