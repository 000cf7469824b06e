"""The order state machine as central applies what a relay uploads (forward only)."""

# completed and cancelled are both final; a later status is further along.
_RANK = {"pending": 0, "preparing": 1, "ready": 2, "completed": 3, "cancelled": 3}
FINAL_STATUSES = ("completed", "cancelled")


def advances(current, new):
    """Whether an order at ``current`` may move to ``new``: forward, never out of a final
    status. Steps may be skipped (central can miss a pruned relay event), never undone."""
    if current in FINAL_STATUSES or new not in _RANK:
        return False
    if current not in _RANK:
        return True
    return _RANK[new] > _RANK[current]
