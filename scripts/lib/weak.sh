# shellcheck shell=bash
# Weak scaling: how each kernel's work grows with its size n, and the n that gives p workers p
# times the work one worker had, so that the work per worker stays constant (scripts/sweep.sh
# --scaling weak). A kernel without a line here states no model and cannot be swept weakly.
#
# The models (work W(n), up to a constant; only ratios are used):
#   pi       W = n                  one evaluation of 4/(1+x^2) per interval
#   triad    W = n                  24 bytes moved per element (three arrays of doubles)
#   primes   W = n^1.5 / ln n       trial division costs about sqrt(v) for each of the n / ln n
#                                   primes v up to n; composites stop early and add little
#   product  W = b log2 b           b = 3 (n-1)^2 log2((n-1)!), the result's bits; the product
#                                   tree's top multiplications, each about b log b, dominate
#   heat     W = n^2                an n x n grid, every cell updated each step (--steps fixed)
#   heat3d   W = n^3                an n x n x n grid, likewise

# The model of KERNEL in words, or nothing when it states none.
cs_weak_model() {
  case $1 in
    pi) echo "W(n) = n: one evaluation per interval" ;;
    triad) echo "W(n) = n: 24 bytes moved per element" ;;
    primes) echo "W(n) = n^1.5 / ln n: trial division, about sqrt(v) per prime v" ;;
    product) echo "W(n) = b log2 b, b = 3(n-1)^2 log2((n-1)!) the result's bits" ;;
    heat) echo "W(n) = n^2: every cell of the n x n grid, each step" ;;
    heat3d) echo "W(n) = n^3: every cell of the n x n x n grid, each step" ;;
  esac
}

# cs_weak_n KERNEL N P: the n whose work is P times N's, rounded to the nearest whole number,
# in cs_value (N itself for P = 1).
cs_weak_n() {
  cs_value=$(awk -v k="$1" -v n="$2" -v p="$3" '
    function work(x,    b, m) {
      if (k == "pi" || k == "triad") return x
      if (k == "primes") return x ^ 1.5 / (x > 3 ? log(x) : 1)
      if (k == "heat") return x * x
      if (k == "heat3d") return x * x * x
      # product: Stirling for ln((n-1)!), bits of the result, then b log2 b
      m = x - 1
      if (m < 1) m = 1
      b = 3 * m * m * (m * log(m) - m + 0.5 * log(2 * 3.141592653589793 * m)) / log(2)
      if (b < 2) b = 2
      return b * log(b) / log(2)
    }
    BEGIN {
      if (p == 1) { printf "%d\n", n; exit }
      want = p * work(n); lo = n; hi = n
      while (work(hi) < want) hi *= 2
      for (i = 0; i < 200 && hi - lo > 0.25; i++) { mid = (lo + hi) / 2; if (work(mid) < want) lo = mid; else hi = mid }
      printf "%.0f\n", (lo + hi) / 2
    }')
}
