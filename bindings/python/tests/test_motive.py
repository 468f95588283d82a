"""Tests of the motive Python binding, against the libmotive built here
($MOTIVE_LIBRARY). Standard library only: python3 -m unittest."""

import datetime as dt
import gc
import json
import logging
import math
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import motive
from motive import _engine, _native

# The rules of the tests: a service apology for customers with a bad
# experience, a survey for everyone, an upgrade only for those without one,
# and a proactive call back to detractors.
RULESET = """
version: "t1"
actions { id: "apology" title: "Apologise" group: "service_recovery"
  service: true script: "Sorry, {customer.first_name|there}." }
actions { id: "survey" title: "Invite to the survey" }
actions { id: "upgrade" title: "Offer the gold plan" group: "upsell" value: 2 }
actions { id: "callback" title: "Call back" group: "retention" }
playbooks {
  name: "billing_call" directions: INBOUND topics: "billing"
  rules { action: "apology" priority: 10
          eligibility: "customer.strikes >= 1"
          reason: "{customer.strikes} bad experiences" }
  rules { action: "survey" }
  rules { action: "upgrade" suitability: "customer.strikes == 0" }
}
playbooks {
  name: "detractor" proactive: true
  condition: "customer.nps_category == 'detractor'"
  rules { action: "callback" reason: "NPS {customer.nps}" }
}
contact_policy { caps { action: "upgrade" max: 1 window: "30d" } }
"""

MARCH_5 = dt.datetime(2025, 3, 5, tzinfo=dt.timezone.utc)


def journey(customer, survey=True):
    """A purchase, an unresolved call about billing, a chat about billing two
    days later (a repeat), and (survey) a detractor's survey answer."""
    events = [
        {"event_id": f"{customer}-p", "customer_id": customer,
         "type": "purchase", "channel": "web",
         "occurred_at": "2025-01-10T12:00:00Z", "value": 100,
         "currency": "EUR", "attributes": {"plan": "gold"}},
        {"event_id": f"{customer}-c1", "customer_id": customer,
         "type": "contact", "channel": "voice",
         "occurred_at": "2025-03-01T10:00:00Z", "topic": "billing",
         "outcome": "unresolved", "sentiment": -0.6, "agent_id": "a7",
         "transfers": 2, "hold_ms": 30000},
        {"event_id": f"{customer}-c2", "customer_id": customer,
         "type": "contact", "channel": "chat",
         "occurred_at": "2025-03-03T09:00:00Z", "topic": "billing",
         "outcome": "resolved", "sentiment": 0.2, "agent_id": "a9"},
    ]
    if survey:
        events.append({"event_id": f"{customer}-s", "customer_id": customer,
                       "type": "survey", "channel": "survey",
                       "occurred_at": "2025-03-04T08:00:00Z", "nps": 3})
    return events


class ModuleTest(unittest.TestCase):

    def test_version(self):
        self.assertEqual(motive.version(), motive.__version__)
        self.assertEqual(motive.__version__, motive.version())
        self.assertTrue(os.path.samefile(motive.library_path(),
                                         os.environ["MOTIVE_LIBRARY"]))

    def test_strerror(self):
        self.assertEqual(motive.strerror(-1), "invalid argument")
        self.assertTrue(motive.strerror(-999))

    def test_error_classes(self):
        codes = {-1: motive.InvalidArgument, -2: motive.NotFound,
                 -3: motive.ParseError, -4: motive.MotiveIOError,
                 -5: motive.CorruptError, -6: motive.BusyError,
                 -7: motive.TooSmallError, -8: motive.VersionError,
                 -9: motive.OutOfMemory, -10: motive.InternalError,
                 -11: motive.RejectedError, -12: motive.Canceled,
                 -13: motive.Unsupported, -14: motive.AmbiguousError,
                 -15: motive.UnreachableError}
        for code, cls in codes.items():
            e = motive._errors.error_for(code, "why")
            self.assertIs(type(e), cls)
            self.assertIsInstance(e, motive.MotiveError)
            self.assertEqual((e.code, e.message, str(e)), (code, "why", "why"))
        self.assertIs(type(motive._errors.error_for(-99, "")),
                      motive.MotiveError)
        self.assertIs(motive.IOError, motive.MotiveIOError)
        self.assertIsInstance(motive.InvalidArgument(-1, ""), ValueError)
        self.assertIsInstance(motive.AmbiguousError(-14, ""), LookupError)
        self.assertIsInstance(motive.UnreachableError(-15, ""),
                              ConnectionError)
        self.assertEqual(motive.strerror(-15), "cluster unreachable")

    def test_struct_layouts_match_the_library(self):
        # _init refuses a size the struct never had: each mirror is exact.
        for init, struct in [
                ("mot_engine_options_init", _native.mot_engine_options),
                ("mot_ingest_options_init", _native.mot_ingest_options),
                ("mot_timeline_options_init", _native.mot_timeline_options),
                ("mot_context_summary_init", _native.mot_context_summary),
                ("mot_engine_stats_init", _native.mot_engine_stats),
                ("mot_situation_init", _native.mot_situation)]:
            s = _engine._init(getattr(_native.lib, init), struct)
            self.assertEqual(s.struct_size, _native.ctypes.sizeof(struct))
        # A struct larger than the library's (a newer header) is refused.
        size = _native.ctypes.sizeof(_native.mot_context_summary) + 8
        bigger = (_native.ctypes.c_uint8 * size)()
        self.assertEqual(_native.lib.mot_context_summary_init(
            _native.ctypes.cast(bigger, _native.POINTER(
                _native.mot_context_summary)), size), -8)

    def test_check_expr(self):
        self.assertEqual(motive.check_expr("customer.strikes >= 2"), "bool")
        with self.assertRaises(motive.ParseError) as cm:
            motive.check_expr("customer.strikes >=")
        self.assertIn("line 1, column 20", str(cm.exception))
        with self.assertRaises(motive.InvalidArgument) as cm:
            motive.check_expr("nobody.knows")
        self.assertIn("nobody", str(cm.exception))

    def test_eval_expr(self):
        self.assertEqual(motive.eval_expr("1 + 2"), "3")
        self.assertEqual(motive.eval_expr("x * 2", x=21), "42")
        self.assertEqual(motive.eval_expr("t.exists(s, s == 'vip')",
                                          t=["a", "vip"]), "true")
        self.assertEqual(motive.eval_expr("m.plan", m={"plan": "pro"}),
                         '"pro"')
        self.assertEqual(motive.eval_expr("f > 2.0 && b && n == null",
                                          f=2.5, b=True, n=None), "true")
        self.assertEqual(motive.eval_expr("s + \"!\"", s='say "hi"'),
                         '"say \\"hi\\"!"')
        self.assertEqual(
            motive.eval_expr("t < timestamp('2025-03-05T00:00:01Z')",
                             t=MARCH_5), "true")
        with self.assertRaises(motive.InvalidArgument) as cm:
            motive.eval_expr("1 / x", x=0)
        self.assertIn("division by zero", str(cm.exception))
        with self.assertRaises(motive.ParseError):
            motive.eval_expr("1 +")
        with self.assertRaises(TypeError):
            motive.eval_expr("x", x=object())

    def test_to_micros(self):
        self.assertEqual(motive.to_micros(None), 0)
        self.assertEqual(motive.to_micros(5), 5)
        self.assertEqual(motive.to_micros(MARCH_5), 1741132800 * 1000000)
        self.assertEqual(motive.to_micros(dt.datetime(2025, 3, 5)),
                         1741132800 * 1000000)  # naive: UTC
        with self.assertRaises(TypeError):
            motive.to_micros("2025-03-05")


