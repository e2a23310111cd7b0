"""The default host platform of a catalogue accelerator, chosen by one rule from its
catalogue fields (type, name, node size). ``--server`` replaces it.
"""

from __future__ import annotations

import re
from typing import Final

#: (pattern on the lower-cased name, archetype id), first match wins, for GPUs and ASICs.
_BY_NAME: Final[tuple[tuple[str, str], ...]] = (
    (r"\bg[bh]\d{3}\b", "gb200-nvl72-tray"),       # GB200/GB300 (and GH200) Grace trays
    (r"\bb[23]00\b", "hgx-b200"),
    (r"\b(h100|h200|h800|h20)\b(?!.*pcie)(?!.*nvl)", "hgx-h100"),
    (r"\ba[18]00\b.*\bsxm", "hgx-a100"),
    (r"\bsxm3\b", "dgx-2-v100"),
    (r"\b[vp]100\b.*\bsxm2\b", "dgx-1-v100"),
    (r"\binstinct\b|\bmi\d{3}", "mi300x-8"),
    (r"\btrainium", "trn2-16"),
)
#: TPU generation in the name → host archetype (v2/v3 hosts, 4 chips each, are closest to v4's;
#: v7 to v6e's).
_TPU: Final[tuple[tuple[str, str], ...]] = (
    (r"\bv5e\b|\bv5 ?lite", "tpu-v5e-host"),
    (r"\bv5p\b", "tpu-v5p-host"),
    (r"\bv[67]\w*\b|trillium|ironwood", "tpu-v6e-host"),
)


def default_server_id(accelerator_type: str, name: str, node_size: int) -> str:
    """The archetype id for a chip (the rule, in order):

    1. TPU: by generation in the name (v5e, v5p, v6e/v7), else ``tpu-v4-host`` (v1-v4);
    2. a name pattern: GB200/GB300/GH200 → ``gb200-nvl72-tray``; B200/B300 → ``hgx-b200``;
       H100/H200/H800/H20 (not PCIe/NVL) → ``hgx-h100``; A100/A800 SXM → ``hgx-a100``;
       V100 SXM3 → ``dgx-2-v100``; P100/V100 SXM2 → ``dgx-1-v100``; AMD Instinct →
       ``mi300x-8``; Trainium → ``trn2-16``;
    3. otherwise by node size: ≥ 8 per node, ``pcie-server-8`` for a GPU that is not an SXM
       module (PCIe cards: T4, L4, A10, K80…), else ``hgx-a100`` (an 8-module baseboard server:
       Gaudi, Ascend…); fewer → ``pcie-workstation-4`` (consumer and workstation cards, single
       systems such as a CS-2).
    """
    low = name.lower()
    if accelerator_type.upper() == "TPU":
        return next((a for pat, a in _TPU if re.search(pat, low)), "tpu-v4-host")
    hit = next((a for pat, a in _BY_NAME if re.search(pat, low)), None)
    if hit is not None:
        return hit
    if node_size >= 8:
        pcie = accelerator_type.upper() == "GPU" and "sxm" not in low
        return "pcie-server-8" if pcie else "hgx-a100"
    return "pcie-workstation-4"
