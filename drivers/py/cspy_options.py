"""The Python peers' options: the C drivers' names, ranges and messages (drivers/runtime/options.c)."""
import os
import sys

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

# The product's classes (kernels/product.c class_sizes) and its n range (PRODUCT_N_MAX).
CLASS_SIZES = {"S": "5,10,16", "W": "50,63,32", "A": "150", "B": "200", "C": "300"}
N_MIN, N_MAX = 2, 1 << 20
U64_MAX = (1 << 64) - 1

_program = "corescale"


def set_program(name):
    global _program
    _program = name


def program():
    return _program


def closed_stdout_ends(run):
    """run()'s exit code; a reader that closes stdout early (`py_serial --help | head -1`) ends
    the peer with exit 1 and no traceback, as a closed pipe ends a C driver. SIGPIPE itself stays
    ignored: a server closing a socket or a pool's worker dying must stay an error, not a kill."""
    try:
        code = run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAIL


def error(text):
    """One line on stderr naming the program, as cs_error writes it."""
    sys.stderr.write("%s: %s\n" % (_program, text))
    sys.stderr.flush()


def warn(text):
    error("warning: " + text)


class Usage(Exception):
    """A bad command line: the message is printed once and the peer exits 2."""


def bad(opt, text, reason):
    return Usage("--%s '%s': %s" % (opt, text, reason))


def parse_u64(opt, text, lo, hi):
    """A decimal whole number in [lo, hi], refused with the C drivers' reasons."""
    if text == "":
        raise bad(opt, text, "empty, a number is needed")
    if not text.isascii() or not text.isdigit():
        raise bad(opt, text, "must not be negative" if text.startswith("-") else "not a whole number")
    v = int(text)
    if v > hi or v > U64_MAX:
        raise bad(opt, text, "too large (at most %d)" % hi)
    if v < lo:
        raise bad(opt, text, "too small (at least %d)" % lo)
    return v


def parse_u64_list(opt, text, lo, hi):
    out = []
    for item in text.split(","):
        if item == "":
            raise bad(opt, text, "empty item in the list")
        out.append(parse_u64(opt, item, lo, hi))
    return out


# name: (takes a value, argument name in --help, help, default)
SPECS = {
    "n": (True, "LIST", "sizes, comma-separated (n is the product's loop bound)", None),
    "class": (True, "S|W|A|B|C|auto", "a problem class's sizes (default W; auto: W for the product)", None),
    "chunks": (True, "C", "work items per case (default 1024, at most n-1 cubed)", None),
    "threads": (True, "T", "worker threads", None),
    "workers": (True, "W", "worker processes", None),
    "url": (True, "URL", "fetch this URL --requests times", None),
    "url-file": (True, "FILE", "URLs one per line, '#' comments", None),
    "requests": (True, "N", "requests (default 100)", "100"),
    "delay-ms": (True, "MS", "io_server's delay (default 100)", "100"),
    "bytes": (True, "N", "io_server's body size (default 1024)", "1024"),
    "timeout-ms": (True, "MS", "bound on each request (default 30000)", "30000"),
    "connect-timeout-ms": (True, "MS", "bound on each connect (default 5000)", "5000"),
    "allow-failures": (False, None, "exit 0 even when requests failed", None),
    "concurrency": (True, "C", "most requests in flight (default 10)", None),
    "repeat": (True, "R", "timed repetitions (default 3)", "3"),
    "warmup": (True, "W", "untimed repetitions first (default 1)", "1"),
    "csv": (True, "FILE", "append one row per case per repetition", None),
    "json": (True, "FILE", "append the same rows as JSON, one object a line", None),
    "python": (True, "PATH", "run on this interpreter instead (e.g. a free-threaded 3.13t)", None),
    "quiet": (False, None, "no header or table, errors only", None),
    "help": (False, None, "this help", None),
    "version": (False, None, "version and build", None),
}
COMMON = ["repeat", "warmup", "csv", "json", "python", "quiet", "help", "version"]
KERNEL = ["n", "class", "chunks"]
FETCH = ["url", "url-file", "requests", "delay-ms", "bytes", "timeout-ms",
         "connect-timeout-ms", "allow-failures"]


class Program:
    """What a peer is: its name, purpose, the options it takes and their help overrides."""

    def __init__(self, name, purpose, names, help_of=None, fetch=False, epilog=""):
        self.name, self.purpose, self.names = name, purpose, names
        self.help_of = help_of or {}
        self.fetch, self.epilog = fetch, epilog


