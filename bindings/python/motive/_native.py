"""ctypes declarations of include/motive/motive.h, and the library loader.

Every struct here mirrors its C declaration field for field (ctypes applies
the C alignment rules), and its size is checked against the library through
the struct's _init function before first use: a mismatch raises
VersionError instead of corrupting memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_int,
                    c_int32, c_int64, c_size_t, c_uint8, c_uint32, c_uint64,
                    c_void_p)
from typing import List

# The C ABI major version this binding speaks, and the oldest library with
# every function and struct field it declares (0.7 added the cluster
# settings to mot_engine_options and the cluster link to mot_engine_stats:
# an older library refuses those struct sizes).
ABI_MAJOR = 0
MIN_VERSION_NUMBER = 7000

# The longest customer id, in bytes, without the NUL.
CUSTOMER_ID_MAX = 128

FORMAT_AUTO = 0
FORMAT_PROTOBUF = 1
FORMAT_JSON = 2
FORMAT_JSONL = 3
FORMAT_CSV = 4
FORMAT_SVG = 5
FORMAT_PLATFORM_AUTO = 16  # the platforms' formats follow it

CHANNEL_COUNT = 12
MOMENT_COUNT = 7
CHURN_FACTOR_COUNT = 6


class mot_buf(Structure):
    _fields_ = [("data", POINTER(c_uint8)), ("size", c_size_t)]


class mot_engine_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("durability", c_int32),
        ("group_commit_ms", c_uint32),
        ("integrity_check", c_int32),
        ("create_if_missing", c_int32),
        ("journey_map", c_char_p),
        ("read_only", c_int32),
        ("context_config", c_char_p),
        ("snapshot_path", c_char_p),
        ("ruleset", c_char_p),
        ("ruleset_origin", c_char_p),
        ("retention_days", c_uint32),
        ("identity_config", c_char_p),
        # Since 0.7:
        ("cluster_servers", c_char_p),
        ("cluster_tenant", c_char_p),
        ("cluster_partitions", c_uint32),
        ("cluster_streams", c_uint32),
        ("cluster_replicas", c_uint32),
        ("cluster_write_timeout_ms", c_uint32),
        ("cluster_open_timeout_ms", c_uint32),
        ("cluster_credentials", c_char_p),
        ("cluster_tls_ca", c_char_p),
        ("cluster_tls_cert", c_char_p),
        ("cluster_tls_key", c_char_p),
        ("cluster_held_partitions", c_char_p),
    ]


class mot_ingest_report(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("reserved", c_uint32),
        ("accepted", c_uint64),
        ("duplicates", c_uint64),
        ("rejected", c_uint64),
        # Since 0.6:
        ("records", c_uint64),
        ("updated", c_uint64),
        ("profiles_created", c_uint64),
        ("profiles_merged", c_uint64),
        ("skipped", c_uint64),
    ]


REJECT_FN = CFUNCTYPE(None, c_void_p, c_uint64, c_char_p, c_char_p)
PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_uint64, c_uint64)
ALERT_FN = CFUNCTYPE(None, c_void_p, POINTER(c_uint8), c_size_t)
FREE_FN = CFUNCTYPE(None, c_void_p)


class mot_ingest_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("format", c_int32),
        ("on_reject", REJECT_FN),
        ("reject_user_data", c_void_p),
        ("on_progress", PROGRESS_FN),
        ("progress_user_data", c_void_p),
        ("batch_size", c_uint32),
        # Since 0.6:
        ("timezone", c_char_p),
        ("source_name", c_char_p),
    ]


class mot_whatif_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("format", c_int32),
        ("against", c_char_p),
        ("origin", c_char_p),
        ("against_origin", c_char_p),
        ("from_us", c_int64),
        ("to_us", c_int64),
        ("on_progress", PROGRESS_FN),
        ("progress_user_data", c_void_p),
    ]


class mot_journeys_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("format", c_int32),
        ("from_us", c_int64),
        ("to_us", c_int64),
        ("segment", c_char_p),
        ("on_progress", PROGRESS_FN),
        ("progress_user_data", c_void_p),
    ]


class mot_timeline_options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("format", c_int32),
        ("since_us", c_int64),
        ("until_us", c_int64),
        ("limit", c_uint32),
    ]


class mot_context_summary(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("known", c_int32),
        ("as_of_us", c_int64),
        ("events", c_uint64),
        ("first_seen_us", c_int64),
        ("last_seen_us", c_int64),
        ("contacts_7d", c_uint32),
        ("contacts_30d", c_uint32),
        ("contacts_90d", c_uint32),
        ("contacts_7d_by_channel", c_uint32 * CHANNEL_COUNT),
        ("contacts_30d_by_channel", c_uint32 * CHANNEL_COUNT),
        ("contacts_90d_by_channel", c_uint32 * CHANNEL_COUNT),
        ("last_contact_channel", c_int32),
        ("last_contact_us", c_int64),
        ("last_contact_topic", c_char_p),
        ("last_contact_agent_id", c_char_p),
        ("last_contact_outcome", c_int32),
        ("last_contact_transfers", c_uint32),
        ("last_contact_hold_ms", c_int64),
        ("last_contact_sentiment", c_double),
        ("last_contact_repeat", c_int32),
        ("window_days", c_uint32),
        ("repeat_contacts", c_uint32),
        ("transfers", c_uint32),
        ("hold_ms", c_int64),
        ("open_issues", c_uint32),
        ("strikes", c_uint32),
        ("at_risk", c_int32),
        ("stage", c_int32),
        ("moments", c_uint32 * MOMENT_COUNT),
        ("negative_zero_moment", c_uint32),
        ("sentiment_last", c_double),
        ("sentiment_average", c_double),
        ("sentiment_trend", c_double),
        ("purchases", c_uint32),
        ("days_since_purchase", c_int32),
        ("lifetime_value", c_double),
        ("last_purchase_us", c_int64),
        ("csat", c_int32),
        ("nps", c_int32),
        ("nps_category", c_int32),
        ("reserved", c_uint32),
        ("churn_risk", c_double),
        ("churn_factors", c_double * CHURN_FACTOR_COUNT),
    ]


class mot_engine_stats(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("from_snapshot", c_int32),
        ("events_replayed", c_uint64),
        ("customers", c_uint64),
        ("held_events", c_uint64),
        ("metric_samples", c_uint64),
        ("state_bytes", c_uint64),
        ("strings", c_uint64),
        ("snapshot_note", c_char_p),
        ("alerts_raised", c_uint64),
        ("alerts_dropped", c_uint64),
        ("alerts_queued", c_uint64),
        # Since 0.5:
        ("damaged_events", c_uint64),
        ("first_damaged_seq", c_int64),
        # Since 0.7:
        ("cluster_connected", c_int32),
        ("cluster_last_contact_us", c_int64),
        ("cluster_applied", c_uint64),
        ("cluster_lag", c_uint64),
    ]


class mot_situation(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("channel", c_int32),
        ("topic", c_char_p),
        ("agent_id", c_char_p),
        ("direction", c_int32),
        ("time_us", c_int64),
        ("max_results", c_uint32),
    ]


_ENGINE = c_void_p  # mot_engine*, opaque
_BUF = POINTER(mot_buf)

# name: (restype, argtypes)
_PROTOTYPES = {
    "mot_version": (c_char_p, []),
    "mot_version_number": (c_int, []),
    "mot_error_last": (c_char_p, []),
    "mot_strerror": (c_char_p, [c_int]),
    "mot_cluster_partition": (c_int, [POINTER(c_uint32), c_char_p, c_uint32]),
    "mot_buf_dispose": (None, [_BUF]),
    "mot_format_from_name": (c_int, [POINTER(c_int32), c_char_p]),
    "mot_engine_options_init": (c_int, [POINTER(mot_engine_options), c_uint32]),
    "mot_engine_open": (c_int, [POINTER(_ENGINE), c_char_p,
                                POINTER(mot_engine_options)]),
    "mot_engine_close": (None, [_ENGINE]),
    "mot_engine_flush": (c_int, [_ENGINE]),
    "mot_event_record": (c_int, [POINTER(c_int32), _ENGINE, c_int32, c_char_p,
                                 c_size_t]),
    "mot_ingest_options_init": (c_int, [POINTER(mot_ingest_options), c_uint32]),
    "mot_ingest_buffer": (c_int, [POINTER(mot_ingest_report), _ENGINE, c_char_p,
                                  c_size_t, POINTER(mot_ingest_options)]),
    "mot_ingest_file": (c_int, [POINTER(mot_ingest_report), _ENGINE, c_char_p,
                                POINTER(mot_ingest_options)]),
    "mot_timeline_options_init": (c_int, [POINTER(mot_timeline_options),
                                          c_uint32]),
    "mot_timeline_get": (c_int, [_BUF, _ENGINE, c_char_p,
                                 POINTER(mot_timeline_options)]),
    "mot_customer_erase": (c_int, [POINTER(c_uint64), _ENGINE, c_char_p]),
    "mot_retention_apply": (c_int, [POINTER(c_uint64), _ENGINE]),
    "mot_identity_resolve": (c_int, [c_char_p, c_size_t, POINTER(c_size_t),
                                     _ENGINE, c_char_p, c_char_p]),
    "mot_identity_profile": (c_int, [_BUF, _ENGINE, c_char_p, c_int32]),
    "mot_journey_svg": (c_int, [_BUF, _ENGINE, c_char_p, c_int64, c_int64]),
    "mot_journeys_get": (c_int, [_BUF, _ENGINE, c_int64, c_int64, c_int32]),
    "mot_journeys_options_init": (c_int, [POINTER(mot_journeys_options),
                                          c_uint32]),
    "mot_journeys_get_v2": (c_int, [_BUF, _ENGINE,
                                    POINTER(mot_journeys_options)]),
    "mot_whatif_options_init": (c_int, [POINTER(mot_whatif_options), c_uint32]),
    "mot_whatif_run": (c_int, [_BUF, _ENGINE, c_char_p,
                               POINTER(mot_whatif_options)]),
    "mot_identity_link": (c_int, [_ENGINE, c_char_p, POINTER(c_char_p),
                                  POINTER(c_char_p), c_size_t]),
    "mot_identity_unlink": (c_int, [_ENGINE, c_char_p, c_char_p]),
    "mot_context_summary_init": (c_int, [POINTER(mot_context_summary),
                                         c_uint32]),
    "mot_context_summary_get": (c_int, [POINTER(mot_context_summary), _ENGINE,
                                        c_char_p, c_int64]),
    "mot_context_summary_get_many": (c_int, [POINTER(mot_context_summary),
                                             _ENGINE, POINTER(c_char_p),
                                             c_size_t, c_int64]),
    "mot_context_get": (c_int, [_BUF, _ENGINE, c_char_p, c_int64, c_int32]),
    "mot_context_config_load": (c_int, [_ENGINE, c_char_p, c_size_t]),
    "mot_engine_snapshot": (c_int, [_ENGINE]),
    "mot_engine_stats_init": (c_int, [POINTER(mot_engine_stats), c_uint32]),
    "mot_engine_stats_get": (c_int, [POINTER(mot_engine_stats), _ENGINE]),
    "mot_expr_check": (c_int, [_BUF, _ENGINE, c_char_p]),
    "mot_expr_eval": (c_int, [_BUF, c_char_p, POINTER(c_char_p),
                              POINTER(c_char_p), c_size_t]),
    "mot_ruleset_load": (c_int, [_ENGINE, c_char_p, c_size_t, c_char_p]),
    "mot_ruleset_check": (c_int, [_ENGINE, c_char_p, c_size_t, c_char_p]),
    "mot_situation_init": (c_int, [POINTER(mot_situation), c_uint32]),
    "mot_decide": (c_int, [_BUF, _ENGINE, c_char_p, POINTER(mot_situation),
                           c_int32]),
    "mot_feedback": (c_int, [_ENGINE, c_char_p, c_char_p, c_char_p, c_int32,
                             c_int32, c_int64]),
    "mot_alerts_poll": (c_int, [_BUF, _ENGINE, c_size_t, c_int32]),
    "mot_alerts_set_callback": (c_int, [_ENGINE, ALERT_FN, c_void_p, FREE_FN,
                                        c_int32]),
}


def _candidates() -> List[str]:
    """Where the library is looked for, in order: $MOTIVE_LIBRARY (an explicit
    choice wins), a libmotive.so* bundled in the package, the system."""
    found: List[str] = []
    env = os.environ.get("MOTIVE_LIBRARY")
    if env:
        found.append(env)
    here = os.path.dirname(os.path.abspath(__file__))
    patterns = {"win32": "motive*.dll", "darwin": "libmotive*.dylib"}
    found.extend(sorted(glob.glob(
        os.path.join(here, patterns.get(sys.platform, "libmotive.so*")))))
    system = ctypes.util.find_library("motive")
    if system:
        found.append(system)
    if sys.platform.startswith("linux"):
        found.append(f"libmotive.so.{ABI_MAJOR}")
    return found


def _load() -> ctypes.CDLL:
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            if path == os.environ.get("MOTIVE_LIBRARY"):
                # An explicit path that does not load is an error, not a
                # reason to pick some other copy silently.
                raise OSError(f"MOTIVE_LIBRARY={path}: {e}") from e
            errors.append(f"{path}: {e}")
            continue
        for name, (restype, argtypes) in _PROTOTYPES.items():
            try:
                fn = getattr(lib, name)
            except AttributeError as e:
                raise OSError(f"{path} lacks {name}: motive >= "
                              f"0.{MIN_VERSION_NUMBER // 1000} needed") from e
            fn.restype = restype
            fn.argtypes = argtypes
        number = lib.mot_version_number()
        if number // 1000000 != ABI_MAJOR or number < MIN_VERSION_NUMBER:
            raise OSError(
                f"{path} is motive {lib.mot_version().decode()}; this binding "
                f"needs {ABI_MAJOR}.x from 0.{MIN_VERSION_NUMBER // 1000}")
        lib.motive_path = path  # type: ignore[attr-defined]
        return lib
    raise OSError(
        "libmotive not found: set MOTIVE_LIBRARY to its path, or install it "
        "(tried: " + "; ".join(errors or ["nothing to try"]) + ")")


lib = _load()
