"""MLCA's own published results recomputed from their inputs (``validate --mlca``), against
the 93 verbose results of ../shared/data/reference/mlca_results (blubrom/MLCA @ d2d8a42)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from trainlca.errors import DataFileError
from trainlca.validate_mlca import (
    MLCA_DYNAMIC_RATIO,
    QUANTITIES,
    SPLITS,
    MlcaValidation,
    format_table,
    load_mlca_case,
    printed_digits,
    recompute,
    validate_mlca,
)

#: Cases whose GPU split MLCA computed from two GPU models while its verbose output prints only
#: the first (Dinarelli et al.'s PortMEDIA runs: half RTX 2080 Ti, half GTX 1080 Ti, per MLCA's
#: experiments.org): our split, with two of the printed GPU, is 3-7 % higher. Totals agree.
TWO_GPU_MODELS = {f"Dinarelli2022toward/26-05-23_12-12_PortMEDIA_spectro_{k}"
                  for k in ("1-steps", "2-steps", "3-steps")}


@pytest.fixture(scope="module")
def results(shared_data: Path) -> Path:
    return shared_data / "reference" / "mlca_results"


@pytest.fixture(scope="module")
def validation(results: Path) -> MlcaValidation:
    return validate_mlca(results)


def test_every_case_reproduced_within_2_percent_or_printed_precision(
        validation: MlcaValidation) -> None:
    assert len(validation.cases) == 93
    for q in QUANTITIES:
        s = validation.summary(q)
        assert s.count == 93 and s.agrees == 93, s.line()
        assert abs(s.worst.ratio - 1) < 0.05, s.line()
    # energy and the use stage are printed to 3 figures: all strictly within 2 %
    for q in ("energy", "gwp_use", "pe_use", "adpe_use"):
        assert validation.summary(q).within == 93, validation.summary(q).line()
    # production is printed to 2 figures: the rest agree at that precision
    for q in ("gwp_production", "pe_production", "adpe_production"):
        assert validation.summary(q).within >= 80, validation.summary(q).line()


def test_production_split_agrees_except_the_two_gpu_model_cases(
        validation: MlcaValidation) -> None:
    off = {(c.case.id, c.quantity) for c in validation.comparisons
           if c.quantity in SPLITS and not c.agrees}
    assert {case for case, _ in off} == TWO_GPU_MODELS
    assert all(q.endswith("_gpus") for _, q in off)
    for c in validation.comparisons:
        if c.case.id in TWO_GPU_MODELS and c.quantity in ("gwp_production_gpus",
                                                          "pe_production_gpus"):
            assert 1.0 < c.ratio < 1.08  # the second model (GTX 1080 Ti) is the lighter one
        if c.quantity.endswith("_host"):
            assert c.agrees


def test_bloom_case_by_hand(results: Path) -> None:
    case = load_mlca_case(results / "25-05-23_17-47_bloom.json", results)
    assert case.gpus_per_node == 8 and case.nodes == 48
    hours = 118 * 24 + 5 + 41 / 60
    assert case.hours == pytest.approx(hours)
    assert case.dynamic_ratio == pytest.approx(200 / 109)
    ours = recompute(case)
    # 48 nodes × (8 × 400 W + 518 GB × 0.3725 W/GB) × H × 200/109 (CPU usage 0)
    energy = 48 * (8 * 400 + 518 * 0.3725) * hours * 200 / 109 / 1000
    assert ours["energy"] == pytest.approx(energy, rel=1e-12)
    assert ours["energy"] == pytest.approx(848_000, rel=0.002)
    assert ours["gwp_use"] == pytest.approx(energy * 0.05128, rel=1e-12)
    # server: 2 × EPYC 7543 (10.64 cm²), 518 GB at 0.625, 1 TB SSD at 48.5, 2 PSUs, rack
    server = (2 * (10.64 * 1.97 + 9.14) + 518 / 0.625 * 2.20 + 5.22 + 1000 / 48.5 * 2.20
              + 6.34 + 2 * 2.99 * 24.30 + 150.0 + 66.10 + 6.68)
    share = 48 * hours / (6 * 8760 * 0.85)
    assert ours["gwp_production_host"] == pytest.approx(server * share, rel=1e-12)
    assert ours["gwp_production_host"] == pytest.approx(7000, rel=0.01)
    gpu = 8.26 * 1.97 + 26.97 + 80 / 0.625 * 2.20 + 5.22
    assert ours["gwp_production_gpus"] == pytest.approx(8 * gpu * share, rel=1e-12)


def test_strubell_dynamic_ratio_printing_bug_is_noted(results: Path) -> None:
    base = load_mlca_case(results / "Strubell2019energy" / "22-01-24_20-33_base_ELMo.json",
                          results)
    assert base.dynamic_ratio == pytest.approx(MLCA_DYNAMIC_RATIO)
    assert any("printed 1" in n for n in base.notes)
    match = load_mlca_case(results / "Strubell2019energy" / "22-01-24_20-33_match_ELMo.json",
                           results)
    assert match.dynamic_ratio == pytest.approx(1.58)


def test_cpu_only_jobs_infer_gpus_from_the_embodied_split(results: Path) -> None:
    case = load_mlca_case(results / "Jay2023experimental" / "25-05-23_17-47_CPU_EP_correct.json",
                          results)
    assert case.gpu_usage == 0 and case.gpus_per_node == 8
    assert any("embodied GPU split" in n for n in case.notes)


def test_table_lists_every_case_and_the_summaries(validation: MlcaValidation) -> None:
    text = format_table(validation)
    for case in validation.cases:
        assert case.id[-58:] in text
    assert "energy: 93/93 within 2 %" in text
    d = validation.to_dict()
    assert d["cases"] == 93 and len(d["rows"]) == 93 * (len(QUANTITIES) + len(SPLITS))
    json.dumps(d)


def test_printed_digits() -> None:
    assert printed_digits(15000.0) == 2
    assert printed_digits(0.0412) == 3
    assert printed_digits(848000.0) == 3
    assert printed_digits(1.2e-07) == 2
    assert printed_digits(0.0004) == 1


def test_bad_folder_and_file(tmp_path: Path, results: Path) -> None:
    with pytest.raises(DataFileError, match="not found"):
        validate_mlca(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataFileError, match="no MLCA result"):
        validate_mlca(empty)
    broken = tmp_path / "broken"
    broken.mkdir()
    doc = json.loads((results / "25-05-23_17-47_bloom.json").read_text(encoding="utf-8"))
    del doc["verbose"]["manufacture of one server node"]
    (broken / "x.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataFileError, match="manufacture of one server node"):
        validate_mlca(broken)
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(results / "25-05-23_17-47_bloom.json", one)
    v = validate_mlca(one)
    assert len(v.cases) == 1 and v.all_agree
    assert not math.isnan(v.summary("energy").worst.ratio)
