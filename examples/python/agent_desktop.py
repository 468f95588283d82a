#!/usr/bin/env python3
"""What an agent's desktop shows when a customer calls: who they are, how
their journey went lately, and the next-best actions, with scripts.

    agent_desktop.py journeys.db C042 examples/rules/telecom.textproto \
        --channel voice --topic billing
"""

import argparse
import datetime as dt
import math
import sys

import motive


def when(micros: int) -> str:
    if not micros:
        return "never"
    return dt.datetime.fromtimestamp(micros / 1e6, dt.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database")
    parser.add_argument("customer")
    parser.add_argument("rules", help="a ruleset (text format or JSON)")
    parser.add_argument("--channel", default="voice")
    parser.add_argument("--topic", default=None)
    args = parser.parse_args()

    try:
        with motive.Engine(args.database, create_if_missing=False) as eng:
            eng.load_rules_file(args.rules)
            s = eng.summary(args.customer)
            if not s.known:
                print(f"{args.customer}: a new customer, no history")
            else:
                print(f"Customer {args.customer}: {s.events} events since "
                      f"{when(s.first_seen_us)}, stage "
                      f"{motive.STAGES[s.stage]}")
                print(f"  contacts: {s.contacts_7d} in 7 days, "
                      f"{s.contacts_30d} in 30, {s.contacts_90d} in 90")
                print(f"  last contact: {when(s.last_contact_us)} by "
                      f"{motive.CHANNELS[s.last_contact_channel]}"
                      f" about {s.last_contact_topic or '-'}, "
                      f"{motive.OUTCOMES[s.last_contact_outcome]}"
                      + (" (a repeat)" if s.last_contact_repeat else ""))
                mood = ("-" if math.isnan(s.sentiment_average)
                        else f"{s.sentiment_average:+.2f}")
                print(f"  bad experiences: {s.strikes}"
                      + (" AT RISK" if s.at_risk else "")
                      + f", open issues: {s.open_issues}, sentiment: {mood}")
                print(f"  churn risk: {s.churn_risk:.0%}, lifetime value: "
                      f"{s.lifetime_value:.2f}")
            decision = eng.decide(args.customer, channel=args.channel,
                                  topic=args.topic)
            print(f"Next-best actions ({decision.get('ruleset_version', '')}):")
            for i, action in enumerate(decision.get("actions", []), 1):
                print(f"  {i}. {action.get('title') or action['action']}")
                if action.get("script"):
                    print(f"     say: {action['script']}")
                for reason in action.get("reasons", [])[:2]:
                    print(f"     why: {reason}")
            if not decision.get("actions"):
                print("  (none)")
    except motive.MotiveError as e:
        print(f"agent_desktop: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
