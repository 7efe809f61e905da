"""The platform team's one-off account bootstrap: plain Python behind ``bootstrap/`` (creates no resources).

``bootstrap/`` is its own small Pulumi project (``askflow-bootstrap``), run once per account with
admin credentials. It creates the Pulumi state bucket, the RAM OIDC provider and roles that GitHub
Actions assumes (no stored keys), and the service roles ACK Serverless and ECI need before a first
cluster can be created. This package holds what that program needs and what tests check offline:

- :mod:`askflow.bootstrap.settings`: the stack's settings (``askflow-bootstrap:settings``), parsed once;
- :mod:`askflow.bootstrap.service_roles`: the service-linked and service roles ASK/ECI need;
- :mod:`askflow.bootstrap.policy`: the CI trust policy, the CI permission documents and the
  ``pulumi login`` URL of the state bucket.

Kept import-light: :mod:`askflow.stacks` imports :data:`KNOWN_KEYS` to validate stack files.
"""

from __future__ import annotations

PROJECT = "askflow-bootstrap"
SETTINGS_KEY = f"{PROJECT}:settings"

# The namespaced config keys a bootstrap stack file may hold (besides provider keys such as
# `alicloud:region`).
KNOWN_KEYS: set[str] = {SETTINGS_KEY}