def print_help(prog):
    print("Usage: %s [OPTION]...%s\n%s\n\nOptions:" % (prog.name, " [URL]..." if prog.fetch else "",
                                                    prog.purpose))
    for name in prog.names:
        has_arg, arg, text, _ = SPECS[name]
        left = "--%s%s" % (name, " " + arg if has_arg else "")
        print("  %-28s %s" % (left, prog.help_of.get(name, text)))
    if not prog.fetch:
        print("\nKernels (the product only, as cpu_serial --kernel product):")
        print("  %-8s big-integer product of i*j*k over the triple loop 1..n-1; n is the loop "
              "bound n (i, j, k run 1..n-1); default chunks 1024" % "product")
        print("  %-8s S=%s W=%s A=%s B=%s C=%s" % ("", CLASS_SIZES["S"], CLASS_SIZES["W"],
                                                   CLASS_SIZES["A"], CLASS_SIZES["B"],
                                                   CLASS_SIZES["C"]))
    if prog.epilog:
        print("\n" + prog.epilog)
    print("\nExit status: 0 done and verified, 1 the run failed (or a Python module it needs is "
          "missing),\n2 the command line was wrong.")


def parse(prog, argv):
    """Returns (options, positional URLs), or (None, True for --version, False for --help) when
    the peer is only to describe itself; raises Usage for a bad command line."""
    values, positional = {}, []
    want_help = want_version = False
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("--") or word == "--":
            if word == "--":
                positional.extend(argv[i:])
                break
            # Options end at the first operand, as getopt's "+" does.
            positional.extend(argv[i - 1:])
            break
        name, eq, inline = word[2:].partition("=")
        # Whole names only (getopt would take a prefix): --python must be found to be dropped
        # when the peer runs itself again on another interpreter.
        if name not in prog.names:
            raise Usage("unknown option '%s' (see --help)" % word)
        has_arg = SPECS[name][0]
        if has_arg and not eq:
            if i >= len(argv):
                raise Usage("option '%s' needs a value (see --help)" % word)
            inline = argv[i]
            i += 1
        elif not has_arg and eq:
            raise Usage("unknown option '%s' (see --help)" % word)
        if name == "help":
            want_help = True
        elif name == "version":
            want_version = True
        else:
            values[name] = inline if has_arg else True
    if want_help or want_version:
        return None, want_version
    if positional and not prog.fetch:
        raise Usage("unexpected argument '%s' (see --help)" % positional[0])
    return resolve(prog, values), positional


def resolve(prog, values):
    """Every value checked and turned into its type, before any work."""
    o = {}
    for name in prog.names:
        default = SPECS[name][3]
        if name in values or default is not None:
            o[name] = values.get(name, default)
    o["repeat"] = parse_u64("repeat", o["repeat"], 1, 1000000)
    o["warmup"] = parse_u64("warmup", o["warmup"], 0, 1000000)
    for name, lo, hi in (("threads", 1, 4096), ("workers", 1, 4096), ("concurrency", 1, 100000),
                         ("requests", 1, 10000000), ("delay-ms", 0, 60000), ("bytes", 0, 64 << 20),
                         ("timeout-ms", 1, 3600000), ("connect-timeout-ms", 1, 3600000),
                         ("chunks", 1, U64_MAX)):
        if name in o:
            o[name] = parse_u64(name, o[name], lo, hi)
    for name in ("csv", "json"):
        if name in o and o[name] == "":
            raise bad(name, "", "empty, a file name is needed")
    if "csv" in o and "json" in o and os.path.realpath(o["csv"]) == os.path.realpath(o["json"]):
        raise Usage("--csv '%s' and --json '%s' name the same file: give each its own"
                    % (o["csv"], o["json"]))
    if "python" in o and (o["python"] == "" or not os.access(o["python"], os.X_OK)):
        raise bad("python", o["python"], "not an executable interpreter")
    if not prog.fetch:
        resolve_sizes(o)
    return o


def resolve_sizes(o):
    if "n" in o and "class" in o:
        raise Usage("--n '%s' and --class '%s' both choose sizes: give one" % (o["n"], o["class"]))
    if "n" in o:
        o["sizes"], o["class_name"] = parse_u64_list("n", o["n"], N_MIN, N_MAX), "custom"
    else:
        letter = o.get("class", "W")
        if letter.lower() == "auto":
            # As the C drivers: the product has no arrays for a cache to hold, so its default.
            error("note: --class auto: class W for product (no arrays for the cache to hold)")
            letter = "W"
        if len(letter) != 1 or letter.upper() not in "SWABC":
            raise bad("class", letter, "must be one of S, W, A, B, C, auto")
        o["class_name"] = letter.upper()
        o["sizes"] = parse_u64_list("class", CLASS_SIZES[o["class_name"]], N_MIN, N_MAX)
    for n in o["sizes"]:
        space = (n - 1) ** 3
        if "chunks" in o and o["chunks"] > space:
            raise Usage("--chunks %d: n=%d has only %d iterations to cut into items"
                        % (o["chunks"], n, space))
