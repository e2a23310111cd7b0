"""Output checks and writes of the report package: see :mod:`trainlca.io` (their one home)."""

from trainlca.io import OutputError, check_dir, check_output, save

__all__ = ["OutputError", "check_dir", "check_output", "save"]
