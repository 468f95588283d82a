"""The Pythonic layer over the C ABI: Engine, the dataclasses, the helpers."""

from __future__ import annotations

import collections
import ctypes
import dataclasses
import datetime as _dt
import json
import logging
import math
import operator
import os
import threading
from ctypes import byref, c_char_p, c_int32, c_void_p
from typing import (Any, Callable, Deque, Dict, Iterable, Iterator, List,
                    Mapping, Optional, Sequence, Tuple, Union)

from . import _errors
from . import _native as N
from ._errors import InvalidArgument, MotiveError

_log = logging.getLogger("motive")
_lib = N.lib

# Names (as lower-case strings) of the MOT_* constants of motive.h.
CHANNELS: Tuple[str, ...] = (
    "unspecified", "voice", "chat", "email", "sms", "web", "mobile_app",
    "social", "review_site", "store", "survey", "other")
OUTCOMES: Tuple[str, ...] = (
    "unspecified", "resolved", "unresolved", "escalated", "transferred",
    "abandoned", "callback")
STAGES: Tuple[str, ...] = (
    "unspecified", "discovery", "consideration", "purchase", "experience",
    "loyalty", "advocacy")
MOMENTS: Tuple[str, ...] = (
    "unspecified", "less_than_zero", "zero", "first", "second", "interim",
    "third")
NPS_CATEGORIES: Tuple[str, ...] = ("none", "detractor", "passive", "promoter")
CHURN_FACTORS: Tuple[str, ...] = (
    "strikes", "repeat_contacts", "detractor", "negative_sentiment",
    "open_issues", "lapsed_purchase")
DIRECTIONS: Dict[str, int] = {
    "unspecified": 0, "inbound": 1, "outbound": 2, "proactive": 3}
FEEDBACK_OUTCOMES: Dict[str, int] = {
    "offered": 1, "accepted": 2, "rejected": 3, "ignored": 4, "converted": 5}
_DURABILITY: Dict[str, int] = {"full": 0, "group": 1}
_CHECKS: Dict[str, int] = {"quick": 0, "full": 1, "none": 2, "after_crash": 3}
_INGEST_FORMATS: Dict[str, int] = {
    "auto": N.FORMAT_AUTO, "protobuf": N.FORMAT_PROTOBUF,
    "json": N.FORMAT_JSON, "jsonl": N.FORMAT_JSONL, "csv": N.FORMAT_CSV}

Time = Union[None, int, _dt.datetime]
Event = Union[Mapping[str, Any], str, bytes]
# An identifier: (namespace, value), such as ("phone", "+1 415 555 0100").
Identity = Tuple[str, str]
PathLike = Union[str, bytes, os.PathLike]


# --- helpers ----------------------------------------------------------------

def _check(code: int) -> None:
    """Raises the exception of a failed call; read right after the call, on
    the same thread, as mot_error_last() requires."""
    if code != _errors.OK:
        raise _errors.error_for(code, _lib.mot_error_last().decode("utf-8",
                                                                   "replace"))


def _call_buf(fn: Callable[..., int], *args: Any) -> bytes:
    """Calls a function whose first parameter is a mot_buf out-parameter;
    the buffer is disposed of whether the call succeeds or not."""
    buf = N.mot_buf()
    try:
        _check(fn(byref(buf), *args))
        return ctypes.string_at(buf.data, buf.size) if buf.data else b""
    finally:
        _lib.mot_buf_dispose(byref(buf))


def _text(value: Optional[str]) -> Optional[bytes]:
    return None if value is None else value.encode("utf-8")


def _path(value: Optional[PathLike]) -> Optional[bytes]:
    return None if value is None else os.fsencode(value)


