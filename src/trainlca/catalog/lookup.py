"""The catalogue in memory: :class:`Catalog` (name matching, generic names, merging a user
catalogue) and :class:`Resolution` (the chip a name resolved to, with a note when the name was
ambiguous).

Resolution order for a name (case, spaces and punctuation ignored): a canonical name or alias;
then a generic name (``A100``, ``H100``, ``TPU v5`` ...: the documented choice, with a note);
then the name without its vendor words when exactly one chip fits. ``"8 x NAME"`` and lists as
CodeCarbon writes them resolve when they name one chip (see :mod:`trainlca.catalog.names`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from trainlca.catalog.accelerator import Accelerator
from trainlca.catalog.generic import NOT_IN_CATALOGUE, GenericName
from trainlca.catalog.names import normalise_name, split_device_list, vendorless_key
from trainlca.errors import DataFileError, UnknownHardwareError

__all__ = ["Catalog", "Resolution"]


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to: the ``accelerator``, a one-line ``note`` when the name was a
    generic one (which chip was chosen, among which, why), and the ``count`` of a ``"N x NAME"``
    form (None otherwise)."""

    query: str
    accelerator: Accelerator
    note: str | None = None
    count: int | None = None


def _labels(acc: Accelerator) -> tuple[str, ...]:
    return (acc.name, *acc.aliases)


