"""Epoch AI "Notable AI Models" data: download and cache, schema map, runs built from rows.

* :func:`load_epoch` — a local CSV, or the public CSV downloaded into the user cache
  (:mod:`trainlca.epoch.download`), → :class:`EpochData` (table, sha256, snapshot date, source,
  schema variant).
* :mod:`trainlca.epoch.schema` — columns chosen by name across snapshots.
* :func:`build_runs` — rows → :class:`RunTable` of training runs with accelerator-hours, chip,
  grid zone and imputation flags; unusable rows kept aside with a reason.

Multi-valued cells (``Training hardware``, ``Country (of organization)``), one rule for both,
implemented once in :func:`trainlca.epoch.runs.pick_first_known`: split on commas, drop repeats,
take the FIRST listed value that resolves (chip known to the catalogue; country with an ISO-3
code, "Multinational" excluded), and flag the row when more than one distinct value is listed.
No resolvable country → world grid ``WOR``, flagged.
"""

from trainlca.epoch.data import EpochData, load_epoch, read_epoch_csv
from trainlca.epoch.download import EPOCH_NOTABLE_URL, default_cache_dir, fetch
from trainlca.epoch.runs import (
    FLAG_COLUMNS,
    PRECISIONS,
    RUN_COLUMNS,
    RunTable,
    build_runs,
    parse_precision,
    pick_first_known,
    split_values,
)
from trainlca.epoch.schema import COLUMN_ALTERNATIVES, SchemaMap, resolve_columns

__all__ = [
    "COLUMN_ALTERNATIVES",
    "EPOCH_NOTABLE_URL",
    "FLAG_COLUMNS",
    "PRECISIONS",
    "RUN_COLUMNS",
    "EpochData",
    "RunTable",
    "SchemaMap",
    "build_runs",
    "default_cache_dir",
    "fetch",
    "load_epoch",
    "parse_precision",
    "pick_first_known",
    "read_epoch_csv",
    "resolve_columns",
    "split_values",
]