def _id(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return value.encode("utf-8")


def _enum(value: Union[str, int], names: Union[Tuple[str, ...], Mapping[str, int]],
          what: str) -> int:
    """A MOT_* constant from its name ("voice", case-insensitive) or value.
    Unknown ints pass through, for the library to judge."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a str or an int")
    if isinstance(value, int):
        return value
    key = str(value).lower()
    if isinstance(names, tuple):
        if key in names:
            return names.index(key)
    elif key in names:
        return names[key]
    known = names if isinstance(names, tuple) else tuple(names)
    raise InvalidArgument(_errors.EINVALID,
                          f"unknown {what} {value!r}; one of {', '.join(known)}")


def to_micros(value: Time) -> int:
    """Microseconds since the Unix epoch of a datetime (naive ones are UTC) or
    of an int that already is that; None is 0, which motive reads as now."""
    if value is None:
        return 0
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError("a time is a datetime, microseconds (int) or None")


def _json(data: bytes) -> Any:
    return json.loads(data.decode("utf-8")) if data else {}


def _payload(event: Event) -> bytes:
    if isinstance(event, (bytes, bytearray, memoryview)):
        return bytes(event)
    if isinstance(event, str):
        return event.encode("utf-8")
    if isinstance(event, Mapping):
        return json.dumps(event, separators=(",", ":")).encode("utf-8")
    raise TypeError("an event is a dict, a JSON str or bytes")


def _cel_literal(value: Any) -> str:
    """A Python value written as a CEL literal, for eval_expr()."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("CEL has no literal for inf or NaN")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a CEL double-quoted string
    if isinstance(value, _dt.datetime):
        micros = to_micros(value)
        stamp = _dt.datetime.fromtimestamp(micros // 1000000, _dt.timezone.utc)
        text = stamp.strftime("%Y-%m-%dT%H:%M:%S")
        if micros % 1000000:
            text += f".{micros % 1000000:06d}"
        return f"timestamp('{text}Z')"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_cel_literal(k)}: {_cel_literal(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_cel_literal(v) for v in value) + "]"
    raise TypeError(f"no CEL literal for {type(value).__name__}")


# --- plain data -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Rejection:
    """One record an ingest rejected: its 1-based line (JSONL, CSV) or index
    (JSON, protobuf), the field at fault ("" for the whole record), why."""
    record: int
    field: str
    message: str


@dataclasses.dataclass(frozen=True)
class IngestReport:
    """The counts of an ingest, and the rejected records (the first 1000).

    accepted: events newly stored; duplicates: already stored; rejected:
    records not stored. records: source records read (a platform's record
    may give several events, or none); updated: accepted events that are a
    later version or an enrichment of an interaction already stored;
    profiles_created, profiles_merged: what the events' identifiers did to
    the customer profiles; skipped: source records that hold nothing to
    import (a platform's record about an agent, such as a TaskRouter
    worker's event), counted in records, neither stored nor rejected."""
    accepted: int
    duplicates: int
    rejected: int
    rejections: Tuple[Rejection, ...] = ()
    records: int = 0
    updated: int = 0
    profiles_created: int = 0
    profiles_merged: int = 0
    skipped: int = 0


def _dataclass_of(struct_type: type, name: str, doc: str,
                  strings: Tuple[str, ...]) -> type:
    """A frozen dataclass with the fields of a ctypes.Structure (but
    struct_size and reserved): arrays become tuples, C strings str."""
    fields = []
    for field, ctype in struct_type._fields_:
        if field in ("struct_size", "reserved"):
            continue
        if field in strings:
            fields.append((field, str))
        elif issubclass(ctype, ctypes.Array):
            fields.append((field, Tuple[Any, ...]))
        elif ctype is ctypes.c_double:
            fields.append((field, float))
        else:
            fields.append((field, int))
    cls = dataclasses.make_dataclass(name, fields, frozen=True)
    cls.__doc__ = doc
    cls.__module__ = "motive"
    names = tuple(f for f, _ in fields)
    # What _convert does per call, worked out once: one C-level read of every
    # field, then the few that need it made Python values.
    cls._read = operator.attrgetter(*names)  # type: ignore[attr-defined]
    cls._names = names  # type: ignore[attr-defined]
    cls._arrays = tuple(  # type: ignore[attr-defined]
        i for i, (f, t) in enumerate(fields) if t is not str and t is not int
        and t is not float)
    cls._strings = tuple(  # type: ignore[attr-defined]
        i for i, (f, t) in enumerate(fields) if t is str)
    return cls


def _convert(struct: ctypes.Structure, cls: Any) -> Any:
    values = list(cls._read(struct))
    for i in cls._arrays:
        # A slice is copied in C; iterating a ctypes array is not.
        values[i] = tuple(values[i][:])
    for i in cls._strings:
        text = values[i]
        values[i] = text.decode("utf-8", "replace") if text else ""
    # The frozen dataclass's __init__ sets each field through
    # object.__setattr__, which costs more than the whole C call: its
    # __dict__ is filled at once instead, with what __init__ would set.
    obj = object.__new__(cls)
    obj.__dict__.update(zip(cls._names, values))
    return obj


ContextSummary = _dataclass_of(
    N.mot_context_summary, "ContextSummary",
    """A customer's built-in signals as of a time (mot_context_summary).

    The fields are those of the C struct, documented in motive.h: times are
    microseconds since the Unix epoch (0 when none), absent numbers are NaN
    (floats) or -1 (ints), booleans 0 or 1; enums are ints (CHANNELS,
    OUTCOMES, STAGES, NPS_CATEGORIES name them); the by-channel, moment and
    churn-factor arrays are tuples indexed like CHANNELS, MOMENTS and
    CHURN_FACTORS.""",
    ("last_contact_topic", "last_contact_agent_id"))

EngineStats = _dataclass_of(
    N.mot_engine_stats, "EngineStats",
    """How the engine's state was built, and how big it is
    (mot_engine_stats; snapshot_note is "" when there is nothing to say).

    A cluster node's link (all 0 without a cluster): cluster_connected (1
    while connected), cluster_last_contact_us (when it was last known
    connected, microseconds since the epoch: now minus it bounds how stale
    the answers are), cluster_applied (messages of the streams applied since
    open) and cluster_lag (messages the streams hold that this node has not
    applied yet).""",
    ("snapshot_note",))


def _init(init_fn: Callable[..., int], struct_type: type) -> Any:
    """A struct filled with its defaults by its _init function, which also
    proves this binding's layout has a size the library knows."""
    s = struct_type()
    _check(init_fn(byref(s), ctypes.sizeof(struct_type)))
    return s


class _Progress:
    """The progress callback of one long call (ingest, whatif, journeys):
    `progress(done, total)` is called with the counts; a true return stops
    the call (Canceled). An exception it raises never goes into C: it stops
    the call and is raised instead of the library's error."""

    def __init__(self, progress: Optional[Callable[[int, int], Any]]) -> None:
        self._failure: Optional[BaseException] = None

        def on_progress(_: Any, done: int, total: int) -> int:
            try:
                return 1 if progress(done, total) else 0  # type: ignore[misc]
            except BaseException as e:  # never into C: stop, re-raise later
                self._failure = e
                return 1

        # The CFUNCTYPE object must outlive the call: this object holds it.
        self.fn = N.PROGRESS_FN(on_progress) if progress else N.PROGRESS_FN()

    def reraise(self) -> None:
        """Raises what the callback raised, if it did."""
        if self._failure is not None:
            raise self._failure

    def call(self, fn: Callable[..., int], *args: Any) -> bytes:
        """_call_buf(fn, *args), raising the callback's exception rather than
        the Canceled it caused."""
        try:
            return _call_buf(fn, *args)
        except _errors.MotiveError:
            self.reraise()
            raise


# The one user_data destructor for alert callbacks: it drops the engine's
# reference to the callback once the library is done with it. It lives as
# long as the module, since the library may call it at any close.
_alert_refs: Dict[int, Any] = {}
_alert_refs_lock = threading.Lock()
_alert_next = 0


@N.FREE_FN
def _release_alert_callback(user_data: Optional[int]) -> None:
    with _alert_refs_lock:
        _alert_refs.pop(user_data or 0, None)


# --- the engine -------------------------------------------------------------

class Engine:
    """A motive engine: a customer-journey database and its in-memory state.

    ``with motive.Engine("journeys.db", ruleset=text) as eng: ...``

    Options (keyword arguments, the fields of mot_engine_options):
    durability ("full" or "group"), group_commit_ms, integrity_check
    ("quick", "full", "none", "after_crash"), create_if_missing (bool),
    read_only (bool), journey_map and context_config (protobuf text),
    snapshot_path (None: beside the database; "-": none), ruleset (text
    format or JSON), ruleset_origin (its name in messages),
    retention_days (for apply_retention; 0 keeps events forever) and
    identity_config (motive.v1.IdentityConfig in protobuf text format: the
    region of national phone numbers, when a value counts as shared,
    namespaces that never merge).

    Cluster options make the engine one node of many that share one history
    through NATS JetStream, each with its own database file ("Clusters" in
    motive.h): cluster (the NATS servers, "nats://host:4222", a
    comma-separated str or a list of them; None: no cluster), tenant (names
    the shared history: letters, digits, "-" and "_"; None: "default"),
    cluster_partitions and cluster_streams (0: 256 and 4; the same on every
    node of a tenant), cluster_replicas (copies of each stream this node
    creates; 0: 3), cluster_write_timeout_ms (how long a write waits for
    the cluster; 0: 5000), cluster_open_timeout_ms (how long opening waits
    to connect and catch up; 0: 120000), cluster_credentials (a NATS .creds
    file), cluster_tls_ca, cluster_tls_cert and cluster_tls_key (PEM
    files), held_partitions (the partitions this node holds, "0-63,128"
    or a list of numbers; None: all; others' customers are refused with
    InvalidArgument naming their partition: see partition_of()). A node's
    writes return once the cluster holds them and the node
    applied them; when the cluster cannot be reached in time, opening and
    writes raise UnreachableError and queries go on answering from what was
    applied (stats() says how stale). A cluster node cannot be read_only;
    erase() on it erases on every node and in the streams.

    Every method that takes a customer id also takes identity=(namespace,
    value) instead: the customer that identifier belongs to (resolve()).

    Every method may be called from any thread; close() must not race with
    other calls. Methods raise MotiveError subclasses carrying the status
    code and the library's message; on a closed engine, InvalidArgument.
    """

    def __init__(self, path: Union[str, os.PathLike] = ":memory:", *,
                 durability: Union[str, int] = "full",
                 group_commit_ms: int = 50,
                 integrity_check: Union[str, int] = "quick",
                 create_if_missing: bool = True,
                 read_only: bool = False,
                 journey_map: Optional[str] = None,
                 context_config: Optional[str] = None,
                 snapshot_path: Optional[str] = None,
                 ruleset: Optional[str] = None,
                 ruleset_origin: Optional[str] = None,
                 retention_days: int = 0,
                 identity_config: Optional[str] = None,
                 cluster: Union[None, str, Sequence[str]] = None,
                 tenant: Optional[str] = None,
                 cluster_partitions: int = 0,
                 cluster_streams: int = 0,
                 cluster_replicas: int = 0,
                 cluster_write_timeout_ms: int = 0,
                 cluster_open_timeout_ms: int = 0,
                 cluster_credentials: Optional[PathLike] = None,
                 cluster_tls_ca: Optional[PathLike] = None,
                 cluster_tls_cert: Optional[PathLike] = None,
                 cluster_tls_key: Optional[PathLike] = None,
                 held_partitions: Union[None, str, Sequence[int]] = None
                 ) -> None:
        self._handle: Optional[int] = None
        self._alert_user_data = 0
        self.callback_errors: Deque[BaseException] = collections.deque(maxlen=100)
        """Exceptions raised by the alert callback (the latest 100): they
        cannot cross into C, so they are logged and kept here."""
        opts = _init(_lib.mot_engine_options_init, N.mot_engine_options)
        opts.durability = _enum(durability, _DURABILITY, "durability")
        opts.group_commit_ms = group_commit_ms
        opts.integrity_check = _enum(integrity_check, _CHECKS, "integrity check")
        opts.create_if_missing = int(bool(create_if_missing))
        opts.read_only = int(bool(read_only))
        opts.journey_map = _text(journey_map)
        opts.context_config = _text(context_config)
        opts.snapshot_path = _text(snapshot_path)
        opts.ruleset = _text(ruleset)
        opts.ruleset_origin = _text(ruleset_origin)
        opts.retention_days = retention_days
        opts.identity_config = _text(identity_config)
        if cluster is not None and not isinstance(cluster, str):
            cluster = ",".join(cluster)
        opts.cluster_servers = _text(cluster)
        opts.cluster_tenant = _text(tenant)
        opts.cluster_partitions = cluster_partitions
        opts.cluster_streams = cluster_streams
        opts.cluster_replicas = cluster_replicas
        opts.cluster_write_timeout_ms = cluster_write_timeout_ms
        opts.cluster_open_timeout_ms = cluster_open_timeout_ms
        opts.cluster_credentials = _path(cluster_credentials)
        opts.cluster_tls_ca = _path(cluster_tls_ca)
        opts.cluster_tls_cert = _path(cluster_tls_cert)
        opts.cluster_tls_key = _path(cluster_tls_key)
        if held_partitions is not None and not isinstance(held_partitions, str):
            held_partitions = ",".join(str(p) for p in held_partitions)
        opts.cluster_held_partitions = _text(held_partitions)
        handle = c_void_p()
        _check(_lib.mot_engine_open(byref(handle), os.fsencode(path),
                                    byref(opts)))
        self._handle = handle.value
        self.path = os.fspath(path)

    # lifecycle

    def close(self) -> None:
        """Syncs what group commit has not synced yet and closes; idempotent."""
        handle, self._handle = self._handle, None
        if handle:
            _lib.mot_engine_close(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) and _lib is not None:
            self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<motive.Engine {self.path!r} {state}>"

    def _h(self) -> int:
        if self._handle is None:
            raise InvalidArgument(_errors.EINVALID, "the engine is closed")
        return self._handle

    def flush(self) -> None:
        """Makes every event recorded so far durable now."""
        _check(_lib.mot_engine_flush(self._h()))

    def snapshot(self) -> None:
        """Writes every customer's state to the snapshot file."""
        _check(_lib.mot_engine_snapshot(self._h()))

    def stats(self) -> "EngineStats":
        """How the state was built and how big it is."""
        s = _init(_lib.mot_engine_stats_init, N.mot_engine_stats)
        _check(_lib.mot_engine_stats_get(byref(s), self._h()))
        return _convert(s, EngineStats)

    # events

    def record(self, event: Event, *, protobuf: bool = False) -> bool:
        """Records one motive.v1.Event: a dict or a JSON text (str or bytes),
        or serialized protobuf bytes with protobuf=True. Returns True when it
        was appended, False when its event_id was already in the log."""
        data = _payload(event)
        stored = c_int32(0)
        fmt = N.FORMAT_PROTOBUF if protobuf else N.FORMAT_JSON
        _check(_lib.mot_event_record(byref(stored), self._h(), fmt, data,
                                     len(data)))
        return bool(stored.value)

    @staticmethod
    def _ingest_format(fmt: Union[str, int, None], platform: Union[str, int, None],
                       default: str) -> int:
        """The MOT_FORMAT_* of motive's own `fmt` or of a `platform`, whose
        names the library knows (mot_format_from_name)."""
        if platform is None:
            return _enum(default if fmt is None else fmt, _INGEST_FORMATS,
                         "format")
        if fmt is not None:
            raise InvalidArgument(_errors.EINVALID,
                                  "give format or platform, not both")
        if isinstance(platform, bool) or not isinstance(platform, (str, int)):
            raise TypeError("platform must be a str or an int")
        if isinstance(platform, int):
            return platform
        code = c_int32(0)
        _check(_lib.mot_format_from_name(byref(code), platform.encode("utf-8")))
        if code.value < N.FORMAT_PLATFORM_AUTO:
            raise InvalidArgument(
                _errors.EINVALID,
                f"platform {platform!r} is motive's own format: "
                "pass it as format=")
        return code.value

    def _ingest(self, call: Callable[..., int], fmt: int,
                progress: Optional[Callable[[int, int], Any]],
                batch_size: int, timezone: Optional[str],
                source_name: Optional[str]) -> IngestReport:
        opts = _init(_lib.mot_ingest_options_init, N.mot_ingest_options)
        opts.format = fmt
        if batch_size:
            opts.batch_size = batch_size
        # Kept alive by these locals for the call.
        tz = None if timezone is None else timezone.encode("utf-8")
        source = None if source_name is None else os.fsencode(source_name)
        opts.timezone = tz
        opts.source_name = source
        rejections: List[Rejection] = []

        def on_reject(_: Any, record: int, field: bytes, message: bytes) -> None:
            if len(rejections) < 1000:
                rejections.append(Rejection(
                    record, (field or b"").decode("utf-8", "replace"),
                    (message or b"").decode("utf-8", "replace")))

        # The CFUNCTYPE objects must outlive the call: these locals do.
        reject_fn = N.REJECT_FN(on_reject)
        opts.on_reject = reject_fn
        watch = _Progress(progress)
        opts.on_progress = watch.fn
        report = N.mot_ingest_report(ctypes.sizeof(N.mot_ingest_report))
        code = call(byref(report), byref(opts))
        watch.reraise()
        if code not in (_errors.OK, _errors.EREJECTED):
            _check(code)
        return IngestReport(report.accepted, report.duplicates, report.rejected,
                            tuple(rejections), report.records, report.updated,
                            report.profiles_created, report.profiles_merged,
                            report.skipped)

    def ingest_file(self, path: Union[str, os.PathLike], *,
                    format: Union[str, int, None] = None,
                    platform: Union[str, int, None] = None,
                    timezone: Optional[str] = None,
                    source_name: Optional[str] = None,
                    progress: Optional[Callable[[int, int], Any]] = None,
                    batch_size: int = 0) -> IngestReport:
        """Ingests a file of events (JSONL, CSV, a JSON or protobuf
        EventBatch; format "auto", the default, goes by the extension), or
        with `platform` a contact-center platform's records as it exports
        them ("connect-ctr", "contact-lens", "zendesk-ticket", ... or "auto":
        found from the first record; README "Importers"). `timezone` (IANA,
        default UTC) reads a platform's timestamps written without an
        offset; `source_name` names the input for the importers that need
        it (default: the file's name). Rejected records do not raise: they
        are counted and listed in the report. `progress(done, total)` is
        called now and then; a true result stops the ingest (Canceled), and
        an exception it raises stops it and propagates."""
        h = self._h()
        fspath = os.fsencode(path)
        return self._ingest(
            lambda rep, opts: _lib.mot_ingest_file(rep, h, fspath, opts),
            self._ingest_format(format, platform, "auto"), progress,
            batch_size, timezone, source_name)

    def ingest(self, events: Union[bytes, str, Iterable[Event]], *,
               format: Union[str, int, None] = None,
               platform: Union[str, int, None] = None,
               timezone: Optional[str] = None,
               source_name: Optional[str] = None,
               progress: Optional[Callable[[int, int], Any]] = None,
               batch_size: int = 0) -> IngestReport:
        """Ingests many events from memory: bytes or str in `format` (default
        "jsonl"), or an iterable of events (dicts or JSON texts), sent as
        JSONL. With `platform` (see ingest_file), the records of that
        platform: bytes or str as it exports them, or an iterable of records
        (dicts or JSON texts)."""
        if isinstance(events, str):
            data = events.encode("utf-8")
        elif isinstance(events, (bytes, bytearray, memoryview)):
            data = bytes(events)
        else:
            data = b"".join(_payload(e).replace(b"\n", b" ") + b"\n"
                            for e in events)
            if platform is None:
                format = "jsonl"
        h = self._h()
        return self._ingest(
            lambda rep, opts: _lib.mot_ingest_buffer(rep, h, data, len(data),
                                                     opts),
            self._ingest_format(format, platform, "jsonl"), progress,
            batch_size, timezone, source_name)

    # reading

    def timeline(self, customer_id: Optional[str] = None, *, since: Time = None,
                 until: Time = None, limit: int = 0,
                 identity: Optional[Identity] = None) -> List[Dict[str, Any]]:
        """The customer's events (dicts, protobuf's JSON mapping) in event-time
        order, with since <= occurred_at < until, the `limit` latest (0: all).
        A customer with no events gets []."""
        opts = _init(_lib.mot_timeline_options_init, N.mot_timeline_options)
        opts.format = N.FORMAT_JSON
        opts.since_us = to_micros(since)
        opts.until_us = to_micros(until)
        opts.limit = limit
        data = _call_buf(_lib.mot_timeline_get, self._h(),
                         self._customer(customer_id, identity), byref(opts))
        return list(_json(data).get("events", []))

    def journey_svg(self, customer_id: Optional[str] = None, *,
                    since: Time = None, until: Time = None,
                    identity: Optional[Identity] = None) -> str:
        """The picture (SVG) of the customer's journey: their events with
        since <= occurred_at < until on a time axis, a lane per stage, moments
        of truth by colour, bad experiences ringed in red."""
        return _call_buf(_lib.mot_journey_svg, self._h(),
                         self._customer(customer_id, identity),
                         to_micros(since), to_micros(until)).decode("utf-8")

    def journeys(self, *, since: Time = None, until: Time = None,
                 segment: Optional[str] = None,
                 progress: Optional[Callable[[int, int], Any]] = None
                 ) -> Dict[str, Any]:
        """The journey map of every customer over their events with since <=
        occurred_at < until: the motive.v1.JourneyFigures as a dict
        (stage_customers, moment_events, flows, bad_experiences,
        third_strike, third_strike_came_back, third_strike_left,
        repeat_contacts, transfers, segment). With `segment`, a rule
        condition over the customer's context as the range ends (the
        variables of check_expression, such as "customer.strikes >= 2"),
        only the customers it holds for; a bad one raises before any work.
        `progress(done, total)` is called with customers; a true return
        stops the map (Canceled)."""
        return _json(self._journeys(N.FORMAT_JSON, since, until, segment,
                                    progress))

    def journeys_svg(self, *, since: Time = None, until: Time = None,
                     segment: Optional[str] = None,
                     progress: Optional[Callable[[int, int], Any]] = None
                     ) -> str:
        """journeys() drawn as SVG."""
        return self._journeys(N.FORMAT_SVG, since, until, segment,
                              progress).decode("utf-8")

    def _journeys(self, format: int, since: Time, until: Time,
                  segment: Optional[str],
                  progress: Optional[Callable[[int, int], Any]]) -> bytes:
        opts = _init(_lib.mot_journeys_options_init, N.mot_journeys_options)
        opts.format = format
        opts.from_us = to_micros(since)
        opts.to_us = to_micros(until)
        text = _text(segment)  # kept alive by this local for the call
        opts.segment = text
        watch = _Progress(progress)
        opts.on_progress = watch.fn
        return watch.call(_lib.mot_journeys_get_v2, self._h(), byref(opts))

    def whatif(self, rules: str, *, against: Optional[str] = None,
               origin: Optional[str] = None,
               against_origin: Optional[str] = None, since: Time = None,
               until: Time = None,
               progress: Optional[Callable[[int, int], Any]] = None
               ) -> Dict[str, Any]:
        """What-if replay (mot_whatif_run): every contact with since <=
        occurred_at < until decided again at its own time with `rules` and
        with `against` (None: no ruleset), on the context as it was then.
        Returns the motive.v1.WhatIfReport as a dict (decisions, changed,
        top_gained, top_lost, newly_suppressed, service_recovery,
        expected_value, examples, ...; counts as strings, protobuf's JSON
        mapping of 64-bit integers, and zero counts left out). `origin` and
        `against_origin` name the rulesets in errors. `progress(done,
        total)` is called with customers; a true return stops the replay
        (Canceled)."""
        opts = _init(_lib.mot_whatif_options_init, N.mot_whatif_options)
        opts.format = N.FORMAT_JSON
        # Kept alive by these locals for the call.
        texts = [_text(against), _text(origin), _text(against_origin)]
        opts.against, opts.origin, opts.against_origin = texts
        opts.from_us = to_micros(since)
        opts.to_us = to_micros(until)
        watch = _Progress(progress)
        opts.on_progress = watch.fn
        return _json(watch.call(_lib.mot_whatif_run, self._h(), _text(rules),
                                byref(opts)))

    def erase(self, customer_id: Optional[str] = None, *,
              identity: Optional[Identity] = None) -> int:
        """Erases the customer, for a request to be forgotten: their events
        (from the database file and its write-ahead log), their context and
        queued alerts, their share of what feedback taught, and their traces
        in the snapshot (mot_customer_erase): the whole customer, every id
        merged into it, its identifiers and links. Returns the number of
        events erased; 0 for an unknown customer. BusyError when another connection
        reading the database kept the write-ahead log: the events are gone,
        call again once it is closed."""
        erased = ctypes.c_uint64(0)
        _check(_lib.mot_customer_erase(byref(erased), self._h(),
                                       self._customer(customer_id, identity)))
        return erased.value

    def apply_retention(self) -> int:
        """Retention: every event that occurred more than retention_days
        ago leaves the database, the contexts and the snapshot, as erase()
        takes a customer's (mot_retention_apply). Call it on a schedule.
        Returns the number of events that left. InvalidArgument when the
        engine was opened without retention_days."""
        removed = ctypes.c_uint64(0)
        _check(_lib.mot_retention_apply(byref(removed), self._h()))
        return removed.value

    def summary(self, customer_id: Optional[str] = None, as_of: Time = None, *,
                identity: Optional[Identity] = None) -> "ContextSummary":
        """The customer's built-in signals as of a time (None: now). An
        unknown customer is no error: known is 0."""
        s = _init(_lib.mot_context_summary_init, N.mot_context_summary)
        _check(_lib.mot_context_summary_get(
            byref(s), self._h(), self._customer(customer_id, identity),
            to_micros(as_of)))
        return _convert(s, ContextSummary)

    def summaries(self, customer_ids: Sequence[str],
                  as_of: Time = None) -> List["ContextSummary"]:
        """summary() of each customer, in one call: faster for a queue of
        callers, whose states are fetched together."""
        ids = [_id(c, "customer_id") for c in customer_ids]
        if not ids:
            return []
        out = (N.mot_context_summary * len(ids))()
        for s in out:
            _check(_lib.mot_context_summary_init(
                byref(s), ctypes.sizeof(N.mot_context_summary)))
        _check(_lib.mot_context_summary_get_many(
            out, self._h(), (ctypes.c_char_p * len(ids))(*ids), len(ids),
            to_micros(as_of)))
        return [_convert(s, ContextSummary) for s in out]

    def context(self, customer_id: Optional[str] = None, as_of: Time = None, *,
                identity: Optional[Identity] = None) -> Dict[str, Any]:
        """The full motive.v1.Context as a dict: signals, metrics by name,
        attributes, the latest events."""
        return _json(_call_buf(_lib.mot_context_get, self._h(),
                               self._customer(customer_id, identity),
                               to_micros(as_of), N.FORMAT_JSON))

    def load_context_config(self, text: str) -> None:
        """Replaces the context configuration (motive.v1.ContextConfig in
        protobuf text format) and rebuilds every customer's state."""
        data = text.encode("utf-8")
        _check(_lib.mot_context_config_load(self._h(), data, len(data)))

    def check_expr(self, expression: str) -> str:
        """Compiles a rule expression against the engine's variables; returns
        its result type ("bool"). ParseError or InvalidArgument say where it
        is wrong."""
        return _call_buf(_lib.mot_expr_check, self._h(),
                         expression.encode("utf-8")).decode("utf-8")

    # identities

    def _customer(self, customer_id: Optional[str],
                  identity: Optional[Identity]) -> bytes:
        """The customer id a call is about: `customer_id`, or the customer
        `identity` resolves to; exactly one of them."""
        if identity is None:
            if customer_id is None:
                raise TypeError("give a customer_id or identity=(namespace, "
                                "value)")
            return _id(customer_id, "customer_id")
        if customer_id is not None:
            raise TypeError("give a customer_id or an identity, not both")
        if (not isinstance(identity, (tuple, list)) or len(identity) != 2):
            raise TypeError("an identity is a (namespace, value) pair")
        return self.resolve(*identity).encode("utf-8")

    def resolve(self, namespace: str, value: str) -> str:
        """The id of the customer identifier (namespace, value) belongs to;
        the value is normalized first (phone numbers to E.164, emails
        lower-cased). NotFound when no event carried it; AmbiguousError when
        it is shared by several customers, or unlinked and on several."""
        out = ctypes.create_string_buffer(N.CUSTOMER_ID_MAX + 1)
        _check(_lib.mot_identity_resolve(out, len(out), None, self._h(),
                                         _id(namespace, "namespace"),
                                         _id(value, "value")))
        return out.value.decode("utf-8")

    def profile(self, customer_id: Optional[str] = None, *,
                identity: Optional[Identity] = None) -> Dict[str, Any]:
        """What motive knows of the customer, as a motive.v1.Profile dict:
        customer_id, anchors (every id merged into it), identifiers (each
        {"identifier": {"namespace", "value"}} with the flags invalid,
        shared, unlinked, never_merges when set) and merges (the
        identity.merge and identity.split events, with the attributes from,
        into and reason). An unknown customer gets a profile of itself."""
        return _json(_call_buf(_lib.mot_identity_profile, self._h(),
                               self._customer(customer_id, identity),
                               N.FORMAT_JSON))

    def link(self, customer_id: Optional[str],
             identifiers: Iterable[Identity], *,
             identity: Optional[Identity] = None) -> None:
        """Links identifiers, (namespace, value) pairs (at most 16), to the
        customer customer_id, or to each other when it is None: an
        identity.link event in the log, which merges as any event would.
        Identifiers unlinked before link again. With identity=, they are
        linked together with that identifier, into the customer it belongs
        to (NotFound or AmbiguousError when it belongs to none, or to
        several); this also reaches customers known only by an id motive
        derived ("~..."), which mot_identity_link refuses as customer_id."""
        pairs = [tuple(pair) for pair in identifiers]
        if any(len(pair) != 2 for pair in pairs):
            raise TypeError("identifiers are (namespace, value) pairs")
        customer = None
        if identity is not None:
            self._customer(customer_id, identity)  # raises unless resolved
            pairs.insert(0, tuple(identity))
        elif customer_id is not None:
            customer = _id(customer_id, "customer_id")
        n = len(pairs)
        namespaces = (c_char_p * max(n, 1))(
            *[_id(ns, "namespace") for ns, _ in pairs])
        values = (c_char_p * max(n, 1))(*[_id(v, "value") for _, v in pairs])
        _check(_lib.mot_identity_link(self._h(), customer, namespaces, values,
                                      n))

    def unlink(self, namespace: str, value: str) -> None:
        """Unlinks identifier (namespace, value): an identity.unlink event in
        the log. From then on it links nothing (until linked again): the
        customers it tied split."""
        _check(_lib.mot_identity_unlink(self._h(), _id(namespace, "namespace"),
                                        _id(value, "value")))

    # next-best action

    def load_rules(self, text: str, origin: Optional[str] = None) -> None:
        """Loads a ruleset (motive.v1.Ruleset, protobuf text format or JSON)
        and swaps it in; one that does not load changes nothing. `origin`
        names it in messages, as a file name."""
        data = text.encode("utf-8")
        _check(_lib.mot_ruleset_load(self._h(), data, len(data), _text(origin)))

    def check_rules(self, text: str, origin: Optional[str] = None) -> None:
        """Checks a ruleset as load_rules() would, without loading it: raises
        the same ParseError or InvalidArgument for one that would not load."""
        data = text.encode("utf-8")
        _check(_lib.mot_ruleset_check(self._h(), data, len(data),
                                      _text(origin)))

    def load_rules_file(self, path: Union[str, os.PathLike]) -> None:
        """load_rules() with a file's text, named by its file name."""
        with open(path, encoding="utf-8") as f:
            self.load_rules(f.read(), origin=os.path.basename(os.fspath(path)))

    def decide(self, customer_id: Optional[str] = None,
               channel: Union[str, int] = "unspecified",
               topic: Optional[str] = None, direction: Union[str, int] = "inbound",
               *, agent_id: Optional[str] = None, time: Time = None,
               max_results: int = 0,
               identity: Optional[Identity] = None) -> Dict[str, Any]:
        """The next-best actions for a customer in a situation, as a
        motive.v1.Decision dict: decision_id (for feedback()), actions (ranked,
        with scripts and reasons), playbooks, and the dropped candidates.
        InvalidArgument when no ruleset is loaded."""
        customer = self._customer(customer_id, identity)
        s = _init(_lib.mot_situation_init, N.mot_situation)
        s.channel = _enum(channel, CHANNELS, "channel")
        s.topic = _text(topic)
        s.agent_id = _text(agent_id)
        s.direction = _enum(direction, DIRECTIONS, "direction")
        s.time_us = to_micros(time)
        s.max_results = max_results
        return _json(_call_buf(_lib.mot_decide, self._h(), customer, byref(s),
                               N.FORMAT_JSON))

    def feedback(self, customer_id: Optional[str] = None,
                 decision_id: Optional[str] = None, action: Optional[str] = None,
                 outcome: Union[str, int] = "accepted", *,
                 channel: Union[str, int] = "unspecified",
                 time: Time = None, identity: Optional[Identity] = None) -> None:
        """Records what came of an action of a decision ("offered",
        "accepted", "rejected", "ignored", "converted"); it counts toward caps
        and cool-offs and moves the action's learned propensity. With
        identity=, name decision_id and action by keyword."""
        customer = self._customer(customer_id, identity)
        _check(_lib.mot_feedback(
            self._h(), customer,
            _id(decision_id, "decision_id"), _id(action, "action"),
            _enum(outcome, FEEDBACK_OUTCOMES, "outcome"),
            _enum(channel, CHANNELS, "channel"), to_micros(time)))

    def alerts(self, max: int = 0) -> Iterator[Dict[str, Any]]:
        """Takes the proactive alerts that are due (at most `max`; 0: all),
        oldest first, and iterates over them (motive.v1.Alert dicts). Each
        alert is returned once."""
        data = _call_buf(_lib.mot_alerts_poll, self._h(), max, N.FORMAT_JSON)
        return iter(_json(data).get("alerts", []))

    def on_alert(self, callback: Optional[Callable[[Dict[str, Any]], Any]]) -> None:
        """Delivers each alert, as it comes due, to `callback(alert_dict)`
        instead of queueing it for alerts(); None goes back to queueing.
        Alerts already due are delivered before this returns; later ones on
        the thread that records the event raising them, before that call
        returns. The callback must not call into this engine. An exception it
        raises is logged (logger "motive") and kept in callback_errors."""
        global _alert_next
        h = self._h()
        if callback is None:
            _check(_lib.mot_alerts_set_callback(h, N.ALERT_FN(), None,
                                                N.FREE_FN(), N.FORMAT_JSON))
            return
        errors = self.callback_errors

        def deliver(_: Any, data: Any, size: int) -> None:
            try:
                callback(json.loads(ctypes.string_at(data, size)))
            except BaseException as e:  # must not cross into C
                errors.append(e)
                _log.exception("motive alert callback raised")

        fn = N.ALERT_FN(deliver)
        with _alert_refs_lock:
            _alert_next += 1
            token = _alert_next
            # Held until the library releases it (_release_alert_callback):
            # a delivery under way on another thread keeps its function.
            _alert_refs[token] = fn
        code = _lib.mot_alerts_set_callback(h, fn, token,
                                            _release_alert_callback,
                                            N.FORMAT_JSON)
        if code != _errors.OK:
            message = _lib.mot_error_last().decode("utf-8", "replace")
            _release_alert_callback(token)  # a failed call keeps user_data
            raise _errors.error_for(code, message)


# --- module functions -------------------------------------------------------

def version() -> str:
    """The version of the libmotive loaded, "MAJOR.MINOR.PATCH"."""
    return _lib.mot_version().decode("ascii")


def library_path() -> str:
    """The path the library was loaded from."""
    return _lib.motive_path


def partition_of(customer_id: str, partitions: int = 256) -> int:
    """The cluster partition of a customer's events (FNV-1a 64 of the id,
    modulo `partitions`): which node to ask when nodes hold some each."""
    out = ctypes.c_uint32()
    _check(_lib.mot_cluster_partition(ctypes.byref(out),
                                      _id(customer_id, "customer_id"),
                                      partitions))
    return out.value


def strerror(code: int) -> str:
    """The short name of a status code ("invalid argument")."""
    return _lib.mot_strerror(code).decode("utf-8")


def check_expr(expression: str) -> str:
    """Compiles a rule expression against the default context schema (an
    in-memory engine with no metrics) and returns its result type."""
    with Engine(":memory:", snapshot_path="-") as eng:
        return eng.check_expr(expression)


def eval_expr(expression: str, **variables: Any) -> str:
    """Evaluates a rule expression once, with `variables` (Python values:
    None, bool, int, float, str, datetime, lists and dicts of them) declared;
    returns the result as a CEL literal ("true", "[1, 2]")."""
    names = (c_char_p * max(len(variables), 1))(
        *[n.encode("utf-8") for n in variables])
    values = (c_char_p * max(len(variables), 1))(
        *[_cel_literal(v).encode("utf-8") for v in variables.values()])
    return _call_buf(_lib.mot_expr_eval, expression.encode("utf-8"), names,
                     values, len(variables)).decode("utf-8")
