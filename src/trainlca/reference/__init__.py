"""Reference tables (ours): published training footprints and per-card production figures, with
their sources, used by ``trainlca validate`` (see :mod:`trainlca.validate`)."""
