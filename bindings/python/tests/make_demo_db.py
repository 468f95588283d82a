"""Writes a tiny motive database for the agent-desktop example: customer
C042 with two bad experiences about billing in the last days."""

import datetime as dt
import os
import sys

import motive


def main(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)
    now = dt.datetime.now(dt.timezone.utc)

    def ago(days: float) -> str:
        return (now - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    events = [
        {"event_id": "p1", "type": "purchase", "channel": "web",
         "occurred_at": ago(200), "value": 240, "currency": "EUR",
         "attributes": {"plan": "plus", "first_name": "Ana"}},
        {"event_id": "c1", "type": "contact", "channel": "voice",
         "occurred_at": ago(6), "topic": "billing", "outcome": "unresolved",
         "sentiment": -0.7, "transfers": 2, "agent_id": "a7"},
        {"event_id": "c2", "type": "contact", "channel": "chat",
         "occurred_at": ago(3), "topic": "billing", "outcome": "escalated",
         "sentiment": -0.4, "agent_id": "a9"},
    ]
    with motive.Engine(path, snapshot_path="-") as eng:
        for event in events:
            eng.record(dict(event, customer_id="C042"))


if __name__ == "__main__":
    main(sys.argv[1])
