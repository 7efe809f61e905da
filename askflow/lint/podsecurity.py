"""What Pod Security's ``baseline`` level refuses, which tenant namespaces enforce
(kubernetes.io/docs/concepts/security/pod-security-standards, "Baseline").

Shared by ``askflow lint`` (the ``pod-security-baseline`` platform rule, on Argo templates) and
``askflow convert`` (a job needing any of it is not converted). Paths are tuples relative to the
object checked; callers render them.
"""

from __future__ import annotations

from typing import Any

Path = tuple[str | int, ...]

#: Capabilities Pod Security's baseline level lets a container add (kubernetes.io/docs/concepts/security/
#: pod-security-standards, "Capabilities"); tenant namespaces enforce baseline.
BASELINE_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


#: Sysctls baseline allows: Kubernetes' "safe" set as of 1.32 (net.ipv4.tcp_rmem and tcp_wmem were
#: added in 1.32; the clusters run 1.33 and the enforce label is not pinned to a version).
BASELINE_SYSCTLS = frozenset({"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
                              "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
                              "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
                              "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})
#: AppArmor profiles baseline allows in the (deprecated) per-container annotation.
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


def _items(value: Any) -> list[Any]:
    """A list as it is; anything else (a malformed value, which structure checks report) as empty."""
    return value if isinstance(value, list) else []
BASELINE_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})


def context_problems(sc: dict[str, Any], where: Path, who: str) -> list[tuple[Path, str]]:
    """What baseline refuses in one securityContext (a pod's or a container's)."""
    found: list[tuple[Path, str]] = []
    seccomp = sc.get("seccompProfile")
    if isinstance(seccomp, dict) and seccomp.get("type") == "Unconfined":
        found.append(((*where, "seccompProfile", "type"), f"seccomp Unconfined on {who}"))
    apparmor = sc.get("appArmorProfile")
    if isinstance(apparmor, dict) and apparmor.get("type") == "Unconfined":
        found.append(((*where, "appArmorProfile", "type"), f"AppArmor Unconfined on {who}"))
    selinux = sc.get("seLinuxOptions")
    if isinstance(selinux, dict) and (str(selinux.get("type") or "") not in BASELINE_SELINUX_TYPES
                                      or selinux.get("user") or selinux.get("role")):
        found.append(((*where, "seLinuxOptions"), f"custom SELinux options on {who}"))
    windows = sc.get("windowsOptions")
    if isinstance(windows, dict) and windows.get("hostProcess") is True:
        found.append(((*where, "windowsOptions", "hostProcess"), f"a Windows host process on {who}"))
    return found


def baseline_problems(pod: dict[str, Any]) -> list[tuple[Path, str]]:
    """What in ``pod`` (a Kubernetes PodSpec) baseline refuses, as (path, what)."""
    found: list[tuple[Path, str]] = [((key,), f"{key}: true") for key in ("hostNetwork", "hostPID", "hostIPC")
                                     if pod.get(key) is True]
    found += volume_problems(pod.get("volumes"), ("volumes",))
    found += pod_context_problems(pod.get("securityContext"), ("securityContext",))
    for group in ("initContainers", "containers"):
        for i, c in enumerate(_items(pod.get(group))):
            if isinstance(c, dict):
                found += container_problems(c, (group, i), f"container {c.get('name')!r}")
    return found


def container_problems(c: dict[str, Any], where: Path, who: str) -> list[tuple[Path, str]]:
    """What baseline refuses in one container (its securityContext and host ports)."""
    found: list[tuple[Path, str]] = []
    raw = c.get("securityContext")
    sc: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if sc.get("privileged") is True:
        found.append(((*where, "securityContext", "privileged"), f"privileged {who}"))
    raw = sc.get("capabilities")
    caps: dict[str, Any] = raw if isinstance(raw, dict) else {}
    extra = sorted(str(a) for a in _items(caps.get("add")) if str(a) not in BASELINE_CAPABILITIES)
    if extra:
        found.append(((*where, "securityContext", "capabilities", "add"), f"capabilities {', '.join(extra)} on {who}"))
    if sc.get("procMount") not in (None, "Default"):
        found.append(((*where, "securityContext", "procMount"), f"procMount {sc.get('procMount')} on {who}"))
    found += context_problems(sc, (*where, "securityContext"), who)
    for j, port in enumerate(_items(c.get("ports"))):
        if isinstance(port, dict) and port.get("hostPort"):
            found.append(((*where, "ports", j, "hostPort"), f"host port {port['hostPort']} on {who}"))
    return found


def pod_context_problems(sc: Any, where: Path) -> list[tuple[Path, str]]:
    """What baseline refuses in a pod-level securityContext (sysctls included)."""
    if not isinstance(sc, dict):
        return []
    found = context_problems(sc, where, "the pod")
    for i, sysctl in enumerate(_items(sc.get("sysctls"))):
        name = str(sysctl.get("name")) if isinstance(sysctl, dict) else str(sysctl)
        if name not in BASELINE_SYSCTLS:
            found.append(((*where, "sysctls", i), f"sysctl {name}"))
    return found


def volume_problems(volumes: Any, where: Path, used: set[str] | None = None) -> list[tuple[Path, str]]:
    """hostPath volumes; with ``used``, only those a container mounts (Argo adds a workflow's volume to
    a pod only when one of its containers mounts it)."""
    return [((*where, i, "hostPath"), f"hostPath volume {v.get('name')!r}")
            for i, v in enumerate(_items(volumes))
            if isinstance(v, dict) and v.get("hostPath") is not None and (used is None or v.get("name") in used)]


def annotation_problems(annotations: Any, where: Path) -> list[tuple[Path, str]]:
    """AppArmor profiles baseline refuses in the per-container annotation (runtime/default and
    localhost/* are allowed)."""
    if not isinstance(annotations, dict):
        return []
    return [((*where, key), f"AppArmor {value} for container {key[len(APPARMOR_ANNOTATION):]!r}")
            for key, value in annotations.items()
            if str(key).startswith(APPARMOR_ANNOTATION)
            and not (value == "runtime/default" or str(value).startswith("localhost/"))]
