"""Exceptions raised by the binding: one class per MOT_E* status code."""

from __future__ import annotations

from typing import Dict, Type

# The status codes of motive.h; their values never change.
OK = 0
EINVALID = -1
ENOTFOUND = -2
EPARSE = -3
EIO = -4
ECORRUPT = -5
EBUSY = -6
ETOOSMALL = -7
EVERSION = -8
ENOMEM = -9
EINTERNAL = -10
EREJECTED = -11
ECANCELED = -12
EUNSUPPORTED = -13
EAMBIGUOUS = -14
EUNREACHABLE = -15


class MotiveError(Exception):
    """A call into libmotive failed.

    `code` is the MOT_E* status (a negative int) and `message` what
    mot_error_last() said about it (it names the field, the line or the file
    at fault).
    """

    code: int = EINTERNAL

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message or f"motive error {self.code}"


class InvalidArgument(MotiveError, ValueError):
    """MOT_EINVALID: an argument or a record is invalid (also: the engine is
    closed, or no ruleset is loaded)."""


class NotFound(MotiveError, LookupError):
    """MOT_ENOTFOUND: the thing asked for does not exist."""


class ParseError(MotiveError, ValueError):
    """MOT_EPARSE: JSON, CSV, text format or protobuf that cannot be read."""


class MotiveIOError(MotiveError):
    """MOT_EIO: the file system or the database failed."""


class CorruptError(MotiveError):
    """MOT_ECORRUPT: a file is damaged or is not a motive database."""


class BusyError(MotiveError):
    """MOT_EBUSY: the database is locked by another process."""


class TooSmallError(MotiveError):
    """MOT_ETOOSMALL: a buffer is too small."""


class VersionError(MotiveError):
    """MOT_EVERSION: made by a newer motive, or a struct too new."""


class OutOfMemory(MotiveError, MemoryError):
    """MOT_ENOMEM: out of memory."""


class InternalError(MotiveError):
    """MOT_EINTERNAL: a bug in motive."""


class RejectedError(MotiveError):
    """MOT_EREJECTED: some records were rejected, the others stored."""


class Canceled(MotiveError):
    """MOT_ECANCELED: a callback asked to stop."""


class Unsupported(MotiveError):
    """MOT_EUNSUPPORTED: a format or feature this build lacks."""


class AmbiguousError(MotiveError, LookupError):
    """MOT_EAMBIGUOUS: an identifier stands for several customers (a shared
    value, such as a switchboard number, or one unlinked by hand); ask by
    customer id or by another identifier."""


class UnreachableError(MotiveError, ConnectionError):
    """MOT_EUNREACHABLE: the cluster could not be reached, or did not answer
    in time. Nothing was recorded, unless a write timed out after the
    cluster stored it: writing it again is safe, it is stored once."""


# motive.IOError, as the status is named in C; MotiveIOError inside this
# package so that the built-in IOError is never shadowed here.
IOError = MotiveIOError  # noqa: A001

_BY_CODE: Dict[int, Type[MotiveError]] = {
    EINVALID: InvalidArgument,
    ENOTFOUND: NotFound,
    EPARSE: ParseError,
    EIO: MotiveIOError,
    ECORRUPT: CorruptError,
    EBUSY: BusyError,
    ETOOSMALL: TooSmallError,
    EVERSION: VersionError,
    ENOMEM: OutOfMemory,
    EINTERNAL: InternalError,
    EREJECTED: RejectedError,
    ECANCELED: Canceled,
    EUNSUPPORTED: Unsupported,
    EAMBIGUOUS: AmbiguousError,
    EUNREACHABLE: UnreachableError,
}

# Shown as motive.InvalidArgument, not motive._errors.InvalidArgument.
for _cls in [MotiveError, *_BY_CODE.values()]:
    _cls.__module__ = "motive"
del _cls


def error_for(code: int, message: str) -> MotiveError:
    """The exception of status `code` (MotiveError for an unknown one)."""
    return _BY_CODE.get(code, MotiveError)(code, message)
