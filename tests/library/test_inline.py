"""Inline templates (https://argo-workflows.readthedocs.io/en/latest/inline-templates/) count
everywhere the library looks at containers: images collected for the image cache, and diffs."""

from __future__ import annotations

import copy

from askflow.library.diff import diff_documents
from askflow.library.loader import collect_images
from askflow.lint.platform import image_problem

SPEC = {
    "entrypoint": "main",
    "templateDefaults": {"container": {"image": "busybox:1.36"}},
    "templates": [
        {
            "name": "main",
            "dag": {
                "tasks": [
                    {"name": "a", "inline": {"container": {"image": "alpine:3.20"}}},
                    {
                        "name": "b",
                        "inline": {
                            "steps": [[{"name": "s", "inline": {"script": {"image": "python:3.12", "source": "1"}}}]]
                        },
                    },
                ]
            },
        },
        {"name": "plain", "container": {"image": "nginx:1.27"}, "sidecars": [{"name": "x", "image": "redis:7"}]},
    ],
}


def test_images_of_inline_templates_are_collected() -> None:
    assert collect_images(SPEC) == ("alpine:3.20", "busybox:1.36", "nginx:1.27", "python:3.12", "redis:7")


def test_diff_reports_an_image_change_in_an_inline_template() -> None:
    new = copy.deepcopy(SPEC)
    new["templates"][0]["dag"]["tasks"][0]["inline"]["container"]["image"] = "alpine:3.21"
    changes = diff_documents({"spec": SPEC}, {"spec": new})
    assert [(c.section, c.subject, c.detail) for c in changes] == [
        ("images", "templates.main.dag.tasks[0].inline.container", "alpine:3.20 → alpine:3.21")
    ]


def test_diff_reports_a_command_change_in_an_inline_template() -> None:
    new = copy.deepcopy(SPEC)
    new["templates"][0]["dag"]["tasks"][0]["inline"]["container"]["command"] = ["sh", "-c", "exit 1"]
    changes = diff_documents({"spec": SPEC}, {"spec": new})
    assert [(c.section, c.subject, c.detail) for c in changes] == [("tasks", "main.a", "inline changed")]


def test_image_problem_is_public() -> None:
    assert image_problem("alpine") is not None and image_problem("alpine:latest") is not None
    assert image_problem("alpine:3.20") is None and image_problem("alpine@sha256:" + "0" * 64) is None
