"""BoaviztAPI's own Python code path for GPU production ("embedded") impacts, timed.

Runs in the separate benchmark venv ``benchmarks/.venv-boavizta`` (``boaviztapi`` 2.5.0 from
PyPI), never in trainlca's environment. No HTTP server: it does what the ``POST /v1/component/gpu``
route does: build the GPU DTO, map it onto a ``ComponentGPU`` with the default GPU archetype
(``mapper_gpu``; the name is fuzzy-matched against BoaviztAPI's ``gpu_specs.csv``), then
``compute_impacts`` for GWP, ADPe and PE over the component's whole life.

Input (stdin, JSON): ``{"names": [BoaviztAPI GPU names], "repeats": int, "criteria": [...]}``
(criteria default ``["gwp", "adp", "pe"]``; e.g. ``["wu"]`` for water).
Output (stdout, JSON): import time, per-repeat wall times of the whole loop (one fresh component
per card, as one API call per card would), the embedded impacts per name (BoaviztAPI rounds them
to 4 significant digits), and ``parts``: per name and criterion, each term that
``gpu_impact_embedded`` sums (factor from ``get_gpu_impact_factor`` × the completed component
attribute, unrounded), with the attributes used, so that a term (e.g. end of life, outside
trainlca's boundary) can be left out exactly.

Water reference of ``src/trainlca/reference/card_references.csv`` (computed once)::

    echo '{"names": ["NVIDIA A100 SXM4 40GB", "NVIDIA H100 SXM 80GB",
           "NVIDIA Tesla V100 SXM2 16GB", "NVIDIA A10", "AMD Instinct MI300X 192GB"],
           "repeats": 0, "criteria": ["wu"]}' \
      | benchmarks/.venv-boavizta/bin/python benchmarks/boavizta_baseline.py
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
    from boaviztapi.data.factor_provider import get_gpu_impact_factor

    archetype = get_component_archetype(config.default_gpu, "gpu")
    criteria = list(req.get("criteria", ["gwp", "adp", "pe"]))

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

    attrs = ("gpu_surface", "vram", "vram_dies", "vram_surface", "pwb_surface",
             "heatsink_weight", "casing_weight", "weight", "transport_boat", "transport_truck",
             "transport_plane")
    # (part, phase, attribute) as in compute/impacts_computation.py gpu_impact_embedded
    terms = (("casing", "manufacture", "casing_weight"),
             ("heatsink", "manufacture", "heatsink_weight"),
             ("pwb", "manufacture", "pwb_surface"), ("gpu", "manufacture", "gpu_surface"),
             ("vram", "manufacture", "vram_surface"),
             ("upstream_transport", "manufacture", "weight"),
             ("transport_boat", "distribution", "transport_boat"),
             ("transport_truck", "distribution", "transport_truck"),
             ("transport_plane", "distribution", "transport_plane"),
             ("end_of_life", "eol", "weight"))

    def parts(name: str) -> dict[str, Any]:
        comp = mapper_gpu(GPU(name=name), archetype)
        one_result = compute_impacts(model=comp, duration=comp.usage.hours_life_time.value,
                                     selected_criteria=criteria)
        del one_result  # completes the attributes
        a = {k: getattr(comp, k).value for k in attrs}
        out_c: dict[str, Any] = {}
        for c in criteria:
            t: dict[str, float] = {}
            for part, phase, attr in terms:
                f = float(get_gpu_impact_factor(part, phase, c)["impact"])
                v = f * float(a[attr])
                t[part] = v * float(a["weight"]) if phase == "distribution" else v
            out_c[c] = t
        return {"matched_name": comp.name.value, "attributes": a, "terms": out_c}

    import boaviztapi

    out = {
        "boaviztapi_version": getattr(boaviztapi, "__version__", None) or _dist_version(),
        "python": sys.version.split()[0],
        "import_s": import_s,
        "loop_s": times,
        "cards": len(names),
        "impacts": {n: {c: embedded(r, c) for c in criteria} for n, r in results.items()},
        "parts": {n: parts(n) for n in names},
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
