"""motive: the agent-assist engine's Python binding, over its C ABI (ctypes).

    import motive
    with motive.Engine("journeys.db") as eng:
        eng.record({"customer_id": "C042", "type": "contact", "channel": "voice",
                    "occurred_at": "2025-03-01T10:00:00Z"})
        print(eng.summary("C042").contacts_30d)

The library is looked for at $MOTIVE_LIBRARY, then beside this package (a
bundled libmotive.so*), then on the system (libmotive.so.0).
"""

from ._errors import (AmbiguousError, Canceled, CorruptError, BusyError,
                      InternalError, InvalidArgument, IOError, MotiveError,
                      MotiveIOError, NotFound, OutOfMemory, ParseError,
                      RejectedError, TooSmallError, UnreachableError,
                      Unsupported, VersionError)
from ._engine import (CHANNELS, CHURN_FACTORS, DIRECTIONS, FEEDBACK_OUTCOMES,
                      MOMENTS, NPS_CATEGORIES, OUTCOMES, STAGES, ContextSummary,
                      Engine, EngineStats, IngestReport, Rejection, check_expr,
                      eval_expr, library_path, partition_of, strerror, to_micros,
                      version)

__version__ = "0.7.0"

__all__ = [
    "Engine", "ContextSummary", "EngineStats", "IngestReport", "Rejection",
    "version", "library_path", "strerror", "check_expr", "eval_expr",
    "partition_of",
    "to_micros", "CHANNELS", "OUTCOMES", "STAGES", "MOMENTS", "NPS_CATEGORIES",
    "CHURN_FACTORS", "DIRECTIONS", "FEEDBACK_OUTCOMES",
    "MotiveError", "InvalidArgument", "NotFound", "ParseError", "MotiveIOError",
    "CorruptError", "BusyError", "TooSmallError", "VersionError", "OutOfMemory",
    "InternalError", "RejectedError", "Canceled", "Unsupported",
    "AmbiguousError", "UnreachableError",
]
