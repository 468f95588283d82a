#!/usr/bin/env python3
"""What the Python binding adds to a call (issue 6): a customer's summary and
a decision through motive.Engine, against the same calls made from C.

The C baseline is libmotive_bench_c (bench_c.c), loaded into this process and
called on the engine this binding opened: same state, same customers, same
moment. The variants run in interleaved rounds, in a rotating order, so that
drift (frequency scaling, a neighbour's load, a warm cache) falls on all of
them alike; only ratios taken this way mean anything on a noisy machine.

    MOTIVE_LIBRARY=build/src/libmotive.so PYTHONPATH=bindings/python \\
      python3 tests/bench/bindings/bench_python.py \\
      --bench-lib build/tests/bench/libmotive_bench_c.so

Rows, per operation:
  C               the call timed in C (clock_gettime around it), as a C
                  caller makes it: the baseline.
  Python          the binding's method, eng.summary(cid) and
                  eng.decide(cid, channel="voice", topic="billing"), timed
                  with time.perf_counter_ns around it.
  ctypes direct   the same C function called through the binding's own
                  ctypes prototype, with what it needs prepared beforehand
                  (the struct, the encoded id; for a decision the JSON
                  copied out as bytes but not parsed): what is left of the
                  overhead without the Pythonic layer.
Each latency includes its language's pair of clock reads: the floor rows
give them, and the bare cost of a ctypes call into C.
"""

from __future__ import annotations

import argparse
import array
import ctypes
import os
import platform
from ctypes import (POINTER, byref, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint64, c_void_p)
from time import perf_counter_ns
from typing import Callable, Dict, List, Sequence

import motive
from motive import _native as N

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RULES = os.path.join(HERE, "..", "..", "..", "examples", "rules",
                             "telecom.textproto")
# Customers are visited in the order i * STRIDE mod n: scattered over the
# state, the same in every variant and in the C# benchmark. A prime larger
# than any data set here, so that it is coprime with n.
STRIDE = 1000003
SEED = 6


