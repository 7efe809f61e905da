"""Contract facts that cannot be generated, written by hand, each with the source line it comes from.

pulumi-kubernetes decides replacements in Go code, not in its schema: which fields of which kinds
force a new object. They are read from pulumi/pulumi-kubernetes (snapshot of master, 2026-07-01,
94977969d6; pulumi-kubernetes 4.34.2 is pinned and its tag is not in the snapshot).
"""

from __future__ import annotations

K8S_SOURCE = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go"

# Every Kubernetes object: "Changing the identity of the resource always causes a replacement"
# (provider/pkg/provider/provider.go:1559-1560; metadataForceNewProperties, diff.go:207-212).
K8S_IDENTITY = ("metadata.name", "metadata.namespace")

# Per kind (diff.go:23-37 forceNewProperties, :152-158 core kinds, :192-194 roleBinding).
K8S_FORCE_NEW: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:ResourceQuota": ("spec.scopes",),
    "kubernetes:core/v1:Secret": ("type", "stringData", "data"),  # unless the provider has enableSecretMutable
    "kubernetes:core/v1:ConfigMap": ("binaryData", "data"),  # unless the provider has enableConfigMapMutable
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ("roleRef",),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ("roleRef",),
    "kubernetes:policy/v1beta1:PodDisruptionBudget": ("spec",),
}
# Which provider option makes the kind's data mutable (diff.go:28 and :32).
K8S_MUTABLE_OPTION = {
    "kubernetes:core/v1:Secret": "enableSecretMutable",
    "kubernetes:core/v1:ConfigMap": "enableConfigMapMutable",
}
# A Helm release is replaced when its name or namespace changes (helm_release.go:907).
HELM_FORCE_NEW = ("name", "namespace")
HELM_SOURCE = "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go:907"