class Catalog:
    """The accelerators of one catalogue, with name matching.

    ``generic`` entries name the documented choice for short names shared by several chips;
    their labels may not also be a chip's name or alias (:class:`DataFileError`).
    """

    def __init__(self, accelerators: Sequence[Accelerator], version: str,
                 generic: Iterable[GenericName] = ()) -> None:
        self._items: tuple[Accelerator, ...] = tuple(accelerators)
        self.version: str = version
        self._by_key: dict[str, Accelerator] = {}
        self._short: dict[str, list[Accelerator]] = {}
        for acc in self._items:
            for label in _labels(acc):
                self._add_label(acc, label)
        self._generic_entries: tuple[GenericName, ...] = tuple(generic)
        self._generic: dict[str, tuple[GenericName, Accelerator]] = {}
        for entry in self._generic_entries:
            self._add_generic(entry)
        self._keys: list[str] = list(self._by_key)

    def _add_label(self, acc: Accelerator, label: str) -> None:
        key = normalise_name(label)
        other = self._by_key.get(key)
        if other is not None and other is not acc:
            raise DataFileError(
                f"accelerator catalogue: name {label!r} of {acc.name!r} clashes with "
                f"{other.name!r}"
            )
        self._by_key[key] = acc
        bucket = self._short.setdefault(vendorless_key(key), [])
        if acc not in bucket:
            bucket.append(acc)

    def _add_generic(self, entry: GenericName) -> None:
        choice = self._by_key.get(normalise_name(entry.choice))
        missing = [m for m in entry.family if not m.endswith(NOT_IN_CATALOGUE)
                   and normalise_name(m) not in self._by_key]
        if choice is None or missing:
            raise DataFileError(f"generic names: {entry.choice!r} or {missing} not in the "
                                f"catalogue")
        for label in entry.names:
            key = normalise_name(label)
            short = vendorless_key(key)
            taken = self._by_key.get(key) or next(iter(self._short.get(short, [])), None)
            if taken is not None:
                raise DataFileError(f"generic name {label!r} is also a name of {taken.name!r}")
            if short in self._generic and self._generic[short][0] is not entry:
                raise DataFileError(f"generic name {label!r} is listed twice")
            self._generic[short] = (entry, choice)

    def __iter__(self) -> Iterator[Accelerator]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.match(name) is not None

    @property
    def generic_names(self) -> tuple[GenericName, ...]:
        """The generic-name entries (short names with a documented choice)."""
        return self._generic_entries

    def names(self) -> list[str]:
        """Canonical names, in file order."""
        return [a.name for a in self._items]

    # ------------------------------------------------------------------------------ lookup

    def _lookup(self, name: str) -> tuple[Accelerator, GenericName | None] | None:
        key = normalise_name(name)
        if not key:
            return None
        hit = self._by_key.get(key)
        if hit is not None:
            return hit, None
        short = vendorless_key(key)
        generic = self._generic.get(short)
        if generic is not None:
            return generic[1], generic[0]
        bucket = self._short.get(short, [])
        return (bucket[0], None) if len(bucket) == 1 else None

    def _unknown(self, name: str) -> UnknownHardwareError:
        bucket = self._short.get(vendorless_key(normalise_name(name)), [])
        if len(bucket) > 1:
            names = ", ".join(a.name for a in bucket)
            return UnknownHardwareError(f"accelerator {name!r} is ambiguous ({names}); give the "
                                        f"full name (see `trainlca hardware`)")
        close = ", ".join(repr(c) for c in self.closest(name, 3))
        return UnknownHardwareError(
            f"unknown accelerator {name!r}; closest: {close} (see `trainlca hardware`)"
        )

    def resolve(self, name: str) -> Resolution:
        """The chip ``name`` stands for, with a note when ``name`` is generic (bare ``A100``).

        ``name`` may carry a count (``"8 x NVIDIA H100 80GB HBM3"``) or list one chip several
        times. Raises :class:`UnknownHardwareError` for an unknown name (naming the 3 closest),
        an undocumented ambiguous one, or a list of different chips.
        """
        entries = split_device_list(name, lambda n: self._lookup(n) is not None)
        found: list[tuple[int | None, str, Accelerator, GenericName | None]] = []
        for count, label in entries:
            hit = self._lookup(label)
            if hit is None:
                raise self._unknown(label)
            found.append((count, label, *hit))
        if not found:
            raise self._unknown(name)
        chips = list(dict.fromkeys(acc.name for _, _, acc, _ in found))
        if len(chips) > 1:
            raise UnknownHardwareError(f"{name!r} names several accelerators ({', '.join(chips)})"
                                       f"; give one (see `trainlca hardware`)")
        _, label, acc, generic = next((f for f in found if f[3] is not None), found[0])
        note = generic.note(label, acc.name) if generic is not None else None
        count = found[0][0] if len(found) == 1 else None
        return Resolution(name, acc, note, count)

    def resolve_all(self, text: str) -> list[Resolution]:
        """One :class:`Resolution` per entry of a device list (CodeCarbon's ``gpu_model``:
        ``"4 x NVIDIA A100-SXM4-40GB2 x Tesla T4"`` -> A100 ×4, T4 ×2)."""
        entries = split_device_list(text, lambda n: self._lookup(n) is not None)
        if not entries:
            raise self._unknown(text)
        out = []
        for count, label in entries:
            res = self.resolve(label)
            out.append(dataclasses.replace(res, count=count))
        return out

    def match(self, name: str) -> Accelerator | None:
        """The accelerator called ``name`` (as :meth:`resolve`), else None."""
        try:
            return self.resolve(name).accelerator
        except UnknownHardwareError:
            return None

    def get(self, name: str) -> Accelerator:
        """Like :meth:`match` but raises :class:`UnknownHardwareError` naming the 3 closest."""
        return self.resolve(name).accelerator

    def closest(self, name: str, n: int = 3) -> list[str]:
        """The canonical names of the ``n`` chips whose names or aliases are closest to ``name``."""
        key = normalise_name(name)
        scored: dict[str, float] = {}
        for k in self._keys:
            acc = self._by_key[k]
            ratio = max(
                difflib.SequenceMatcher(None, key, k).ratio(),
                difflib.SequenceMatcher(None, vendorless_key(key), vendorless_key(k)).ratio(),
            )
            if ratio > scored.get(acc.name, -1.0):
                scored[acc.name] = ratio
        order = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        return [nm for nm, _ in order[:n]]

    def search(self, query: str) -> list[Accelerator]:
        """Chips whose name, alias or vendor contains ``query`` (normalised); if none, the fuzzy
        closest ones. An empty query lists everything."""
        key = normalise_name(query)
        if not key:
            return list(self._items)
        found = [
            a
            for a in self._items
            if any(key in normalise_name(lbl) for lbl in (*_labels(a), a.vendor))
        ]
        if found:
            return found
        wanted = set(self.closest(query, 5))
        return [a for a in self._items if a.name in wanted]

    def arrays(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectorised columns for many runs (one entry per name, duplicates allowed), (R,).

        Keys: die_area_cm2, memory_gb, tdp_w, tensor_16bit_flops, fp32_flops, fp8_flops,
        node_size, release_year (decimal), die_area_imputed (bool), measured_power_w (W, NaN
        where none is published). Unknown names raise :class:`UnknownHardwareError`.
        """
        cache: dict[str, Accelerator] = {}
        accs: list[Accelerator] = []
        for n in names:
            acc = cache.get(n)
            if acc is None:
                acc = cache[n] = self.get(n)
            accs.append(acc)
        f = np.float64
        return {
            "die_area_cm2": np.array([a.die_area_cm2 for a in accs], dtype=f),
            "memory_gb": np.array([a.memory_gb for a in accs], dtype=f),
            "tdp_w": np.array([a.tdp_w for a in accs], dtype=f),
            "tensor_16bit_flops": np.array([a.tensor_16bit_flops for a in accs], dtype=f),
            "fp32_flops": np.array([a.fp32_flops for a in accs], dtype=f),
            "fp8_flops": np.array([a.fp8_flops for a in accs], dtype=f),
            "node_size": np.array([a.node_size for a in accs], dtype=np.int64),
            "release_year": np.array([a.release_year for a in accs], dtype=f),
            "die_area_imputed": np.array([a.die_area_imputed for a in accs], dtype=bool),
            "measured_power_w": np.array([a.measured_power_w for a in accs], dtype=f),
        }

    # ------------------------------------------------------------------------------ merging

    def merged(self, user: Catalog | Sequence[Accelerator]) -> Catalog:
        """This catalogue with ``user``'s chips taking precedence.

        A user chip whose name is the name or an alias of one of ours (or whose alias is our
        canonical name) replaces that chip in place and also answers to its other names; a
        name a user chip claims is no longer any other chip's, nor a generic name. Other user
        chips follow ours. Version: ``"<ours> + <user's>"``.
        """
        extra = list(user)
        user_version = user.version if isinstance(user, Catalog) else "user input"
        claimed = {normalise_name(lbl) for u in extra for lbl in _labels(u)}
        pairs = self._replacements(extra)
        by_base = {id(b): u for u, b in pairs}
        replacing = {id(u) for u, _ in pairs}
        items: list[Accelerator] = []
        for b in self._items:
            u = by_base.get(id(b))
            if u is not None:
                inherited = tuple(lbl for lbl in _labels(b) if normalise_name(lbl) not in claimed)
                items.append(dataclasses.replace(u, aliases=(*u.aliases, *inherited)))
                continue
            kept = tuple(a for a in b.aliases if normalise_name(a) not in claimed)
            items.append(b if kept == b.aliases else dataclasses.replace(b, aliases=kept))
        items += [u for u in extra if id(u) not in replacing]
        return Catalog(items, f"{self.version} + {user_version}",
                       generic=self._generic_without(claimed))

    def _replacements(self, extra: Sequence[Accelerator]
                      ) -> list[tuple[Accelerator, Accelerator]]:
        """(user chip, the chip of ours it replaces) pairs."""
        out: list[tuple[Accelerator, Accelerator]] = []
        taken: dict[int, str] = {}
        for u in extra:
            b = self._by_key.get(normalise_name(u.name))
            if b is None:
                b = next((self._by_key[normalise_name(a)] for a in u.aliases
                          if self._by_key.get(normalise_name(a)) is not None
                          and normalise_name(self._by_key[normalise_name(a)].name)
                          == normalise_name(a)), None)
            if b is None:
                continue
            if id(b) in taken:
                raise DataFileError(f"user chips {taken[id(b)]!r} and {u.name!r} both replace "
                                    f"{b.name!r}; keep one")
            taken[id(b)] = u.name
            out.append((u, b))
        return out

    def _generic_without(self, claimed: set[str]) -> list[GenericName]:
        shorts = claimed | {vendorless_key(k) for k in claimed}
        out = []
        for g in self._generic_entries:
            names = tuple(n for n in g.names if normalise_name(n) not in shorts
                          and vendorless_key(normalise_name(n)) not in shorts)
            if names:
                out.append(dataclasses.replace(g, names=names))
        return out
