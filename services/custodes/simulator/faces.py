"""The real face photos the simulator sends: genuine pairs (one person) and impostor pairs (two).

Contract: photos come from the ``face_recognition`` 1.3.0 test images installed under
``Settings().images_dir / "face_recognition"`` (``make install``). With ``max_side`` each is
sent as a capture device would: scaled so its longer side is at most ``max_side`` pixels and
re-encoded as JPEG (quality 90), cached under ``cache_dir``; the same photo and Pillow give
the same bytes. Pairs are listed in a fixed order, so a seeded choice among them is
reproducible.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import cached_property
from itertools import permutations
from pathlib import Path

from PIL import Image, ImageOps

__all__ = ["PEOPLE", "FaceSet"]

PEOPLE: dict[str, tuple[str, ...]] = {
    "obama": ("obama.jpg", "obama2.jpg", "obama3.jpg"),
    "biden": ("biden.jpg",),
}
JPEG_QUALITY = 90

Pair = tuple[Path, Path]


@dataclass(frozen=True)
class FaceSet:
    """Photos of known people under ``root``; raises ``FileNotFoundError`` (with the fix) if one is missing."""

    root: Path
    max_side: int | None = None
    cache_dir: Path | None = None

    def __post_init__(self) -> None:
        missing = [name for names in PEOPLE.values() for name in names if not (self.root / name).is_file()]
        if missing:
            raise FileNotFoundError(f"test images missing in {self.root}: {', '.join(missing)}; run `make install`")
        if self.max_side is not None and (self.max_side < 64 or self.cache_dir is None):
            raise ValueError("max_side must be ≥ 64 pixels and needs a cache_dir")

    @cached_property
    def genuine_pairs(self) -> tuple[Pair, ...]:
        """(selfie, portrait): two different photos of the same person."""
        return tuple((self._photo(a), self._photo(b)) for names in PEOPLE.values() for a, b in permutations(names, 2))

    @cached_property
    def impostor_pairs(self) -> tuple[Pair, ...]:
        """(selfie, portrait): photos of two different people."""
        return tuple(
            (self._photo(a), self._photo(b))
            for (_, a_names), (_, b_names) in permutations(PEOPLE.items(), 2)
            for a in a_names for b in b_names
        )

    def _photo(self, name: str) -> Path:
        if self.max_side is None or self.cache_dir is None:
            return self.root / name
        target = self.cache_dir / f"{self.max_side}px" / name
        if not target.is_file():
            image = ImageOps.exif_transpose(Image.open(self.root / name)).convert("RGB")
            image.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=JPEG_QUALITY)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(buffer.getvalue())
            partial.replace(target)
        return target
