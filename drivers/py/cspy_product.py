"""The product kernel in Python: kernels/product.c's items, fixed tree, check and digest.

Python's integers are exact, so the same items combined by the same tree give the same value
as the C kernel, and the digest (bits, decimal digits, leading digits, FNV-1a of the 64-bit
limbs) must equal cpu_serial's bit for bit: the same result computed by another language.
"""
import decimal
import functools
import math

DEFAULT_CHUNKS = 1024
WORD = 1 << 64
LEAD_DIGITS = 8
FNV_INIT, FNV_PRIME = 0xcbf29ce484222325, 0x100000001b3


def item_count(n, chunks=None):
    space = (n - 1) ** 3
    return chunks if chunks else min(space, DEFAULT_CHUNKS)


def log2_256(v):
    """256 log2(v) rounded down, in integers alone, as product.c's log2_256: the exponent,
    then eight bits of the mantissa by repeated squaring."""
    e = v.bit_length() - 1
    y, frac = v << (62 - e), 0
    for _ in range(8):
        y = (y * y) >> 62
        frac <<= 1
        if y >> 63:
            frac |= 1
            y >>= 1
    return 256 * e + frac


@functools.lru_cache(maxsize=4)
def log_sums(m):
    """log_sums(m)[x]: the sum of log2_256(v) for v in 1..x."""
    sums = [0]
    for v in range(1, m + 1):
        sums.append(sums[-1] + log2_256(v))
    return tuple(sums)


def bits_before(m, t):
    """The bits of the factors of triples [0, t), in 1/256 bits (product.c's bits_before)."""
    ls = log_sums(m)
    i0, rest = divmod(t, m * m)
    j0, k0 = divmod(rest, m)
    w = m * m * ls[i0] + i0 * 2 * m * ls[m]
    if i0 == m:
        return w
    wi = ls[i0 + 1] - ls[i0]
    w += j0 * m * wi + m * ls[j0] + j0 * ls[m]
    wj = ls[j0 + 1] - ls[j0]
    return w + k0 * (wi + wj) + ls[k0]


