"""Is an image reference pinned? (the platform requires a tag other than ``latest``, or a digest).

Reference grammar: `distribution/reference <https://github.com/distribution/reference/blob/main/
reference.go>`_. An image that is not pinned cannot be fixed by guessing a tag, so converters turn
it into a workflow parameter without a default (report code ``IMAGE_PARAMETER``).
"""

from __future__ import annotations

import re
from typing import Literal

ImageStatus = Literal["pinned", "untagged", "latest", "placeholder"]

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?"
_REFERENCE = re.compile(
    rf"^{_DOMAIN}{_COMPONENT}(?:/{_COMPONENT})*(?::(?P<tag>[\w][\w.-]{{0,127}}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
_ECR = re.compile(r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


def image_status(image: str) -> ImageStatus:
    m = _REFERENCE.match(image.strip())
    if not image.strip() or m is None:
        return "placeholder"
    if m.group("digest"):
        return "pinned"
    tag = m.group("tag")
    if tag is None:
        return "untagged"
    return "latest" if tag == "latest" else "pinned"


def is_ecr(image: str) -> bool:
    return bool(_ECR.match(image))


def why_unpinned(image: str, status: ImageStatus) -> str:
    return {
        "untagged": f"image {image!r} has no tag or digest (it would run whatever `latest` is)",
        "latest": f"image {image!r} is tagged `latest`",
        "placeholder": f"image {image!r} is not an image reference (a placeholder?)",
        "pinned": f"image {image!r} is pinned",
    }[status]
