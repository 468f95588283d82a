import motive

RULES = """
actions { id: "apology" title: "Apologise for the billing trouble"
          service: true script: "I am sorry, {customer.first_name|there}." }
playbooks { name: "billing" topics: "billing"
            rules { action: "apology" eligibility: "customer.strikes >= 1" } }
"""

with motive.Engine(":memory:", ruleset=RULES) as eng:
    eng.record({"customer_id": "C042", "type": "contact", "channel": "voice",
                "topic": "billing", "outcome": "unresolved",
                "occurred_at": "2025-03-01T10:00:00Z",
                "attributes": {"first_name": "Ana"}})
    summary = eng.summary("C042", as_of=1741132800000000)  # 2025-03-05
    print("strikes:", summary.strikes, "last topic:", summary.last_contact_topic)
    decision = eng.decide("C042", channel="voice", topic="billing",
                          time=1741132800000000)
    for action in decision["actions"]:
        print(action["action"], "-", action["script"])
