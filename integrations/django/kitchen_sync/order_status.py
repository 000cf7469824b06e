"""The order state machine as central applies what a relay uploads.

The decision rule (``outlet_change_applies``): central takes a status the outlet's relay
uploaded when it moves the order forward, or when it is the outlet's recall of an order
central has as the outlet had it. Anything else means the two sides changed the order apart,
and the first final status central saw stays.
"""

# completed and cancelled are both final; a later status is further along.
_RANK = {"pending": 0, "preparing": 1, "ready": 2, "completed": 3, "cancelled": 3}
FINAL_STATUSES = ("completed", "cancelled")
# Protocol v1.1: the kitchen un-bumps a ready or completed order (order:recall, within the
# relay's recall window); the relay logs it as this event, with the status it reopened to.
RECALL_EVENT = "order_recalled"
RECALLABLE_STATUSES = ("ready", "completed")


def advances(current, new):
    """Whether an order at ``current`` may move to ``new``: forward, never out of a final
    status. Steps may be skipped (central can miss a pruned relay event), never undone."""
    if current in FINAL_STATUSES or new not in _RANK:
        return False
    if current not in _RANK:
        return True
    return _RANK[new] > _RANK[current]


def reopens(current, new, event_type):
    """Whether a relay's ``event_type`` takes an order at ``current`` back to ``new``: only a
    recall, and only of a ready or completed order (a cancelled one is never recalled)."""
    return (
        event_type == RECALL_EVENT
        and current in RECALLABLE_STATUSES
        and new in _RANK
        and _RANK[new] < _RANK[current]
    )


def outlet_change_applies(current, new, event_type, outlet_had_current):
    """Whether central moves an order at ``current`` to the ``new`` status that a relay's
    ``event_type`` event carries.

    - Forward (``advances``): always, as before.
    - Back, by a recall (``reopens``): when ``outlet_had_current()`` says central's status is
      one the outlet had when it recalled (the outlet set it, or central's own change reached
      the outlet first: ``outlet_log.outlet_had_central_changes``). It is the outlet's
      decision on the order both sides hold, so it stands, and a later cancel moves on from it.
    - Otherwise not: central changed the order while the outlet, apart, changed it too; the
      first final status central saw stays (a recall of an order central completed or
      cancelled itself meanwhile included).

    ``outlet_had_current`` is a callable, asked only for a recall: it reads the outlet log.
    """
    if advances(current, new):
        return True
    return reopens(current, new, event_type) and outlet_had_current()
