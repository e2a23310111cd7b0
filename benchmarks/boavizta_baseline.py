"""BoaviztAPI's own Python code path for GPU production ("embedded") impacts, timed.

Runs in the separate benchmark venv ``benchmarks/.venv-boavizta`` (``boaviztapi`` 2.5.0 from
PyPI), never in trainlca's environment. No HTTP server: it does what the ``POST /v1/component/gpu``
route does: build the GPU DTO, map it onto a ``ComponentGPU`` with the default GPU archetype
(``mapper_gpu``; the name is fuzzy-matched against BoaviztAPI's ``gpu_specs.csv``), then
``compute_impacts`` for GWP, ADPe and PE over the component's whole life.

Input (stdin, JSON): ``{"names": [BoaviztAPI GPU names], "repeats": int}``.
Output (stdout, JSON): import time, per-repeat wall times of the whole loop (one fresh component
per card, as one API call per card would), and the embedded impacts per name.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def main() -> None:
    req = json.load(sys.stdin)
    names: list[str] = list(req["names"])
    repeats = int(req.get("repeats", 5))

    t0 = time.perf_counter()
    from boaviztapi import config
    from boaviztapi.compute.impacts_computation import compute_impacts
    from boaviztapi.data.archetype import get_component_archetype
    from boaviztapi.dto.component.gpu import GPU, mapper_gpu

    import_s = time.perf_counter() - t0
    archetype = get_component_archetype(config.default_gpu, "gpu")
    criteria = ["gwp", "adp", "pe"]

    def one(name: str) -> dict[str, Any]:
        comp = mapper_gpu(GPU(name=name), archetype)
        return compute_impacts(  # type: ignore[no-any-return]
            model=comp, duration=comp.usage.hours_life_time.value, selected_criteria=criteria
        )

    # Warm-up (first fuzzy match, lazy data loads), not timed.
    results = {n: one(n) for n in names}
    times: list[float] = []
    for _ in range(repeats):
        t = time.perf_counter()
        for n in names:
            one(n)
        times.append(time.perf_counter() - t)

    def embedded(r: dict[str, Any], c: str) -> float | None:
        v = r.get(c, {}).get("embedded")
        return float(v["value"]) if isinstance(v, dict) else None

    import boaviztapi

    out = {
        "boaviztapi_version": getattr(boaviztapi, "__version__", None) or _dist_version(),
        "python": sys.version.split()[0],
        "import_s": import_s,
        "loop_s": times,
        "cards": len(names),
        "impacts": {n: {c: embedded(r, c) for c in criteria} for n, r in results.items()},
    }
    json.dump(out, sys.stdout)


def _dist_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("boaviztapi")
    except Exception:  # informative only
        return None


if __name__ == "__main__":
    main()
