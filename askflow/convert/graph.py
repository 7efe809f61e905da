"""Dependency graphs of source jobs: cycle detection and a stable topological order."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def find_cycle(parents: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle ``[a, b, ..., a]`` (each depends on the next), or None; deterministic for the same input.

    Iterative depth-first search, so a chain of thousands of jobs does not hit Python's recursion limit.
    """
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for root in parents:
        if root in state:
            continue
        path: list[str] = [root]
        iters = [iter(parents.get(root, ()))]
        state[root] = 1
        while path:
            parent = next(iters[-1], None)
            if parent is None:
                state[path.pop()] = 2
                iters.pop()
            elif state.get(parent) == 1:
                return [*path[path.index(parent):], parent]
            elif parent not in state:
                state[parent] = 1
                path.append(parent)
                iters.append(iter(parents.get(parent, ())))
    return None


def topological(parents: Mapping[str, Sequence[str]]) -> list[str]:
    """Nodes with every parent before its children; ties keep the mapping's order. Assumes no cycle."""
    index = {node: i for i, node in enumerate(parents)}
    children: dict[str, list[str]] = {node: [] for node in parents}
    waiting: dict[str, int] = {}
    for node, ps in parents.items():
        known = {p for p in ps if p in index}
        waiting[node] = len(known)
        for p in known:
            children[p].append(node)
    ready = [index[n] for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    nodes = list(parents)
    order: list[str] = []
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, index[child])
    if len(order) != len(nodes):  # pragma: no cover - callers check for cycles first
        raise ValueError("cycle")
    return order


def longest_path(parents: Mapping[str, Sequence[str]], weight: Mapping[str, int]) -> int:
    """The heaviest chain of nodes (sum of weights) through the graph."""
    best: dict[str, int] = {}
    for node in topological(parents):
        best[node] = weight.get(node, 0) + max((best[p] for p in parents[node] if p in best), default=0)
    return max(best.values(), default=0)
