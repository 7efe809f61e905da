"""askflow's policies: the RAM documents it writes, and the rules every plan is held to.

The rules (:mod:`askflow.policies.rules`) are plain functions over planned resources; the
CrossGuard pack in ``policy/`` and ``askflow plan`` both run them.
"""
