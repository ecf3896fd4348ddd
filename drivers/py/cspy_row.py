"""Result rows: the C drivers' CSV columns (drivers/runtime/row.h), one os.write per row."""
import fcntl
import os
import platform
import socket
import sys
import time

import cspy_build
from cspy_options import Usage

COLUMNS = ("time_utc,host,driver,kernel,case,class,ranks,threads,workers,bind,chunks,rep,wall_s,"
           "compute_s,combine_s,comm_s,comm_bytes,verified,digest,version,compiler,flags,"
           "schedule,warnings,requests,errors,bytes,req_per_s,p50_ms,p90_ms,p99_ms,max_ms,"
           "work_s,span_s,scaling,ghz")

SHORT_RUN_S = 0.010


def host_name():
    return socket.gethostname().split(".")[0] or "unknown"


def revision():
    """The build's revision, as build/generated/build_revision.h has it after every build."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, "..", "generated", "build_revision.h")) as f:
            for line in f:
                if line.startswith("#define CS_REVISION"):
                    return line.split('"')[1]
    except (OSError, IndexError):
        pass
    return "unknown"


def version():
    return "%s+%s" % (cspy_build.VERSION, revision())


def gil_enabled():
    """False only on a free-threaded build that runs without the GIL."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def interpreter():
    """The compiler column of a Python row: which interpreter ran it."""
    return "%s %s" % (platform.python_implementation(), platform.python_version())


def interpreter_flags():
    """The flags column: the GIL on or off, and the executable."""
    return "gil=%s %s" % ("on" if gil_enabled() else "off", sys.executable)


def utc_now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def csv_open(path):
    """Opens for appending, the header written under a lock if the file is empty; refuses a
    file that is not corescale's. Raises Usage (exit 2) with the C drivers' messages."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise Usage("--csv '%s': cannot open: %s" % (path, e.strerror))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_size == 0:
            os.write(fd, (COLUMNS + "\n").encode())
        else:
            with open(path, "rb") as f:
                first = f.read(len(COLUMNS) + 1)
            if first != (COLUMNS + "\n").encode():
                raise Usage("--csv '%s': the file exists and its first line is not corescale's "
                            "header" % path)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError as e:
        os.close(fd)
        raise Usage("--csv '%s': cannot lock or read: %s" % (path, e.strerror))
    except Usage:
        os.close(fd)
        raise
    return fd


def _text(v):
    return str(v).replace(",", ";").replace("\n", " ").replace('"', " ")


def _seconds(s):
    return "" if s is None else "%.9f" % s


def csv_line(r):
    """r: a dict of the row's fields; absent ones stay empty, as in the C rows."""
    fields = [utc_now(), _text(host_name()), _text(r["driver"]), _text(r["kernel"]),
              _text(r["case"]), _text(r.get("class", "")), str(r["ranks"]), str(r["threads"]),
              str(r["workers"]), _text(r.get("bind", "none")),
              str(r["chunks"]) if r.get("chunks") else "", str(r["rep"]), _seconds(r["wall_s"]),
              _seconds(r.get("compute_s")), _seconds(r.get("combine_s")),
              _seconds(r.get("comm_s")), str(r.get("comm_bytes", 0)), str(int(r["verified"])),
              _text(r["digest"]), _text(version()), _text(interpreter()),
              _text(interpreter_flags()), _text(r.get("schedule", "")), _text(r.get("warnings", ""))]
    if "requests" in r:
        fields += [str(r["requests"]), str(r["errors"]), str(r["bytes"])]
        fields += ["%.3f" % r[k] for k in ("req_per_s", "p50_ms", "p90_ms", "p99_ms", "max_ms")]
    else:
        fields += [""] * 8
    fields += ["", "", "", ""]  # work_s, span_s: no --profile here; scaling, ghz: sweep.sh fills them
    return ",".join(fields)



# The columns whose values are text in JSON rows; the others are numbers, or null when empty.
TEXT_COLUMNS = {"time_utc", "host", "driver", "kernel", "case", "class", "bind", "digest",
                "version", "compiler", "flags", "schedule", "warnings", "scaling"}


def json_line(line):
    """The CSV line as one JSON object, as the C drivers write it (row.c, cs_json_write)."""
    out = []
    for name, value in zip(COLUMNS.split(","), line.split(",")):
        if name in TEXT_COLUMNS:
            out.append('"%s":"%s"' % (name, "".join(
                "\\" + c if c in '"\\' else ("\\u%04x" % ord(c) if ord(c) < 0x20 else c)
                for c in value)))
        else:
            out.append('"%s":%s' % (name, value if value else "null"))
    return "{" + ",".join(out) + "}"


def json_open(path):
    """Opens for appending; refuses a file that is not JSON rows (its first byte not '{')."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        raise Usage("--json '%s': cannot open: %s" % (path, e.strerror))
    first = os.pread(fd, 1, 0)
    if first not in (b"", b"{"):
        os.close(fd)
        raise Usage("--json '%s': the file exists and is not corescale's JSON rows (one object a "
                    "line)" % path)
    return fd


class Rows:
    """Where a peer's rows go: --csv, --json or both."""
    def __init__(self, csv_fd, json_fd):
        self.csv_fd, self.json_fd = csv_fd, json_fd


def rows_open(o):
    """The files --csv and --json name, or None when neither is given."""
    if "csv" not in o and "json" not in o:
        return None
    csv_fd = csv_open(o["csv"]) if "csv" in o else None
    return Rows(csv_fd, json_open(o["json"]) if "json" in o else None)


def rows_write(rows, r):
    """One os.write per row and file, so rows from concurrent runs never interleave."""
    line = csv_line(r)
    if rows.csv_fd is not None:
        os.write(rows.csv_fd, (line + "\n").encode())
    if rows.json_fd is not None:
        os.write(rows.json_fd, (json_line(line) + "\n").encode())
