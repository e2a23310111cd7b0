"""User-facing errors.

Every error a user can cause derives from :class:`TrainLCAError`. The CLI turns any of them into
one line on stderr and exit code 2; the library lets them propagate so callers can catch them.
"""

from __future__ import annotations


class TrainLCAError(ValueError):
    """Bad input or bad data: the message says what was wrong and how to fix it (one line)."""


class UnknownHardwareError(TrainLCAError):
    """An accelerator name that the catalogue does not know (message lists the closest names)."""


class UnknownLocationError(TrainLCAError):
    """A country or grid zone that the grid provider does not know."""


class DataFileError(TrainLCAError):
    """A data file (Epoch CSV, grid CSV, reference table) that is missing, malformed or empty."""


class ParameterError(TrainLCAError):
    """A malformed or out-of-range parameter override or option."""


class OutputError(TrainLCAError):
    """An output path that cannot be written: existing file without ``--force``, a folder that
    is not writable, an unknown file extension, an OS error while writing."""
