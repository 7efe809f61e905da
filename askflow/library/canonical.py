"""The canonical form of a template document, and its content digest.

A version's identity is its *content*, not its bytes: the document is parsed, then serialised as
JSON with sorted keys and no insignificant whitespace (in the spirit of RFC 8785, JSON
Canonicalization Scheme). Reformatting a YAML file, reordering keys or editing comments therefore
leaves the digest unchanged; changing any value changes it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

DIGEST_PREFIX = "sha256:"


def canonical_json(doc: Any) -> str:
    """Sorted keys, compact separators, UTF-8 kept as is: the same data always gives the same text."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest_of_canonical(canonical: str) -> str:
    """``sha256:<hex>`` of an already canonical JSON text."""
    return DIGEST_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_digest(doc: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``doc``."""
    return digest_of_canonical(canonical_json(doc))