@functools.lru_cache(maxsize=1 << 16)
def item_start(n, items, item):
    """The first triple of `item`: the first t whose factors before it hold item/items of
    the loop's bits, as product.c cuts them. Kept, since each start is two items' and every
    repetition's: a search costs some 17 us in Python, a class W item 12 us."""
    m = n - 1
    if item >= items:
        return m * m * m
    target = bits_before(m, m * m * m) * item // items
    lo, hi = 0, m * m * m
    while lo < hi:
        mid = (lo + hi) // 2
        if bits_before(m, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def item_run(n, items, item):
    """Item c of C covers the triples from item_start(c) to item_start(c + 1) in loop order
    (i slowest): equal shares of the result's bits, as product.c cuts them; its factors
    packed into a 64-bit word before each multiplication, as product.c does."""
    m = n - 1
    t, end = item_start(n, items, item), item_start(n, items, item + 1)
    i, j, k = t // (m * m) + 1, t // m % m + 1, t % m + 1
    value, word = 1, 1
    for _ in range(end - t):
        factor = i * j * k
        packed = word * factor
        if packed >= WORD:
            value *= word
            packed = factor
        word = packed
        k += 1
        if k > m:
            k = 1
            j += 1
            if j > m:
                j = 1
                i += 1
    return value * word


def tree_mid(lo, hi):
    """kernels/kernel.h cs_tree_mid: the fixed tree every driver combines."""
    return lo + (hi - lo + 1) // 2


def tree_combine(leaves, lo=0, hi=None):
    if hi is None:
        hi = len(leaves)
    if hi - lo == 1:
        return leaves[lo]
    mid = tree_mid(lo, hi)
    return tree_combine(leaves, lo, mid) * tree_combine(leaves, mid, hi)


def tree_cut(lo, hi, depth):
    """The fixed tree's nodes `depth` levels below [lo, hi) (a leaf stops early), in order:
    each is a whole subtree a worker can run and combine on its own."""
    if depth == 0 or hi - lo == 1:
        return [(lo, hi)]
    mid = tree_mid(lo, hi)
    return tree_cut(lo, mid, depth - 1) + tree_cut(mid, hi, depth - 1)


def tree_top(parts, lo, hi, depth):
    """Combines the values of tree_cut(lo, hi, depth)'s nodes (an iterator, in order) by the
    levels of the fixed tree above them."""
    if depth == 0 or hi - lo == 1:
        return next(parts)
    mid = tree_mid(lo, hi)
    left = tree_top(parts, lo, mid, depth - 1)
    return left * tree_top(parts, mid, hi, depth - 1)


def subtree_run(n, items, lo, hi):
    """The items lo..hi-1 and their subtree of the fixed tree: one worker's share."""
    return tree_combine([item_run(n, items, c) for c in range(lo, hi)], 0, hi - lo)


def seed_task(n):
    """The lesson's own task: one accumulator, one multiplication per triple, as the program
    corescale was born from wrote it (no packing, no tree)."""
    total = 1
    for i in range(1, n):
        for j in range(1, n):
            for k in range(1, n):
                total *= i * j * k
    return total


def closed_form(n):
    m = n - 1
    return math.factorial(m) ** (3 * m * m)


def verify(n, value):
    """None, or why the value is not ((n-1)!)^(3(n-1)^2)."""
    want = closed_form(n)
    if value != want:
        return ("verification failed: n=%d result (%d bits) differs from ((n-1)!)^(3(n-1)^2) "
                "(%d bits)" % (n, value.bit_length(), want.bit_length()))
    return None


def _decimal_shape_exact(v):
    digits = len(str(v)) if v.bit_length() < 10000 else None
    if digits is None:
        # 10^(d-1) <= v < 10^d, from an estimate one off at most; then the leading digits
        # by one division whose quotient is small (cheap for Python's long division).
        d = int(v.bit_length() * math.log10(2))
        while 10 ** d <= v:
            d += 1
        while d > 1 and 10 ** (d - 1) > v:
            d -= 1
        digits = d
    lead = str(v // 10 ** max(digits - LEAD_DIGITS, 0))[:LEAD_DIGITS]
    return digits, lead


def decimal_shape(v):
    """Decimal digit count and leading digits, from log10 of the top 128 bits in 50-digit
    decimal arithmetic (product.c does it in long double); the exact way decides only when the
    value is too near a boundary for the estimate to be sure, as in product.c."""
    limbs = (v.bit_length() + 63) // 64
    if limbs < 2:
        return _decimal_shape_exact(v)
    top = v >> (64 * (limbs - 2))
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        lg = decimal.Decimal(top).log10() + decimal.Decimal(64 * (limbs - 2)) * \
            decimal.Decimal(2).log10()
        whole = int(lg)
        frac = lg - whole
        scaled = decimal.Decimal(10) ** (frac + (LEAD_DIGITS - 1))
        lead_frac = scaled - int(scaled)
        edge = decimal.Decimal("1e-6"), decimal.Decimal("1e-3")
        if edge[0] < frac < 1 - edge[0] and edge[1] < lead_frac < 1 - edge[1]:
            return whole + 1, str(int(scaled))
    return _decimal_shape_exact(v)


def fnv1a64(data):
    h = FNV_INIT
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xffffffffffffffff
    return h


def describe(v):
    """product.c's digest: bits=B;digits=D;lead=L;fnv1a=H over the little-endian limbs."""
    bits = v.bit_length()
    digits, lead = decimal_shape(v) if v else (1, "0")
    limbs = (bits + 63) // 64
    h = fnv1a64(v.to_bytes(limbs * 8, "little"))
    return "bits=%d;digits=%d;lead=%s;fnv1a=%016x" % (bits, digits, lead, h), \
        "%d bits, %d digits" % (bits, digits)