class EngineTest(unittest.TestCase):

    def setUp(self):
        self.eng = motive.Engine(":memory:", ruleset=RULESET,
                                 ruleset_origin="t1.textproto")
        self.addCleanup(self.eng.close)

    def record_journey(self, customer, survey=True):
        for event in journey(customer, survey):
            self.assertTrue(self.eng.record(event))

    def test_context_manager_closes(self):
        with motive.Engine() as eng:
            self.assertFalse(eng.closed)
            self.assertIn("open", repr(eng))
        self.assertTrue(eng.closed)
        eng.close()  # idempotent
        calls = [lambda: eng.record(journey("x")[0]), eng.flush,
                 eng.snapshot, eng.stats, lambda: eng.summary("x"),
                 lambda: eng.timeline("x"), lambda: eng.context("x"),
                 lambda: eng.decide("x"), lambda: eng.load_rules(RULESET),
                 lambda: eng.feedback("x", "d", "a"), eng.alerts,
                 lambda: eng.on_alert(print), lambda: eng.check_expr("1"),
                 lambda: eng.ingest([]), lambda: eng.load_context_config(""),
                 lambda: eng.ingest_file("/nonexistent"),
                 lambda: eng.resolve("phone", "+14155550100"),
                 lambda: eng.profile("x"), lambda: eng.unlink("email", "a@b"),
                 lambda: eng.link("x", [("email", "a@b")]),
                 lambda: eng.summary(identity=("phone", "+14155550100"))]
        for call in calls:
            with self.assertRaises(motive.InvalidArgument) as cm:
                call()
            self.assertIn("closed", str(cm.exception))

    def test_context_manager_closes_on_exception(self):
        with self.assertRaises(KeyError):
            with motive.Engine() as eng:
                raise KeyError("boom")
        self.assertTrue(eng.closed)

    def test_record(self):
        event = journey("c1")[1]
        self.assertTrue(self.eng.record(event))
        self.assertFalse(self.eng.record(json.dumps(event)))  # duplicate
        self.assertFalse(self.eng.record(json.dumps(event).encode()))
        with self.assertRaises(TypeError):
            self.eng.record(42)

    def test_record_errors_name_the_field(self):
        bad = dict(journey("c1")[1], sentiment="abc")
        with self.assertRaises(motive.ParseError) as cm:
            self.eng.record(bad)
        self.assertEqual(cm.exception.code, -3)
        self.assertIn("sentiment", str(cm.exception))
        with self.assertRaises(motive.ParseError) as cm:
            self.eng.record("{oops")
        self.assertIn("JSON", str(cm.exception))
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.record(dict(journey("c1")[1], sentiment=1.5))
        self.assertIn("sentiment", str(cm.exception))
        missing = dict(journey("c1")[1])
        del missing["customer_id"]
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.record(missing)
        self.assertIn("customer_id", str(cm.exception))
        with self.assertRaises(motive.ParseError):
            self.eng.record(b"\xff\xff", protobuf=True)
        self.assertEqual(self.eng.timeline("c1"), [])  # nothing written

    def test_ingest(self):
        events = journey("c1") + [journey("c1")[0]]  # one duplicate
        report = self.eng.ingest(events)
        self.assertEqual((report.accepted, report.duplicates, report.rejected),
                         (4, 1, 0))
        text = "\n".join([json.dumps(journey("c2")[0]), "{broken",
                          json.dumps(dict(journey("c2")[1], sentiment=9))])
        report = self.eng.ingest(text, format="jsonl")
        self.assertEqual((report.accepted, report.rejected), (1, 2))
        self.assertEqual([r.record for r in report.rejections], [2, 3])
        self.assertEqual(report.rejections[1].field, "sentiment")
        self.assertTrue(report.rejections[1].message)
        with self.assertRaises(motive.InvalidArgument):
            self.eng.ingest(b"x", format="auto")  # a buffer has no name
        with self.assertRaises(motive.InvalidArgument):
            self.eng.ingest(b"x", format="yaml")

    def test_ingest_file_and_progress(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "events.jsonl")
            with open(path, "w") as f:
                for i in range(50):
                    f.write(json.dumps(dict(journey("f")[1],
                                            event_id=f"e{i}")) + "\n")
            seen = []
            report = self.eng.ingest_file(
                path, progress=lambda done, total: seen.append((done, total)),
                batch_size=10)
            self.assertEqual(report.accepted, 50)
            self.assertTrue(seen and seen[-1][0] == seen[-1][1])
            # A true result stops the ingest: Canceled.
            with self.assertRaises(motive.Canceled):
                self.eng.ingest_file(path, progress=lambda d, t: True,
                                     batch_size=10)

            # An exception in the callback stops it and comes out as itself.
            def boom(done, total):
                raise RuntimeError("stop here")
            with self.assertRaisesRegex(RuntimeError, "stop here"):
                self.eng.ingest_file(path, progress=boom, batch_size=10)
            with self.assertRaises(motive.MotiveError) as cm:
                self.eng.ingest_file(os.path.join(d, "missing.jsonl"))
            self.assertIn("missing.jsonl", str(cm.exception))

    def test_timeline(self):
        self.record_journey("c1")
        events = self.eng.timeline("c1")
        self.assertEqual([e["event_id"] for e in events],
                         ["c1-p", "c1-c1", "c1-c2", "c1-s"])
        self.assertEqual(events[1]["channel"], "VOICE")
        self.assertEqual(len(self.eng.timeline("c1", limit=2)), 2)
        since = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
        until = dt.datetime(2025, 3, 4, tzinfo=dt.timezone.utc)
        self.assertEqual([e["event_id"] for e in
                          self.eng.timeline("c1", since=since, until=until)],
                         ["c1-c1", "c1-c2"])
        self.assertEqual(self.eng.timeline("nobody"), [])
        with self.assertRaises(motive.InvalidArgument):
            self.eng.timeline("")
        with self.assertRaises(TypeError):
            self.eng.timeline(None)

    def test_summary(self):
        self.record_journey("c1")
        s = self.eng.summary("c1", as_of=MARCH_5)
        self.assertIsInstance(s, motive.ContextSummary)
        self.assertEqual((s.known, s.events, s.as_of_us),
                         (1, 4, motive.to_micros(MARCH_5)))
        self.assertEqual(s.contacts_7d, 2)
        voice = motive.CHANNELS.index("voice")
        self.assertEqual(s.contacts_7d_by_channel[voice], 1)
        self.assertEqual(len(s.contacts_30d_by_channel), 12)
        self.assertEqual(motive.CHANNELS[s.last_contact_channel], "chat")
        self.assertEqual((s.last_contact_topic, s.last_contact_agent_id),
                         ("billing", "a9"))
        self.assertEqual(motive.OUTCOMES[s.last_contact_outcome], "resolved")
        self.assertEqual(s.last_contact_repeat, 1)
        self.assertEqual(s.repeat_contacts, 1)
        self.assertGreaterEqual(s.strikes, 2)
        self.assertEqual((s.nps, s.csat), (3, -1))
        self.assertEqual(motive.NPS_CATEGORIES[s.nps_category], "detractor")
        self.assertEqual((s.purchases, s.lifetime_value), (1, 100.0))
        self.assertAlmostEqual(s.churn_risk, min(sum(s.churn_factors), 1.0))
        self.assertEqual(len(s.churn_factors), len(motive.CHURN_FACTORS))
        with self.assertRaises(dataclass_frozen_error()):
            s.strikes = 0
        # An earlier as-of time replays the log.
        self.assertEqual(self.eng.summary("c1", as_of=dt.datetime(
            2025, 2, 1, tzinfo=dt.timezone.utc)).events, 1)

    def test_summaries_of_many_at_once(self):
        self.record_journey("c1")
        self.record_journey("c2")
        ids = ["c1", "nobody", "c2"]
        many = self.eng.summaries(ids, as_of=MARCH_5)
        self.assertEqual([s.known for s in many], [1, 0, 1])
        # (The unknown customer's NaNs compare unequal to themselves.)
        self.assertEqual([many[0], many[2]],
                         [self.eng.summary(c, as_of=MARCH_5)
                          for c in ("c1", "c2")])
        self.assertEqual(self.eng.summaries([]), [])
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.summaries(["c1", ""])
        self.assertIn("customer 1", str(cm.exception))

    def test_summary_of_unknown_customer(self):
        s = self.eng.summary("nobody")
        self.assertEqual((s.known, s.events, s.last_contact_topic), (0, 0, ""))
        self.assertTrue(math.isnan(s.sentiment_last))
        self.assertEqual((s.nps, s.days_since_purchase), (-1, -1))
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.summary("")
        self.assertIn("customer_id", str(cm.exception))

    def test_context(self):
        self.record_journey("c1")
        c = self.eng.context("c1", as_of=MARCH_5)
        self.assertEqual(c["customer_id"], "c1")
        self.assertTrue(c["known"])
        self.assertEqual(c["attributes"]["plan"], "gold")
        # The strikes counted, each with what caused it.
        strikes = c["strike_events"]
        self.assertEqual(len(strikes), c["strikes"])
        for strike in strikes:
            self.assertTrue(strike["event_id"])
            self.assertEqual(len(strike["causes"]), len(strike["reasons"]))
            self.assertTrue(strike["causes"][0].startswith("STRIKE_"))
        self.assertFalse(self.eng.context("nobody").get("known", False))
        with self.assertRaises(motive.InvalidArgument):
            self.eng.context("")

    def test_context_config(self):
        self.eng.close()
        self.eng = motive.Engine()
        self.record_journey("c1", survey=False)
        self.eng.load_context_config(
            'metrics { name: "voice_calls" aggregation: COUNT window: "30d" '
            "filter: \"event.channel == 'voice'\" }")
        c = self.eng.context("c1", as_of=MARCH_5)
        self.assertIn("voice_calls", json.dumps(c["metrics"]))
        with self.assertRaises(motive.ParseError):
            self.eng.load_context_config("metrics {")
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.load_context_config(
                'metrics { name: "m" aggregation: COUNT window: "30d" '
                'filter: "nobody.knows" }')
        self.assertIn("m", str(cm.exception))

    def test_check_expr_on_engine(self):
        self.assertEqual(self.eng.check_expr("contacts.d30 > 1"), "bool")
        with self.assertRaises(motive.ParseError):
            self.eng.check_expr("(")

    def test_stats_flush_snapshot(self):
        self.record_journey("c1")
        self.eng.flush()
        st = self.eng.stats()
        self.assertIsInstance(st, motive.EngineStats)
        self.assertEqual((st.customers, st.from_snapshot), (1, 0))
        self.assertEqual(st.snapshot_note, "")
        with self.assertRaises(motive.InvalidArgument):
            self.eng.snapshot()  # ":memory:" has no snapshot file
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "j.db")
            with motive.Engine(path, durability="group",
                               group_commit_ms=5) as eng:
                for event in journey("c1"):
                    eng.record(event)
                eng.snapshot()
            with motive.Engine(path, integrity_check="full") as eng:
                self.assertEqual(eng.stats().from_snapshot, 1)
                self.assertEqual(eng.summary("c1").events, 4)
            with motive.Engine(path, read_only=True) as eng:
                with self.assertRaises(motive.InvalidArgument):
                    eng.record(journey("c2")[0])
            with self.assertRaises(motive.NotFound):
                motive.Engine(os.path.join(d, "none.db"),
                              create_if_missing=False)
            bogus = os.path.join(d, "bogus.db")
            with open(bogus, "wb") as f:
                f.write(b"not a database" * 100)
            with self.assertRaises(motive.CorruptError):
                motive.Engine(bogus)

    def test_erase(self):
        self.record_journey("zebulon")
        self.record_journey("c2")
        for event in journey("zebulon"):
            self.assertFalse(self.eng.record(event))  # duplicates
        self.assertEqual(self.eng.erase("zebulon"), 4)
        self.assertEqual(self.eng.summary("zebulon").known, 0)
        self.assertEqual(self.eng.timeline("zebulon"), [])
        self.assertEqual(self.eng.summary("c2").events, 4)
        self.assertEqual(self.eng.erase("zebulon"), 0)
        with self.assertRaises(motive.InvalidArgument):
            self.eng.erase("")
        with self.assertRaises(TypeError):
            self.eng.erase(None)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "j.db")
            with motive.Engine(path) as eng:
                for event in journey("zebulon") + journey("c2"):
                    eng.record(event)
                eng.snapshot()
                self.assertEqual(eng.erase("zebulon"), 4)
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    self.assertNotIn(b"zebulon", f.read(), name)
            with motive.Engine(path, read_only=True) as eng:
                self.assertEqual(eng.stats().from_snapshot, 1)
                with self.assertRaises(motive.InvalidArgument):
                    eng.erase("c2")

    def test_retention(self):
        with self.assertRaises(motive.InvalidArgument):
            self.eng.apply_retention()
        # The journeys are of 2025: older than 30 days.
        with motive.Engine(retention_days=30) as eng:
            for event in journey("zebulon"):
                eng.record(event)
            self.assertEqual(eng.apply_retention(), 4)
            self.assertEqual(eng.summary("zebulon").known, 0)
            self.assertEqual(eng.apply_retention(), 0)

    def test_open_errors(self):
        with self.assertRaises(motive.InvalidArgument):
            motive.Engine(durability="sometimes")
        with self.assertRaises(motive.ParseError) as cm:
            motive.Engine(ruleset="actions {", ruleset_origin="x.textproto")
        self.assertIn("x.textproto", str(cm.exception))
        with self.assertRaises(motive.ParseError):
            motive.Engine(journey_map="rules {")
        with self.assertRaises(motive.ParseError):
            motive.Engine(context_config="metrics {")

    def test_load_rules(self):
        with motive.Engine() as eng:
            with self.assertRaises(motive.InvalidArgument) as cm:
                eng.decide("c1")
            self.assertIn("no ruleset", str(cm.exception))
            with self.assertRaises(motive.ParseError) as cm:
                eng.load_rules("actions {\n  id: \"a\"\n  title: \n}\n",
                               origin="r.textproto")
            self.assertIn("r.textproto:4:1:", str(cm.exception))
            with self.assertRaises(motive.InvalidArgument) as cm:
                eng.load_rules('playbooks { name: "p" rules { action: "nope" } }')
            self.assertIn("nope", str(cm.exception))
            with self.assertRaises(motive.InvalidArgument) as cm:
                eng.check_rules('playbooks { name: "p" rules { action: "x" } }',
                                origin="c.textproto")
            self.assertIn("c.textproto:1:", str(cm.exception))
            eng.check_rules(RULESET)  # fine, and not loaded:
            with self.assertRaises(motive.InvalidArgument):
                eng.decide("c1")
            eng.load_rules(RULESET, origin="t1.textproto")
            self.assertEqual(eng.decide("c1")["ruleset_version"], "t1")
            eng.load_rules(json.dumps({"version": "j1",
                                       "actions": [{"id": "a"}]}))
            self.assertEqual(eng.decide("c1")["ruleset_version"], "j1")
            with tempfile.NamedTemporaryFile("w", suffix=".textproto") as f:
                f.write("actions {")
                f.flush()
                with self.assertRaises(motive.ParseError) as cm:
                    eng.load_rules_file(f.name)
                self.assertIn(os.path.basename(f.name), str(cm.exception))

    def test_journeys(self):
        self.record_journey("c1")
        svg = self.eng.journey_svg("c1")
        self.assertIn("Journey of c1: 4 events", svg)
        self.assertTrue(svg.rstrip().endswith("</svg>"))
        figures = self.eng.journeys()
        self.assertEqual(figures["customers"], "1")
        self.assertIn("PURCHASE", figures["stage_customers"])
        self.assertIn("Journey map: 1 customers", self.eng.journeys_svg())
        with self.assertRaises(motive.InvalidArgument):
            self.eng.journey_svg("")

    def test_journeys_of_a_segment(self):
        self.record_journey("c1")
        self.record_journey("c2", survey=False)
        self.assertEqual(self.eng.journeys()["customers"], "2")
        # Only c1 answered the survey: a customer without an nps is left out.
        detractors = self.eng.journeys(segment="customer.nps < 7")
        self.assertEqual(detractors["customers"], "1")
        self.assertEqual(detractors["segment"], "customer.nps < 7")
        self.assertIn("Journey map (segment customer.nps &lt; 7): 1 customers",
                      self.eng.journeys_svg(segment="customer.nps < 7"))
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.journeys(segment="customer.strikes >= 'two'")
        self.assertIn("segment: line 1, column 18", str(cm.exception))
        with self.assertRaises(motive.ParseError):
            self.eng.journeys_svg(segment="customer.strikes >=")
        seen = []
        self.eng.journeys(progress=lambda done, total: seen.append(total))
        self.assertEqual(seen[-1], 2)
        with self.assertRaises(motive.Canceled):
            self.eng.journeys(progress=lambda done, total: True)

    def test_whatif(self):
        self.record_journey("c1")
        # c1's two billing contacts: the first, before any strike, gets the
        # upgrade; the second, after the unresolved call, the apology.
        report = self.eng.whatif(RULESET, origin="t1.textproto")
        self.assertEqual(report["ruleset_version"], "t1")
        self.assertEqual(report["decisions"], "2")
        self.assertEqual(report["top_gained"],
                         {"upgrade": "1", "apology": "1"})
        self.assertEqual(report["service_recovery"], {"apology": "1"})
        same = self.eng.whatif(RULESET, against=RULESET)
        self.assertNotIn("changed", same)  # zero counts are left out
        late = self.eng.whatif(RULESET, since=dt.datetime(
            2025, 3, 2, tzinfo=dt.timezone.utc))
        self.assertEqual(late["decisions"], "1")
        with self.assertRaises(motive.ParseError) as cm:
            self.eng.whatif("playbooks {", origin="new.textproto")
        self.assertIn("new.textproto", str(cm.exception))

        def boom(done, total):
            raise KeyError("from the callback")
        with self.assertRaises(KeyError):
            self.eng.whatif(RULESET, progress=boom)

    def test_decide(self):
        self.record_journey("c1")
        d = self.eng.decide("c1", channel="voice", topic="billing",
                            time=MARCH_5)
        self.assertEqual(d["customer_id"], "c1")
        self.assertTrue(d["decision_id"])
        actions = [a["action"] for a in d["actions"]]
        self.assertEqual(actions[0], "apology")
        self.assertIn("billing_call", d["playbooks"])
        self.assertIn("Sorry, there.", json.dumps(d))
        again = self.eng.decide("c1", "VOICE", "billing", "inbound",
                                time=motive.to_micros(MARCH_5))
        self.assertEqual(again["decision_id"], d["decision_id"])  # same input
        one = self.eng.decide("c1", "voice", "billing", time=MARCH_5,
                              max_results=1, agent_id="a7")
        self.assertEqual(len(one["actions"]), 1)
        # An unknown customer is decided for with an empty context.
        fresh = self.eng.decide("nobody", "voice", "billing", time=MARCH_5)
        self.assertNotIn("apology", json.dumps(fresh["actions"]))
        with self.assertRaises(motive.InvalidArgument):
            self.eng.decide("")
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.decide("c1", channel="pigeon")
        self.assertIn("pigeon", str(cm.exception))
        with self.assertRaises(motive.InvalidArgument):
            self.eng.decide("c1", channel=99)  # the library judges ints
        with self.assertRaises(motive.InvalidArgument):
            self.eng.decide("c1", direction="sideways")

    def test_feedback(self):
        self.record_journey("c5", survey=False)
        d = self.eng.decide("c5", "voice", "billing", time=MARCH_5)
        self.eng.feedback("c5", d["decision_id"], "survey", "offered",
                          channel="voice", time=MARCH_5)
        self.eng.feedback("c5", d["decision_id"], "survey", "offered",
                          channel="voice", time=MARCH_5)  # stored once
        self.eng.feedback("c5", d["decision_id"], "survey",
                          channel="voice", time=MARCH_5 + dt.timedelta(1))
        types = [e["type"] for e in self.eng.timeline("c5")]
        self.assertEqual(len(types), 5)
        for bad in [dict(customer_id=""), dict(decision_id=""),
                    dict(action="")]:
            args = dict(customer_id="c5", decision_id=d["decision_id"],
                        action="survey")
            args.update(bad)
            with self.assertRaises(motive.InvalidArgument):
                self.eng.feedback(**args)
        with self.assertRaises(motive.InvalidArgument):
            self.eng.feedback("c5", d["decision_id"], "survey", "loved")
        with self.assertRaises(motive.InvalidArgument):
            self.eng.feedback("c5", d["decision_id"], "survey", 9)

    def test_alerts_poll(self):
        self.assertEqual(list(self.eng.alerts()), [])
        self.record_journey("c1")
        alerts = list(self.eng.alerts())
        self.assertEqual(len(alerts), 1)
        self.assertEqual((alerts[0]["customer_id"], alerts[0]["playbook"]),
                         ("c1", "detractor"))
        self.assertEqual(list(self.eng.alerts()), [])  # taken once
        self.record_journey("c2")
        self.record_journey("c3")
        self.assertEqual(len(list(self.eng.alerts(max=1))), 1)
        self.assertEqual(len(list(self.eng.alerts())), 1)
        self.assertEqual(self.eng.stats().alerts_raised, 3)

    def test_alert_callback(self):
        got = []
        self.record_journey("c1")  # queued before the callback
        self.eng.on_alert(got.append)
        self.assertEqual([a["customer_id"] for a in got], ["c1"])  # at once
        self.record_journey("c2")
        self.assertEqual([a["customer_id"] for a in got], ["c1", "c2"])
        self.assertEqual(list(self.eng.alerts()), [])
        # A replaced callback is released by the library.
        other = []
        self.eng.on_alert(other.append)
        self.record_journey("c3")
        self.assertEqual(len(got), 2)
        self.assertEqual(len(other), 1)
        self.assertEqual(len(_engine._alert_refs), 1)
        self.eng.on_alert(None)  # back to queueing
        self.assertEqual(len(_engine._alert_refs), 0)
        self.record_journey("c4")
        self.assertEqual(len(other), 1)
        self.assertEqual(len(list(self.eng.alerts())), 1)

    def test_alert_callback_exception_stays_in_python(self):
        def boom(alert):
            raise ValueError("callback failed for " + alert["customer_id"])
        self.eng.on_alert(boom)
        with self.assertLogs("motive", logging.ERROR):
            self.record_journey("c1")  # the record itself succeeds
        self.assertEqual(self.eng.summary("c1").events, 4)
        self.assertEqual(len(self.eng.callback_errors), 1)
        self.assertIn("c1", str(self.eng.callback_errors[0]))

    def test_alert_callback_from_threads(self):
        got = []
        lock = threading.Lock()

        def on(alert):
            with lock:
                got.append(alert["customer_id"])
        self.eng.on_alert(on)
        threads = [threading.Thread(target=self.record_journey,
                                    args=(f"t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(got), ["t0", "t1", "t2", "t3"])

    def test_alert_callback_released_at_close(self):
        with motive.Engine(ruleset=RULESET) as eng:
            eng.on_alert(lambda a: None)
            self.assertEqual(len(_engine._alert_refs), 1)
        self.assertEqual(len(_engine._alert_refs), 0)

    def test_no_buffer_leaks(self):
        # Every mot_buf is disposed of: count the library's buffers handed
        # out and given back, over many calls that succeed and that fail.
        lib = _native.lib
        real = lib.mot_buf_dispose
        counts = {"disposed": 0}

        def counting(buf):
            if buf._obj.data:
                counts["disposed"] += 1
            real(buf)
        lib.mot_buf_dispose = counting
        self.addCleanup(setattr, lib, "mot_buf_dispose", real)
        self.record_journey("c1")
        n = 200
        for _ in range(n):
            self.eng.decide("c1", "voice", "billing", time=MARCH_5)
            self.eng.context("c1")
            self.eng.timeline("c1")
            list(self.eng.alerts())
            self.eng.check_expr("customer.strikes > 1")
            with self.assertRaises(motive.InvalidArgument):
                self.eng.decide("c1", channel=99)
        self.assertEqual(counts["disposed"], 5 * n)

    def test_memory_stays_flat(self):
        # The resident size does not grow with calls (a leak of the decision
        # JSON alone would add several MB here).
        self.record_journey("c1")

        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

        def work(n):
            for _ in range(n):
                self.eng.decide("c1", "voice", "billing", time=MARCH_5)
                self.eng.context("c1")
        if not os.path.exists("/proc/self/statm"):
            self.skipTest("no /proc")
        size = len(json.dumps(self.eng.context("c1"))) + len(
            json.dumps(self.eng.decide("c1", "voice", "billing",
                                       time=MARCH_5)))
        work(500)
        gc.collect()
        before = rss()
        n = 3000
        work(n)
        gc.collect()
        self.assertLess(rss() - before, size * n // 3)

    def test_del_closes(self):
        eng = motive.Engine()
        handle = eng._handle
        self.assertTrue(handle)
        del eng
        gc.collect()  # nothing to assert but no crash at the C side


def contact(event_id, day, *identifiers, customer=None, channel="voice"):
    """A contact about billing on March `day`, known by `identifiers`
    ((namespace, value) pairs) and, when given, a customer id."""
    event = {"event_id": event_id, "type": "contact", "channel": channel,
             "topic": "billing", "outcome": "unresolved",
             "occurred_at": f"2025-03-{day:02d}T10:00:00Z",
             "identifiers": [{"namespace": ns, "value": value}
                             for ns, value in identifiers]}
    if customer:
        event["customer_id"] = customer
    return event


PHONE = ("phone", "+1 415 555 0100")
EMAIL = ("email", "Ana@Example.com")


class IdentityTest(unittest.TestCase):

    def setUp(self):
        self.eng = motive.Engine(
            ":memory:", ruleset=RULESET,
            identity_config='default_region: "US" max_profiles: 2')
        self.addCleanup(self.eng.close)
        self.assertTrue(self.eng.record(contact("i1", 1, ("phone", "(415) 555-0100"))))
        self.assertTrue(self.eng.record(
            contact("i2", 2, EMAIL, ("phone", "+14155550100"), channel="chat")))
        self.ana = self.eng.resolve(*PHONE)

    def test_resolve(self):
        self.assertRegex(self.ana, r"^~[0-9a-f]{16}$")
        self.assertEqual(self.eng.resolve("email", " ana@example.COM"), self.ana)
        self.assertEqual(self.eng.resolve("phone", "415-555-0100"), self.ana)
        with self.assertRaises(motive.NotFound) as cm:
            self.eng.resolve("phone", "+19995550100")
        self.assertIn("belongs to no profile", str(cm.exception))
        self.assertIsInstance(cm.exception, LookupError)
        with self.assertRaises(TypeError):
            self.eng.resolve(None, "x")
        with self.assertRaises(motive.NotFound):
            self.eng.resolve("Not A Namespace", "x")

    def test_queries_take_an_identity(self):
        self.assertEqual(self.eng.summary(identity=PHONE).events, 2)
        by_identity = self.eng.summary(identity=EMAIL, as_of=MARCH_5)
        by_id = self.eng.summary(self.ana, MARCH_5)
        for field in ("events", "contacts_30d", "strikes", "churn_risk",
                      "repeat_contacts", "last_contact_topic"):
            self.assertEqual(getattr(by_identity, field), getattr(by_id, field))
        self.assertEqual(self.eng.context(identity=EMAIL)["customer_id"],
                         self.ana)
        self.assertEqual(len(self.eng.timeline(identity=["email", "ana@example.com"])), 2)
        decision = self.eng.decide(identity=PHONE, channel="voice",
                                   topic="billing", time=MARCH_5)
        self.assertEqual(decision["customer_id"], self.ana)
        self.assertEqual(decision["actions"][0]["action"], "apology")
        with self.assertRaises(motive.NotFound):
            self.eng.context(identity=("phone", "+19995550100"))
        for bad in [lambda: self.eng.summary(),
                    lambda: self.eng.summary(self.ana, identity=PHONE),
                    lambda: self.eng.timeline(identity=("phone",)),
                    lambda: self.eng.erase(identity="phone:+14155550100")]:
            with self.assertRaises(TypeError):
                bad()

    def test_feedback_by_identity(self):
        self.assertTrue(self.eng.record(
            contact("k1", 3, ("phone", "+12125550199"), customer="crm-9")))
        decision = self.eng.decide(identity=("phone", "(212) 555-0199"),
                                   topic="billing", time=MARCH_5)
        self.assertEqual(decision["customer_id"], "crm-9")
        self.eng.feedback(decision_id=decision["decision_id"], action="apology",
                          outcome="accepted", time=MARCH_5,
                          identity=("phone", "+12125550199"))
        self.assertEqual(len(self.eng.timeline("crm-9")), 2)

    def test_feedback_for_a_derived_id(self):
        # A customer known only by the id motive derived takes feedback too.
        decision = self.eng.decide(identity=PHONE, topic="billing",
                                   time=MARCH_5)
        self.eng.feedback(decision_id=decision["decision_id"], action="apology",
                          outcome="accepted", time=MARCH_5, identity=PHONE)
        self.assertEqual(len(self.eng.timeline(identity=PHONE)), 3)

    def test_profile(self):
        profile = self.eng.profile(identity=EMAIL)
        self.assertEqual(profile, self.eng.profile(self.ana))
        self.assertEqual(profile["customer_id"], self.ana)
        # The derived id of each event, the profile's first.
        self.assertEqual(profile["anchors"][0], self.ana)
        self.assertEqual(len(profile["anchors"]), 2)
        values = {(i["identifier"]["namespace"], i["identifier"]["value"])
                  for i in profile["identifiers"]}
        self.assertEqual(values, {("phone", "+14155550100"),
                                  ("email", "ana@example.com")})
        self.assertEqual(self.eng.profile("nobody")["customer_id"], "nobody")

    def test_link_and_unlink(self):
        self.assertTrue(self.eng.record(
            {"event_id": "i3", "customer_id": "crm-7", "type": "contact",
             "channel": "email", "occurred_at": "2025-03-03T10:00:00Z"}))
        self.eng.link("crm-7", [EMAIL])
        self.assertEqual(self.eng.resolve(*PHONE), "crm-7")
        self.assertEqual(self.eng.summary("crm-7").events, 3)
        self.assertEqual(self.eng.summary(self.ana).events, 3)  # any id
        profile = self.eng.profile("crm-7")
        self.assertEqual(profile["anchors"][0], "crm-7")
        self.assertIn(self.ana, profile["anchors"])
        merge = [e for e in profile["merges"] if e["type"] == "identity.merge"]
        self.assertTrue(merge)
        self.assertIn("reason", merge[-1]["attributes"])
        with self.assertRaises(motive.InvalidArgument):
            self.eng.link("crm-7", [])
        with self.assertRaises(motive.InvalidArgument):
            self.eng.link("crm-7", [("Bad Namespace", "x")])
        with self.assertRaises(TypeError):
            self.eng.link("crm-7", [("email",)])

        # Unlinked, the email ties nothing: the phone's customer splits
        # from crm-7, and the email itself is ambiguous.
        self.eng.unlink(*EMAIL)
        self.assertNotEqual(self.eng.resolve(*PHONE), "crm-7")
        with self.assertRaises(motive.AmbiguousError) as cm:
            self.eng.resolve(*EMAIL)
        self.assertIn("unlinked", str(cm.exception))
        self.assertEqual(cm.exception.code, -14)
        with self.assertRaises(motive.AmbiguousError):
            self.eng.summary(identity=EMAIL)
        # Linked again to the phone's customer, whose id motive derived.
        phone_customer = self.eng.resolve(*PHONE)
        self.assertTrue(phone_customer.startswith("~"))
        # An id motive derived is the caller's to use. Linked again, the
        # email ties what it was seen on: crm-7 and the phone's customer.
        self.eng.link(phone_customer, [EMAIL])
        self.assertEqual(self.eng.resolve(*EMAIL), "crm-7")
        self.assertEqual(self.eng.resolve(*PHONE), "crm-7")
        self.eng.link(None, [EMAIL], identity=PHONE)
        self.assertEqual(self.eng.resolve(*EMAIL), self.eng.resolve(*PHONE))
        with self.assertRaises(motive.InvalidArgument):
            self.eng.link("~0123456789abcdef", [EMAIL])  # never derived
        with self.assertRaises(motive.NotFound):
            self.eng.link(None, [EMAIL], identity=("phone", "+19995550100"))
        with self.assertRaises(TypeError):
            self.eng.link("crm-7", [EMAIL], identity=PHONE)

    def test_shared_identifier(self):
        board = ("phone", "+14155550000")
        for i in range(1, 4):
            self.eng.record(contact(f"s{i}", i, board,
                                    ("email", f"u{i}@example.com")))
        with self.assertRaises(motive.AmbiguousError) as cm:
            self.eng.resolve(*board)
        self.assertIn("shared", str(cm.exception))
        u1 = self.eng.resolve("email", "u1@example.com")
        self.assertNotEqual(u1, self.eng.resolve("email", "u2@example.com"))
        flags = {i["identifier"]["value"]: i.get("shared", False)
                 for i in self.eng.profile(u1)["identifiers"]}
        self.assertTrue(flags["+14155550000"])

    def test_erase_by_identity(self):
        self.assertEqual(self.eng.erase(identity=EMAIL), 2)
        with self.assertRaises(motive.NotFound):
            self.eng.resolve(*PHONE)
        self.assertEqual(self.eng.summary(self.ana).known, 0)

    def test_identity_config_errors(self):
        with self.assertRaises(motive.InvalidArgument) as cm:
            motive.Engine(identity_config='default_region: "XX"')
        self.assertIn("default_region", str(cm.exception))
        with self.assertRaises(motive.ParseError):
            motive.Engine(identity_config="max_profiles: ")


def dataclass_frozen_error():
    import dataclasses
    return dataclasses.FrozenInstanceError


def ctr(contact_id, updated, address="+14155550100",
        kind="TELEPHONE_NUMBER", **extra):
    """An Amazon Connect contact record (CTR), last updated at `updated`."""
    record = {"ContactId": contact_id, "Channel": "VOICE",
              "InitiationTimestamp": "2026-01-01T10:00:00Z",
              "LastUpdateTimestamp": updated,
              "DisconnectTimestamp": "2026-01-01T10:10:00Z",
              "CustomerEndpoint": {"Address": address, "Type": kind},
              "Agent": None}
    record.update(extra)
    return record


# A Contact Lens chat analysis of contact c-1, cut to what is mapped.
LENS = {
    "Version": "CHAT-2022-11-30", "Channel": "CHAT", "JobStatus": "COMPLETED",
    "CustomerMetadata": {"ContactId": "c-1"},
    "ConversationCharacteristics": {"Sentiment": {"OverallSentiment": {
        "DetailsByParticipantRole": {"CUSTOMER": -2.5, "AGENT": 1}}}},
    "Transcript": [{"AbsoluteTime": "2026-01-01T10:05:00.000Z", "Id": "t1",
                    "Content": "My bill is wrong.",
                    "ParticipantRole": "CUSTOMER"}]}


class ImportTest(unittest.TestCase):
    """Contact-center records through platform=: the report's figures, the
    identities they carry, idempotence, and the errors."""

    def setUp(self):
        self.eng = motive.Engine(":memory:")
        self.addCleanup(self.eng.close)

    def test_records_about_agents_are_skipped(self):
        worker = {"EventType": "worker.activity.update",
                  "WorkspaceSid": "WS1", "Timestamp": "1714557600",
                  "WorkerSid": "WK1"}
        report = self.eng.ingest([worker], platform="twilio-taskrouter")
        self.assertEqual((report.records, report.skipped, report.rejected),
                         (1, 1, 0))

    def test_connect_records(self):
        records = [ctr("c-1", "2026-01-01T10:20:00Z"),
                   ctr("c-1", "2026-01-01T11:00:00Z",
                       Agent={"Username": "jdoe"}),
                   ctr("c-2", "2026-01-02T10:00:00Z",
                       address="ana@example.com", kind="EMAIL_ADDRESS"),
                   dict(ctr("c-3", "2026-01-03T10:00:00Z"),
                        InitiationTimestamp="not a time")]
        report = self.eng.ingest(records, platform="connect-ctr")
        self.assertEqual((report.records, report.accepted, report.updated,
                          report.duplicates, report.rejected),
                         (4, 3, 1, 0, 1))
        self.assertEqual((report.profiles_created, report.profiles_merged),
                         (2, 0))
        self.assertEqual(report.skipped, 0)
        self.assertEqual(report.rejections[0].record, 4)
        self.assertEqual(report.rejections[0].field, "InitiationTimestamp")
        phone = self.eng.resolve("phone", "+14155550100")
        timeline = self.eng.timeline(phone)
        self.assertEqual(len(timeline), 1)  # c-1 once, as its latest version
        self.assertEqual(timeline[0]["agent_id"], "jdoe")
        # The analysis enriches c-1; again, everything is a duplicate.
        text = json.dumps(LENS)
        report = self.eng.ingest(text, platform="contact-lens")
        self.assertEqual((report.records, report.accepted, report.updated),
                         (1, 1, 1))
        report = self.eng.ingest(text, platform="auto")
        self.assertEqual((report.accepted, report.duplicates), (0, 1))
        self.assertEqual(self.eng.summary(phone).events, 1)
        self.assertLess(self.eng.timeline(phone)[0]["sentiment"], 0)

    def test_import_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ctr.json")
            with open(path, "w") as f:  # a JSON array, as the API gives them
                json.dump([ctr("c-1", "2026-01-01T10:20:00Z")], f)
            report = self.eng.ingest_file(path, platform="connect-ctr",
                                          timezone="Europe/Lisbon")
            self.assertEqual((report.records, report.accepted,
                              report.profiles_created), (1, 1, 1))
            self.assertEqual(self.eng.ingest_file(
                path, platform="auto").duplicates, 1)
            # A call analysis names its contact only in its file name:
            # source_name gives it.
            lens = os.path.join(d, "lens.json")
            with open(lens, "w") as f:
                json.dump(dict(LENS, CustomerMetadata={},
                               Version="VOICE-2022-11-30",
                               Transcript=[]), f)
            report = self.eng.ingest_file(lens, platform="contact-lens")
            self.assertEqual(report.rejections[0].field,
                             "CustomerMetadata.ContactId")
            report = self.eng.ingest_file(
                lens, platform="contact-lens",
                source_name="Analysis/Voice/2026/01/01/"
                            "c-1_analysis_2026-01-01T10:30:00Z.json")
            self.assertEqual((report.accepted, report.updated), (1, 1))

    def test_zendesk_tickets_in_a_time_zone(self):
        tickets = ("id,created_at,updated_at,status,subject,requester_id,"
                   "via_channel,via_source_from_address\n"
                   "4711,2026-03-02 10:05:00,2026-03-02 10:40:00,open,"
                   "Charged twice,38121,email,Maria@Example.com\n")
        report = self.eng.ingest(tickets, platform="zendesk-ticket",
                                 timezone="America/Los_Angeles")
        self.assertEqual((report.records, report.accepted,
                          report.profiles_created), (1, 1, 1))
        customer = self.eng.resolve("zendesk_user", "38121")
        self.assertEqual(self.eng.resolve("email", "maria@example.com"),
                         customer)
        self.assertEqual(self.eng.timeline(customer)[0]["occurred_at"],
                         "2026-03-02T18:05:00Z")

    def test_shared_contact_lens_sample(self):
        sample = os.path.join(os.path.dirname(__file__), "..", "..", "..",
                              "..", "shared", "data",
                              "amazon_connect_contact_lens_voice_analysis_"
                              "docs_FIXED.json")
        if not os.path.exists(sample):
            self.skipTest("no ../shared/data beside the project")
        report = self.eng.ingest_file(
            sample, platform="contact-lens",
            source_name="11111111-1111-1111-1111-111111111111_analysis_"
                        "2021-08-04T17:35:00Z.json")
        self.assertEqual((report.records, report.accepted, report.rejected),
                         (1, 1, 0))

    def test_errors(self):
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.ingest(b"{}", platform="five9")
        self.assertIn("connect-ctr", str(cm.exception))
        with self.assertRaises(motive.InvalidArgument):
            self.eng.ingest(b"{}", platform="jsonl")  # motive's own
        with self.assertRaises(motive.InvalidArgument):
            self.eng.ingest(b"{}", format="jsonl", platform="connect-ctr")
        with self.assertRaises(motive.InvalidArgument) as cm:
            self.eng.ingest(json.dumps(ctr("c-1", "2026-01-01T10:20:00Z")),
                            platform="connect-ctr", timezone="Not/AZone")
        self.assertIn("timezone", str(cm.exception))
        with self.assertRaises(TypeError):
            self.eng.ingest(b"{}", platform=True)


class ClusterTest(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name

    def test_unreachable_cluster(self):
        # Nothing listens on port 1.
        server = "nats://127.0.0.1:1"
        with self.assertRaises(motive.UnreachableError) as cm:
            motive.Engine(os.path.join(self.dir, "a.db"), cluster=server,
                          cluster_open_timeout_ms=500)
        self.assertEqual(cm.exception.code, -15)
        self.assertIn(server, str(cm.exception))
        with self.assertRaises(motive.InvalidArgument) as cm:
            motive.Engine(cluster=server, held_partitions="0-3,300")
        self.assertIn("300", str(cm.exception))

    def test_partition_of(self):
        # A contract with routers outside motive: the values never change.
        self.assertEqual(motive.partition_of("ana"), 5)
        self.assertEqual(motive.partition_of("c1", 16), 9)
        self.assertEqual(motive.partition_of("ana", 1000), 725)

    def test_stats_without_a_cluster(self):
        with motive.Engine() as eng:
            self.assertTrue(eng.record(journey("c1")[0]))
            st = eng.stats()
        self.assertEqual((st.cluster_connected, st.cluster_last_contact_us,
                          st.cluster_applied, st.cluster_lag), (0, 0, 0, 0))
        # The fields before them still line up.
        self.assertEqual(st.customers, 1)

    def test_two_nodes_share_an_event(self):
        url = self.start_nats_server()
        options = dict(cluster=url, tenant="py", cluster_replicas=1,
                       cluster_partitions=8, cluster_streams=1,
                       cluster_open_timeout_ms=10000)
        with motive.Engine(os.path.join(self.dir, "a.db"), **options) as a, \
                motive.Engine(os.path.join(self.dir, "b.db"), **options) as b:
            self.assertTrue(a.record(journey("c1")[1]))
            deadline = time.monotonic() + 10
            while b.summary("c1").events < 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(b.summary("c1").events, 1)
            self.assertEqual(b.timeline("c1")[0]["event_id"], "c1-c1")
            st = b.stats()
            self.assertEqual(st.cluster_connected, 1)
            self.assertGreaterEqual(st.cluster_applied, 1)
            self.assertGreater(st.cluster_last_contact_us, 0)

    def start_nats_server(self):
        """A one-server NATS JetStream on a free loopback port, stopped at
        the end of the test; its URL."""
        binary = shutil.which("nats-server")
        if binary is None:
            self.skipTest("nats-server is not installed (Debian: nats-server)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        store = os.path.join(self.dir, "jetstream")
        server = subprocess.Popen(
            [binary, "-js", "-a", "127.0.0.1", "-p", str(port),
             "--store_dir", store],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(server.wait, 10)
        self.addCleanup(server.terminate)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    self.fail(f"nats-server on port {port} did not start")
                time.sleep(0.05)
        return f"nats://127.0.0.1:{port}"


if __name__ == "__main__":
    unittest.main()