def load_bench_lib(path: str) -> ctypes.CDLL:
    lib = ctypes.CDLL(path)
    protos = {
        "motbench_now_ns": (c_int64, []),
        "motbench_nop": (c_int, [c_void_p, c_char_p]),
        "motbench_clock": (c_int, [POINTER(c_int64), c_size_t]),
        "motbench_summary": (c_int, [POINTER(c_int64), c_void_p,
                                     POINTER(c_char_p), c_size_t, c_size_t,
                                     c_int64]),
        "motbench_decide": (c_int, [POINTER(c_int64), POINTER(c_uint64),
                                    c_void_p, POINTER(c_char_p), c_size_t,
                                    c_size_t, POINTER(N.mot_situation),
                                    c_int32]),
        "motbench_motive_copies": (c_int, []),
        "motbench_customer_id": (c_int, [c_char_p, c_size_t, c_size_t]),
        "motbench_ingest_journeys": (c_int, [POINTER(N.mot_ingest_report),
                                             c_void_p, c_size_t, c_uint64,
                                             c_int64]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


def percentile(ordered: Sequence[int], q: int) -> int:
    """Nearest rank: the smallest sample with at least q% of them at or
    below it."""
    if not ordered:
        return 0
    rank = max(1, -(-len(ordered) * q // 100))  # ceil, in integers
    return ordered[rank - 1]


# --- the timed loops ---------------------------------------------------------
#
# One function per variant, the call written out in each: a shared loop
# taking a callable would add a Python frame (a lambda, a partial) to every
# call it times. The id is picked before the clock is read.

def loop_summary(eng: motive.Engine, ids: List[str],
                 calls: int) -> array.array:
    out = array.array("q", bytes(8 * calls))
    n = len(ids)
    summary = eng.summary
    for i in range(calls):
        cid = ids[i % n]
        t0 = perf_counter_ns()
        summary(cid)
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def loop_decide(eng: motive.Engine, ids: List[str],
                calls: int) -> array.array:
    out = array.array("q", bytes(8 * calls))
    n = len(ids)
    decide = eng.decide
    for i in range(calls):
        cid = ids[i % n]
        t0 = perf_counter_ns()
        decide(cid, channel="voice", topic="billing")
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def loop_summary_ctypes(handle: int, ids: List[bytes],
                        calls: int) -> array.array:
    out = array.array("q", bytes(8 * calls))
    n = len(ids)
    get = N.lib.mot_context_summary_get
    s = N.mot_context_summary()
    s.struct_size = ctypes.sizeof(s)
    ref = byref(s)
    for i in range(calls):
        cid = ids[i % n]
        t0 = perf_counter_ns()
        get(ref, handle, cid, 0)
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def loop_decide_ctypes(handle: int, ids: List[bytes], calls: int,
                       situation: N.mot_situation) -> array.array:
    out = array.array("q", bytes(8 * calls))
    n = len(ids)
    decide, dispose = N.lib.mot_decide, N.lib.mot_buf_dispose
    string_at = ctypes.string_at
    buf = N.mot_buf()
    buf_ref, sit_ref = byref(buf), byref(situation)
    for i in range(calls):
        cid = ids[i % n]
        t0 = perf_counter_ns()
        decide(buf_ref, handle, cid, sit_ref, N.FORMAT_JSON)
        string_at(buf.data, buf.size)
        dispose(buf_ref)
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def loop_nop(bench: ctypes.CDLL, handle: int, ids: List[bytes],
             calls: int) -> array.array:
    out = array.array("q", bytes(8 * calls))
    n = len(ids)
    nop = bench.motbench_nop
    for i in range(calls):
        cid = ids[i % n]
        t0 = perf_counter_ns()
        nop(handle, cid)
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def loop_clock(calls: int) -> array.array:
    out = array.array("q", bytes(8 * calls))
    for i in range(calls):
        t0 = perf_counter_ns()
        t1 = perf_counter_ns()
        out[i] = t1 - t0
    return out


def from_c(buffer: ctypes.Array) -> array.array:
    out = array.array("q")
    out.frombytes(bytes(buffer))
    return out


def check(code: int, what: str) -> None:
    if code != 0:
        raise SystemExit(f"{what} failed: {motive.strerror(code)}: "
                         f"{N.lib.mot_error_last().decode(errors='replace')}")


# --- the report --------------------------------------------------------------

def fmt_ns(ns: float) -> str:
    if ns >= 100_000:
        return f"{ns / 1000:.0f} us"
    if ns >= 1000:
        return f"{ns / 1000:.2f} us"
    return f"{ns:.0f} ns"


def fmt_rate(per_s: float) -> str:
    if per_s >= 1e6:
        return f"{per_s / 1e6:.2f} M/s"
    return f"{per_s / 1e3:.1f} k/s"


class Variant:
    def __init__(self, op: str, name: str, run: Callable[[int], array.array]):
        self.op, self.name, self.run = op, name, run
        self.samples = array.array("q")
        self.round_p50: List[int] = []

    def measure(self, calls: int) -> None:
        got = self.run(calls)
        self.round_p50.append(percentile(sorted(got), 50))
        self.samples.extend(got)


def report(variants: List[Variant]) -> None:
    header = (f"{'op':<8} {'caller':<14} {'p50':>9} {'p99':>9} "
              f"{'calls/s':>10} {'p50 - C':>9} {'x C':>6}  x C by round")
    print(header)
    print("-" * len(header))
    base: Dict[str, Variant] = {v.op: v for v in variants if v.name == "C"}
    for v in variants:
        ordered = sorted(v.samples)
        p50, p99 = percentile(ordered, 50), percentile(ordered, 99)
        mean = sum(ordered) / len(ordered)
        line = (f"{v.op:<8} {v.name:<14} {fmt_ns(p50):>9} {fmt_ns(p99):>9} "
                f"{fmt_rate(1e9 / mean):>10}")
        b = base.get(v.op)
        if b is not None and b is not v:
            b50 = percentile(sorted(b.samples), 50)
            ratios = [x / y for x, y in zip(v.round_p50, b.round_p50) if y]
            line += (f" {fmt_ns(p50 - b50):>9} {p50 / b50:>6.2f}  "
                     f"{min(ratios):.2f}-{max(ratios):.2f}")
        elif b is v:
            line += f" {'':>9} {1:>6.2f}"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench-lib", default=os.environ.get(
        "MOTIVE_BENCH_LIBRARY"), help="libmotive_bench_c.so "
        "(default: $MOTIVE_BENCH_LIBRARY)")
    ap.add_argument("--rules", default=DEFAULT_RULES,
                    help="the ruleset (default: examples' telecom)")
    ap.add_argument("--calls", type=int, default=200_000,
                    help="timed calls per variant (default 200000)")
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=50,
                    help="interleaved rounds (default 50): short rounds "
                    "follow the machine's drift closely")
    ap.add_argument("--short", action="store_true",
                    help="seconds, on small data: what CI runs")
    args = ap.parse_args()
    if args.short:
        args.calls, args.customers, args.rounds = 4000, 500, 8
    if not args.bench_lib:
        ap.error("--bench-lib or $MOTIVE_BENCH_LIBRARY is required")
    per_round = max(1, args.calls // args.rounds)

    with open(args.rules, encoding="utf-8") as f:
        rules = f.read()
    eng = motive.Engine(":memory:", snapshot_path="-", ruleset=rules,
                        ruleset_origin=os.path.basename(args.rules))
    handle = eng._handle  # the baseline must run on this very engine
    bench = load_bench_lib(args.bench_lib)
    copies = bench.motbench_motive_copies()
    if copies != 1:
        raise SystemExit(f"{copies} copies of libmotive are mapped; the C "
                         "baseline would not run in the binding's library")

    ingest = N.mot_ingest_report(ctypes.sizeof(N.mot_ingest_report))
    check(bench.motbench_ingest_journeys(byref(ingest), handle, args.customers,
                                         SEED, 0), "ingest")
    n = args.customers
    idbuf = ctypes.create_string_buffer(32)
    by_index = []
    for i in range(n):
        bench.motbench_customer_id(idbuf, len(idbuf), i)
        by_index.append(idbuf.value)
    ids_b = [by_index[(i * STRIDE) % n] for i in range(n)]
    ids = [b.decode("ascii") for b in ids_b]
    ids_c = (c_char_p * n)(*ids_b)

    situation = N.mot_situation()
    check(N.lib.mot_situation_init(byref(situation), ctypes.sizeof(situation)),
          "mot_situation_init")
    situation.channel = motive.CHANNELS.index("voice")
    situation.topic = b"billing"

    # Warm-up, and a look at the work: what share of decisions propose
    # something, and how big they are.
    proposing = sum(1 for cid in ids if eng.decide(
        cid, channel="voice", topic="billing").get("actions"))
    for cid in ids:
        eng.summary(cid)
    sizes = c_uint64(0)
    probe = (c_int64 * n)()
    check(bench.motbench_decide(probe, byref(sizes), handle, ids_c, n, n,
                                byref(situation), N.FORMAT_JSON), "decide")

    def c_summary(calls: int) -> array.array:
        out = (c_int64 * calls)()
        check(bench.motbench_summary(out, handle, ids_c, n, calls, 0),
              "summary")
        return from_c(out)

    def c_decide(calls: int) -> array.array:
        out = (c_int64 * calls)()
        check(bench.motbench_decide(out, None, handle, ids_c, n, calls,
                                    byref(situation), N.FORMAT_JSON), "decide")
        return from_c(out)

    def c_clock(calls: int) -> array.array:
        out = (c_int64 * calls)()
        check(bench.motbench_clock(out, calls), "clock")
        return from_c(out)

    groups = [
        [Variant("summary", "C", c_summary),
         Variant("summary", "Python", lambda k: loop_summary(eng, ids, k)),
         Variant("summary", "ctypes direct",
                 lambda k: loop_summary_ctypes(handle, ids_b, k))],
        [Variant("decide", "C", c_decide),
         Variant("decide", "Python", lambda k: loop_decide(eng, ids, k)),
         Variant("decide", "ctypes direct",
                 lambda k: loop_decide_ctypes(handle, ids_b, k, situation))],
        [Variant("floor", "C clock pair", c_clock),
         Variant("floor", "Py clock pair", loop_clock),
         Variant("floor", "ctypes nop",
                 lambda k: loop_nop(bench, handle, ids_b, k))],
    ]
    for r in range(args.rounds):
        for group in groups:
            shift = r % len(group)
            for v in group[shift:] + group[:shift]:
                v.measure(per_round)

    print(f"motive {motive.version()} binding overhead: Python "
          f"{platform.python_version()} (ctypes) against C, in one process")
    print(f"{args.customers} customers ({ingest.accepted} events), "
          f"{per_round * args.rounds} calls a row in {args.rounds} "
          f"interleaved rounds; decisions: voice, billing, inbound, now "
          f"({100 * proposing / n:.0f}% propose an action, "
          f"{sizes.value / n:.0f} bytes of JSON on average)")
    print("calls/s = 1 / mean latency; x C by round: the ratio of p50s in "
          "each round, lowest-highest")
    print()
    report([v for group in groups for v in group])
    eng.close()


if __name__ == "__main__":
    main()
