"""Accelerator names: the matching key, and the device lists that monitoring tools write.

``nvidia-smi`` and NVML (``nvmlDeviceGetName``) name a device e.g. ``NVIDIA H100 80GB HBM3``,
``NVIDIA A100-SXM4-40GB`` or ``Tesla V100-SXM2-16GB``; the catalogue lists those names as
aliases. CodeCarbon's ``gpu_model`` column holds ``"{count} x {name}"`` per distinct NVML (or
amdsmi) name, the entries concatenated without a separator (CodeCarbon 2.x-3.x,
``codecarbon/core/resource_tracker.py``: ``"".join(f"{i} x {name}" ...)``), e.g.
``8 x NVIDIA H100 80GB HBM3`` or ``4 x NVIDIA A100-SXM4-40GB2 x Tesla T4``; trainlca's own
CodeCarbon reader joins the values of several rows with ", ". :func:`split_device_list` reads
all of these forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["normalise_name", "split_device_list", "vendorless_key"]

_PREFIX = re.compile(
    r"^(nvidia|amd|google|amazon|aws|huawei|intel|habana|cerebras|tesla|radeon|instinct)+"
)
_COUNT = re.compile(r"(\d+) [x×] ")


def normalise_name(name: str) -> str:
    """Case/space/hyphen/punctuation-insensitive key: "A100-SXM4 80GB" -> "a100sxm480gb"."""
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def vendorless_key(key: str) -> str:
    """A normalised key without leading vendor/brand words ("nvidiateslav100" -> "v100",
    "amdinstinctmi250x" -> "mi250x")."""
    return _PREFIX.sub("", key) or key


def split_device_list(text: str, known: Callable[[str], bool]) -> list[tuple[int | None, str]]:
    """The ``(count, name)`` entries of a device list; count None where none is written.

    ``"8 x NVIDIA H100 80GB HBM3"`` -> ``[(8, "NVIDIA H100 80GB HBM3")]``; a plain name gives
    ``[(None, name)]``; entries may be separated by commas or semicolons, or concatenated as
    CodeCarbon writes them. Where a concatenated count runs into a name that ends in digits
    (``"1 x NVIDIA L42 x Tesla T4"``), the split that leaves a ``known`` name is taken.
    """
    out: list[tuple[int | None, str]] = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if part:
            out.extend(_split_counted(part, known))
    return out


def _split_counted(part: str, known: Callable[[str], bool]) -> list[tuple[int | None, str]]:
    hits = list(_COUNT.finditer(part))
    if not hits or hits[0].start() != 0:
        return [(None, part)]
    entries: list[tuple[int | None, str]] = []
    count = int(hits[0].group(1))
    start = hits[0].end()
    for hit in hits[1:]:
        digits = hit.group(1)
        name, next_count = _best_split(part[start : hit.start(1)], digits, known)
        entries.append((count, name))
        count, start = next_count, hit.end()
    entries.append((count, part[start:].strip()))
    return entries


def _best_split(head: str, digits: str, known: Callable[[str], bool]) -> tuple[str, int]:
    """Split ``head + digits`` into a name and the next entry's count (no leading zero),
    preferring a known name, then the longest count."""
    options = [(head + digits[:k], digits[k:]) for k in range(len(digits))
               if not digits[k:].startswith("0")]
    for name, cnt in sorted(options, key=lambda o: -len(o[0])):
        if known(name.strip()):
            return name.strip(), int(cnt)
    name, cnt = options[0] if options else (head + digits[:-1], digits[-1])
    return name.strip(), int(cnt)
