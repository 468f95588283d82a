// The binding's tests: a console program (no test framework is needed to run
// it under Mono), exiting non-zero when a check fails. Each test opens its
// own in-memory engine, except those about files, which use a temp folder.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Motive;

internal static class Tests
{
    private const long DayUs = 86400L * 1000000;
    private const long March5Us = 1741132800L * 1000000;

    private const string Ruleset =
        "version: \"t1\"\n" +
        "actions { id: \"apology\" title: \"Apologise\" group: \"service_recovery\"\n" +
        "  service: true script: \"Sorry, {customer.first_name|there}.\" }\n" +
        "actions { id: \"survey\" title: \"Invite to the survey\" }\n" +
        "actions { id: \"upgrade\" title: \"Offer the gold plan\" group: \"upsell\" value: 2 }\n" +
        "actions { id: \"callback\" title: \"Call back\" group: \"retention\" }\n" +
        "playbooks {\n" +
        "  name: \"billing_call\" directions: INBOUND topics: \"billing\"\n" +
        "  rules { action: \"apology\" priority: 10 eligibility: \"customer.strikes >= 1\"\n" +
        "          reason: \"{customer.strikes} bad experiences\" }\n" +
        "  rules { action: \"survey\" }\n" +
        "  rules { action: \"upgrade\" suitability: \"customer.strikes == 0\" }\n" +
        "}\n" +
        "playbooks {\n" +
        "  name: \"detractor\" proactive: true\n" +
        "  condition: \"customer.nps_category == 'detractor'\"\n" +
        "  rules { action: \"callback\" reason: \"NPS {customer.nps}\" }\n" +
        "}\n" +
        "contact_policy { caps { action: \"upgrade\" max: 1 window: \"30d\" } }\n";

    private static int failures;
    private static int checks;

    private static void Check(bool ok, string what)
    {
        ++checks;
        if (ok) return;
        ++failures;
        Console.Error.WriteLine("FAILED: " + what + "\n" + Environment.StackTrace);
    }

    private static void Contains(string text, string part, string what)
    {
        Check(text != null && text.Contains(part), what + ": \"" + part + "\" not in " + text);
    }

    private static bool Near(double a, double b) { return Math.Abs(a - b) < 1e-9; }

    /// <summary>Runs <paramref name="action"/> and checks that it throws a
    /// MotiveException with <paramref name="code"/> whose message contains
    /// <paramref name="part"/>.</summary>
    private static void Fails(Action action, Status code, string part, string what)
    {
        try
        {
            action();
            Check(false, what + ": no exception");
        }
        catch (MotiveException e)
        {
            Check(e.Code == code, what + ": code " + e.Code + ", want " + code + " (" + e.Message + ")");
            Contains(e.Message, part, what);
        }
    }

    private static void Throws<T>(Action action, string what) where T : Exception
    {
        try
        {
            action();
            Check(false, what + ": no exception");
        }
        catch (T)
        {
        }
        catch (Exception e)
        {
            Check(false, what + ": threw " + e.GetType() + ": " + e.Message);
        }
    }

    private static readonly string[] Journey =
    {
        "{\"event_id\":\"{0}-p\",\"customer_id\":\"{0}\",\"type\":\"purchase\"," +
        "\"channel\":\"web\",\"occurred_at\":\"2025-01-10T12:00:00Z\"," +
        "\"value\":100,\"currency\":\"EUR\",\"attributes\":{\"plan\":\"gold\"}}",
        "{\"event_id\":\"{0}-c1\",\"customer_id\":\"{0}\",\"type\":\"contact\"," +
        "\"channel\":\"voice\",\"occurred_at\":\"2025-03-01T10:00:00Z\"," +
        "\"topic\":\"billing\",\"outcome\":\"unresolved\",\"sentiment\":-0.6," +
        "\"agent_id\":\"a7\",\"transfers\":2,\"hold_ms\":30000}",
        "{\"event_id\":\"{0}-c2\",\"customer_id\":\"{0}\",\"type\":\"contact\"," +
        "\"channel\":\"chat\",\"occurred_at\":\"2025-03-03T09:00:00Z\"," +
        "\"topic\":\"billing\",\"outcome\":\"resolved\",\"sentiment\":0.2," +
        "\"agent_id\":\"a9\"}",
        "{\"event_id\":\"{0}-s\",\"customer_id\":\"{0}\",\"type\":\"survey\"," +
        "\"channel\":\"survey\",\"occurred_at\":\"2025-03-04T08:00:00Z\",\"nps\":3}",
    };

    private static string JourneyEvent(int i, string customer)
    {
        return Journey[i].Replace("{0}", customer);
    }

    private static void RecordJourney(Engine engine, string customer)
    {
        for (int i = 0; i < Journey.Length; ++i)
            Check(engine.Record(JourneyEvent(i, customer)), "journey event stored");
    }

    private static string Survey(string eventId, string customer, int minute, int nps)
    {
        return "{\"event_id\":\"" + eventId + "\",\"customer_id\":\"" + customer +
               "\",\"type\":\"survey\",\"channel\":\"email\",\"occurred_at\":" +
               "\"2025-03-04T08:" + minute.ToString("00") + ":00Z\",\"nps\":" + nps + "}";
    }

    private static Engine OpenWithRules()
    {
        return Engine.Open(":memory:", new EngineOptions { Ruleset = Ruleset, RulesetOrigin = "t1.textproto" });
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part); i >= 0; i = text.IndexOf(part, i + 1)) ++n;
        return n;
    }

    private static string DecisionId(string decision)
    {
        const string key = "\"decision_id\":\"";
        int start = decision.IndexOf(key) + key.Length;
        return decision.Substring(start, decision.IndexOf('"', start) - start);
    }

    // ---------------------------------------------------------------------

    private static void TestVersion()
    {
        Check(Engine.Version.Split('.').Length == 3, "version " + Engine.Version);
        string[] v = Engine.Version.Split('.');
        Check(Engine.VersionNumber ==
              int.Parse(v[0]) * 1000000 + int.Parse(v[1]) * 1000 + int.Parse(v[2]), "version number");
        Check(Engine.StatusName(Status.Invalid).Length > 0, "status name");
        Check(Engine.StatusName(Status.Ok) != Engine.StatusName(Status.Parse), "status names differ");
    }

    private static void TestOpenAndDispose()
    {
        Engine engine = Engine.Open(":memory:");
        engine.Flush();
        engine.Dispose();
        engine.Dispose(); // twice: nothing happens
        Throws<ObjectDisposedException>(() => engine.Flush(), "flush after dispose");
        Throws<ObjectDisposedException>(() => engine.Record("{}"), "record after dispose");
        Throws<ObjectDisposedException>(() => engine.Summary("c1"), "summary after dispose");
        Throws<ObjectDisposedException>(() => engine.Decide("c1"), "decide after dispose");
        Throws<ObjectDisposedException>(() => engine.PollAlerts(), "poll after dispose");
        Throws<ObjectDisposedException>(() => engine.Resolve("phone", "+14155550100"), "resolve after dispose");
        Throws<ObjectDisposedException>(() => engine.Unlink("phone", "+14155550100"), "unlink after dispose");
        Throws<ObjectDisposedException>(() => engine.OnAlert(null), "on alert after dispose");
        Throws<ObjectDisposedException>(() => engine.Ingest(new byte[0], Format.Jsonl), "ingest after dispose");

        string dir = Path.Combine(Path.GetTempPath(), "motive-cs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string db = Path.Combine(dir, "é.db"); // a non-ASCII path, in UTF-8
            Fails(() => Engine.Open(db, new EngineOptions { CreateIfMissing = false }),
                  Status.NotFound, "", "missing database");
            using (Engine e = Engine.Open(db, new EngineOptions { Durability = Durability.Group, GroupCommitMs = 5 }))
            {
                RecordJourney(e, "c1");
                e.Flush();
                e.Snapshot();
            }
            Check(File.Exists(db) && File.Exists(db + "-snapshot"), "database and snapshot written");
            using (Engine e = Engine.Open(db, new EngineOptions { ReadOnly = true, IntegrityCheck = IntegrityCheck.Full }))
            {
                EngineStats st = e.Stats();
                Check(st.FromSnapshot && st.EventsReplayed == 0, "opened from the snapshot");
                Check(st.Customers == 1 && st.SnapshotNote == "", "stats customers " + st.Customers);
                Check(e.Summary("c1").Events == 4, "read-only engine reads");
                Fails(() => e.Record(JourneyEvent(0, "c2")), Status.Invalid, "read", "record read-only");
            }
            File.WriteAllText(Path.Combine(dir, "junk.db"), "this is not a database, not at all, no........");
            Fails(() => Engine.Open(Path.Combine(dir, "junk.db")), Status.Corrupt, "", "junk file");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        Fails(() => Engine.Open(":memory:", new EngineOptions { ContextConfig = "signals { window_days: " }),
              Status.Parse, "", "bad context config at open");
        Fails(() => Engine.Open(":memory:", new EngineOptions { Ruleset = "playbooks { name: \"p\" rules { action: \"nope\" } }" }),
              Status.Invalid, "ruleset:1:", "bad ruleset at open");
        Throws<ArgumentNullException>(() => Engine.Open(null), "null path");
    }

    private static void TestRecordAndTimeline()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            Check(engine.Record(JourneyEvent(1, "c1")), "stored");
            Check(!engine.Record(JourneyEvent(1, "c1")), "a duplicate is not stored");
            // Malformed JSON: a parse error that names the field.
            Fails(() => engine.Record("{\"customer_id\":\"c1\",\"sentiment\":\"very\"}"),
                  Status.Parse, "sentiment", "bad JSON value");
            Fails(() => engine.Record("{\"customer_id\": "), Status.Parse, "", "truncated JSON");
            // Valid JSON, invalid event: the field is named.
            Fails(() => engine.Record("{\"event_id\":\"x\",\"type\":\"contact\",\"channel\":\"voice\"," +
                                      "\"occurred_at\":\"2025-03-01T10:00:00Z\"}"),
                  Status.Invalid, "customer_id", "missing customer");
            Fails(() => engine.Record(new byte[] { 0xff, 0xff, 0xff }, Format.Protobuf),
                  Status.Parse, "", "bad protobuf");
            Fails(() => engine.Record(Encoding.UTF8.GetBytes("{}"), Format.Csv), Status.Invalid, "format", "bad format");
            Throws<ArgumentNullException>(() => engine.Record((string)null), "null json");

            // Unicode survives the round trip both ways.
            Check(engine.Record("{\"event_id\":\"u1\",\"customer_id\":\"c1\",\"type\":\"contact\"," +
                                "\"channel\":\"chat\",\"topic\":\"facturación ✓\"," +
                                "\"occurred_at\":\"2025-03-02T10:00:00Z\"}"), "unicode event");
            string timeline = engine.Timeline("c1");
            Contains(timeline, "facturación ✓", "unicode timeline");
            Check(timeline.IndexOf("c1-c1") < timeline.IndexOf("u1"), "event-time order");
            string limited = engine.Timeline("c1", limit: 1);
            Check(!limited.Contains("c1-c1") && limited.Contains("u1"), "limit keeps the latest");
            string before = engine.Timeline("c1", untilUs: March5Us - 3 * DayUs);
            Check(before.Contains("c1-c1") && !before.Contains("u1"), "until bound: " + before);
            Check(!engine.Timeline("nobody").Contains("event_id"), "unknown customer: empty timeline");
            Fails(() => engine.Timeline(""), Status.Invalid, "customer_id", "empty id");
        }
    }

    private static void TestIngest()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            string jsonl = JourneyEvent(0, "c1") + "\n" + JourneyEvent(1, "c1") + "\n" +
                           "{\"customer_id\": \"c1\", broken\n" + JourneyEvent(1, "c1") + "\n";
            List<string> rejects = new List<string>();
            IngestReport report = engine.Ingest(Encoding.UTF8.GetBytes(jsonl), Format.Jsonl,
                                                (record, field, message) => rejects.Add(record + ":" + message));
            Check(report.Accepted == 2 && report.Duplicates == 1 && report.Rejected == 1,
                  "ingest counts " + report.Accepted + "/" + report.Duplicates + "/" + report.Rejected);
            Check(rejects.Count == 1 && rejects[0].StartsWith("3:"), "reject line 3");
            report = engine.Ingest(Encoding.UTF8.GetBytes(JourneyEvent(2, "c1")), Format.Jsonl);
            Check(report.Accepted == 1, "ingest without a reject handler");
            Fails(() => engine.Ingest(new byte[1], Format.Auto), Status.Invalid, "format", "buffer needs a format");

            // A throwing handler: the ingest completes, then its exception surfaces.
            try
            {
                engine.Ingest(Encoding.UTF8.GetBytes("nope\n"), Format.Jsonl,
                              (r, f, m) => { throw new InvalidOperationException("from the handler"); });
                Check(false, "the handler's exception is rethrown");
            }
            catch (InvalidOperationException e)
            {
                Check(e.Message == "from the handler", "the handler's own exception");
            }
            engine.Flush(); // and the engine still works

            string file = Path.GetTempFileName() + ".jsonl";
            try
            {
                File.WriteAllText(file, JourneyEvent(3, "c1") + "\n");
                report = engine.IngestFile(file);
                Check(report.Accepted == 1 && report.Rejected == 0, "ingest file");
                Fails(() => engine.IngestFile(file + ".missing.jsonl"), Status.NotFound, "", "missing file");
            }
            finally
            {
                File.Delete(file);
            }
            Check(engine.Summary("c1").Events == 4, "all ingested");
        }
    }

    private static void TestRetention()
    {
        using (Engine engine = Engine.Open(":memory:"))
            Fails(() => engine.ApplyRetention(), Status.Invalid, "retention_days", "no retention period");
        // The journeys are of 2025: older than 30 days.
        using (Engine engine = Engine.Open(":memory:", new EngineOptions { RetentionDays = 30 }))
        {
            RecordJourney(engine, "zebulon");
            Check(engine.ApplyRetention() == 4, "four old events left");
            Check(engine.Summary("zebulon").Known == 0, "nothing of them stays");
            Check(engine.ApplyRetention() == 0, "nothing left to expire");
        }
    }

    private static void TestErase()
    {
        string dir = Path.Combine(Path.GetTempPath(), "motive-cs-erase-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string db = Path.Combine(dir, "j.db");
            using (Engine engine = Engine.Open(db))
            {
                RecordJourney(engine, "zebulon");
                RecordJourney(engine, "c2");
                engine.Snapshot();
                Check(engine.Erase("zebulon") == 4, "four events erased");
                Check(engine.Summary("zebulon").Known == 0, "forgotten");
                Check(engine.Summary("c2").Events == 4, "the others stay");
                Check(engine.Erase("zebulon") == 0, "nothing left to erase");
                Fails(() => engine.Erase(""), Status.Invalid, "customer_id", "empty id");
            }
            foreach (string file in Directory.GetFiles(dir))
                Check(!File.ReadAllText(file, System.Text.Encoding.GetEncoding("ISO-8859-1")).Contains("zebulon"),
                      "no trace in " + Path.GetFileName(file));
            using (Engine engine = Engine.Open(db, new EngineOptions { ReadOnly = true }))
                Fails(() => engine.Erase("c2"), Status.Invalid, "read-only", "read-only erase");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void TestSummary()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            RecordJourney(engine, "c1");
            ContextSummary s = engine.Summary("nobody", March5Us);
            Check(s.Known == 0 && s.Events == 0 && s.AsOfUs == March5Us, "unknown customer");
            Check(double.IsNaN(s.SentimentLast) && s.Csat == -1 && s.Nps == -1, "absent values");
            Check(s.LastContactTopic == "" && s.LastContactAgentId == "", "no last contact");

            s = engine.Summary("c1", March5Us);
            Check(s.StructSize == ContextSummary.Size, "struct_size");
            Check(s.Known == 1 && s.Events == 4 && s.AsOfUs == March5Us, "known");
            Check(s.FirstSeenUs == 1736510400L * 1000000 && s.LastSeenUs == 1741075200L * 1000000, "seen");
            Check(s.Contacts7d == 2 && s.Contacts30d == 2 && s.Contacts90d == 2, "contacts");
            Check(s.Contacts7dByChannel[(int)Channel.Voice] == 1 &&
                  s.Contacts7dByChannel[(int)Channel.Chat] == 1 &&
                  s.Contacts90dByChannel[(int)Channel.Web] == 0, "by channel");
            Check(s.LastContactChannel == (int)Channel.Chat && s.LastContactUs == 1740992400L * 1000000, "last contact");
            Check(s.LastContactTopic == "billing" && s.LastContactAgentId == "a9", "last contact strings");
            Check(s.LastContactOutcome == 1 && s.LastContactRepeat == 1 && s.LastContactTransfers == 0, "outcome");
            Check(Near(s.LastContactSentiment, 0.2), "last sentiment");
            Check(s.WindowDays == 90 && s.RepeatContacts == 1 && s.Transfers == 2 && s.HoldMs == 30000, "window");
            Check(s.OpenIssues == 0 && s.Strikes == 2 && s.AtRisk == 0, "strikes");
            Check(s.Stage != 0 && s.Moments[5] == 2, "journey");
            Check(Near(s.SentimentLast, 0.2) && Near(s.SentimentAverage, -0.2) && !double.IsNaN(s.SentimentTrend), "sentiment");
            Check(s.Purchases == 1 && Near(s.LifetimeValue, 100) && s.DaysSincePurchase == 53 &&
                  s.LastPurchaseUs == 1736510400L * 1000000, "commerce");
            Check(s.Nps == 3 && s.NpsCategory == 1 && s.Csat == -1, "voice of the customer");
            // The last fields: the layout matches the C struct to its end.
            Check(Near(s.ChurnFactors[0], 0.35 * 2 / 3) && Near(s.ChurnFactors[1], 0.05) &&
                  Near(s.ChurnFactors[2], 0.15) && Near(s.ChurnFactors[3], 0.03) &&
                  s.ChurnFactors[4] == 0 && s.ChurnFactors[5] == 0, "churn factors");
            Check(Near(s.ChurnRisk, 0.35 * 2 / 3 + 0.05 + 0.15 + 0.03), "churn risk");

            s = engine.Summary("c1", March5Us - 3 * DayUs);
            Check(s.Events == 2 && s.LastContactChannel == (int)Channel.Voice, "as of the past");
            Check(engine.Summary("c1").Events == 4, "now");
            Fails(() => engine.Summary(""), Status.Invalid, "customer_id", "empty id");
            Fails(() => engine.Summary(null), Status.Invalid, "customer_id", "null id");

            ContextSummary[] many = engine.Summaries(new[] { "c1", "nobody", "c1" }, March5Us);
            Check(many.Length == 3 && many[0].Events == 4 && many[0].Strikes == 2 &&
                  many[1].Known == 0 && many[2].LastContactTopic == "billing", "summaries");
            Check(engine.Summaries(new string[0]).Length == 0, "no summaries");
            Fails(() => engine.Summaries(new[] { "c1", "" }), Status.Invalid, "customer 1",
                  "summaries with an empty id");
        }
    }

    private static void TestContextAndConfig()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            RecordJourney(engine, "c1");
            string context = engine.Context("c1", March5Us);
            Contains(context, "\"plan\":\"gold\"", "attributes");
            Contains(context, "billing", "context");
            Contains(context, "\"strike_events\":[{\"event_id\"", "the strikes listed");
            Contains(context, "\"causes\":[\"STRIKE_", "what caused each strike");
            Contains(engine.Context("nobody"), "{", "unknown customer's context");
            Fails(() => engine.Context(""), Status.Invalid, "customer_id", "empty id");

            engine.LoadContextConfig(
                "metrics { name: \"voice_30d\" aggregation: COUNT window: \"30d\"\n" +
                "  filter: \"event.channel == 'voice'\" }\n");
            Contains(engine.Context("c1", March5Us), "voice_30d", "a user-defined metric");
            Fails(() => engine.LoadContextConfig("metrics {"), Status.Parse, "", "config syntax");
            Fails(() => engine.LoadContextConfig("metrics { name: \"m\" aggregation: COUNT window: \"30d\" filter: \"nope(\" }"),
                  Status.Parse, "", "config filter");
            Fails(() => engine.Snapshot(), Status.Invalid, "", "no snapshot for :memory:");
            Check(engine.Stats().Customers == 1, "stats");
        }
    }

    private static void TestExpressions()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            Check(engine.CheckExpression("customer.strikes >= 2") == "bool", "check type");
            Fails(() => engine.CheckExpression("customer.strikes >="), Status.Parse, "", "syntax");
            Fails(() => engine.CheckExpression("shopper.tier == 'gold'"), Status.Invalid, "shopper", "unknown name");
        }
        Check(Engine.Eval("1 + 2") == "3", "eval");
        Check(Engine.Eval("tier == 'gold' && n > 2",
                          new Dictionary<string, string> { { "tier", "'gold'" }, { "n", "3" } }) == "true",
              "eval with variables");
        Fails(() => Engine.Eval("1 / 0"), Status.Invalid, "division by zero", "eval error");
        Fails(() => Engine.Eval("1 +"), Status.Parse, "", "eval syntax");
    }

    private static void TestRulesAndDecide()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            Fails(() => engine.Decide("c1"), Status.Invalid, "no ruleset", "decide without rules");
            Fails(() => engine.LoadRules("actions {\n  id: \"a\"\n  title: \n}\n", "r.textproto"),
                  Status.Parse, "r.textproto:4:1:", "ruleset syntax");
            Fails(() => engine.LoadRules("actions { id: \"a\" }\nplaybooks { name: \"p\"\n  rules { action: \"nope\" } }\n",
                                         "r.textproto"),
                  Status.Invalid, "playbooks[0].rules[0].action", "unknown action");
            Fails(() => engine.Decide("c1"), Status.Invalid, "no ruleset", "a failed load loads nothing");
            Fails(() => engine.CheckRules("playbooks { name: \"p\" rules { action: \"x\" } }", "c.textproto"),
                  Status.Invalid, "c.textproto:1:", "check an unknown action");
            engine.CheckRules(Ruleset);
            Fails(() => engine.Decide("c1"), Status.Invalid, "no ruleset", "a check loads nothing");
            engine.LoadRules(Ruleset, "t1.textproto");
            Contains(engine.Decide("c1"), "\"ruleset_version\":\"t1\"", "loaded");
            engine.LoadRules("{\"version\": \"j1\", \"actions\": [{\"id\": \"a\"}]}", "r.json");
            Contains(engine.Decide("c1"), "\"ruleset_version\":\"j1\"", "JSON ruleset");
            Throws<ArgumentNullException>(() => engine.LoadRules(null), "null rules");
        }
        using (Engine engine = OpenWithRules())
        {
            RecordJourney(engine, "c1");
            string d = engine.Decide("c1", Channel.Voice, "billing", timeUs: March5Us);
            Contains(d, "\"customer_id\":\"c1\"", "decision customer");
            Contains(d, "\"time\":\"2025-03-05T00:00:00Z\"", "decision time");
            Contains(d, "\"script\":\"Sorry, there.\"", "script");
            Contains(d, "2 bad experiences", "reason");
            Check(d.IndexOf("\"action\":\"apology\"") >= 0 &&
                  d.IndexOf("\"action\":\"apology\"") < d.IndexOf("\"action\":\"survey\""), "ranking");
            Contains(d, "\"stage\":\"suitability\"", "trace");
            Check(engine.Decide("c1", Channel.Voice, "billing", timeUs: March5Us) == d, "deterministic");
            Check(!engine.Decide("c1", Channel.Voice, "billing", Direction.Outbound, timeUs: March5Us)
                        .Contains("billing_call"), "outbound");
            Contains(engine.Decide("c1", Channel.Voice, "billing", agentId: "a1", timeUs: March5Us, maxResults: 1),
                     "\"stage\":\"max_results\"", "max results");
            Fails(() => engine.Decide(""), Status.Invalid, "customer_id", "empty id");
            Fails(() => engine.Decide("c1", (Channel)99), Status.Invalid, "channel", "bad channel");
            Fails(() => engine.Decide("c1", direction: (Direction)7), Status.Invalid, "direction", "bad direction");
        }
    }

    private static void TestJourneys()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            RecordJourney(engine, "c1");
            Contains(engine.JourneySvg("c1"), "Journey of c1: 4 events", "journey picture");
            Contains(engine.Journeys(), "\"customers\":\"1\"", "journey figures");
            Contains(engine.Journeys(svg: true), "Journey map: 1 customers", "journey map picture");
            Fails(() => engine.JourneySvg(""), Status.Invalid, "customer_id", "journey of no one");

            // A segment: c2 has one event, so only c1 is in it.
            Check(engine.Record("{\"event_id\":\"c2-p\",\"customer_id\":\"c2\",\"type\":\"purchase\"," +
                                "\"channel\":\"web\",\"occurred_at\":\"2025-01-10T12:00:00Z\"}"),
                  "second customer stored");
            Contains(engine.Journeys(), "\"customers\":\"2\"", "journey figures of two");
            Contains(engine.Journeys(segment: "customer.events >= 2"), "\"customers\":\"1\"",
                     "journey figures of a segment");
            Contains(engine.Journeys(svg: true, segment: "customer.events >= 2"),
                     "Journey map (segment customer.events &gt;= 2): 1 customers", "segment's picture");
            Fails(() => engine.Journeys(segment: "customer.strikes >= 'two'"), Status.Invalid, "segment: line 1, column",
                  "ill-typed segment");
            Fails(() => engine.Journeys(segment: "customer.strikes >="), Status.Parse, "segment",
                  "segment that does not parse");
        }
    }

    private static void TestWhatIf()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            RecordJourney(engine, "c1");
            // The first billing contact gets the upgrade, the second (after
            // the unresolved call) the apology.
            string report = engine.WhatIf(Ruleset, origin: "t1.textproto");
            Contains(report, "\"decisions\":\"2\"", "what-if decisions");
            Contains(report, "\"apology\":\"1\"", "what-if apology gained");
            string same = engine.WhatIf(Ruleset, Ruleset);
            Check(!same.Contains("\"changed\""), "a ruleset against itself changes nothing: " + same);
            Fails(() => engine.WhatIf("playbooks {", origin: "new.textproto"), Status.Parse,
                  "new.textproto", "what-if of a broken ruleset");
        }
    }

    private static void TestFeedback()
    {
        using (Engine engine = OpenWithRules())
        {
            string d = engine.Decide("c5", Channel.Voice, "billing", timeUs: March5Us);
            Contains(d, "\"action\":\"upgrade\"", "upgrade offered");
            string id = DecisionId(d);
            Check(id.Length > 0, "decision id");
            Fails(() => engine.Feedback("", id, "upgrade", FeedbackOutcome.Offered), Status.Invalid, "customer_id", "empty id");
            Fails(() => engine.Feedback("c5", "", "upgrade", FeedbackOutcome.Offered), Status.Invalid, "decision_id", "empty decision");
            Fails(() => engine.Feedback("c5", id, "upgrade", (FeedbackOutcome)9), Status.Invalid, "outcome", "bad outcome");
            Fails(() => engine.Feedback("c5", id, "upgrade", FeedbackOutcome.Offered, (Channel)12),
                  Status.Invalid, "channel", "bad channel");
            engine.Feedback("c5", id, "upgrade", FeedbackOutcome.Offered, Channel.Voice, March5Us + 60000000);
            engine.Feedback("c5", id, "upgrade", FeedbackOutcome.Offered, Channel.Voice, March5Us + 60000000);
            engine.Feedback("c5", id, "upgrade", FeedbackOutcome.Accepted, Channel.Voice, March5Us + 120000000);
            Contains(engine.Decide("c5", Channel.Voice, "billing", timeUs: March5Us + DayUs),
                     "\"stage\":\"cap\"", "capped after the offer");
            Check(!engine.Decide("c5", Channel.Voice, "billing", timeUs: March5Us + 31 * DayUs)
                        .Contains("\"stage\":\"cap\""), "offered again after the window");
            Contains(engine.Timeline("c5"), "accepted", "feedback in the log");
        }
    }

    private static void TestAlerts()
    {
        using (Engine engine = OpenWithRules())
        {
            Check(CountOf(engine.PollAlerts(), "\"raised_at\"") == 0, "no alerts yet");
            engine.Record(Survey("s1", "c1", 0, 3));
            string alerts = engine.PollAlerts();
            Check(CountOf(alerts, "\"raised_at\"") == 1, "one alert");
            Contains(alerts, "\"playbook\":\"detractor\"", "alert playbook");
            Contains(alerts, "NPS 3", "alert reason");
            Check(CountOf(engine.PollAlerts(), "\"raised_at\"") == 0, "taken once");
            engine.Record(Survey("s3", "c1", 1, 9));
            engine.Record(Survey("s4", "c1", 2, 1));
            engine.Record(Survey("s5", "c2", 3, 0));
            Contains(engine.PollAlerts(1), "\"customer_id\":\"c1\"", "oldest first");
            Contains(engine.PollAlerts(1), "\"customer_id\":\"c2\"", "then the next");

            // The callback: those waiting at once, then each as raised.
            engine.Record(Survey("s6", "c3", 4, 4));
            List<string> received = new List<string>();
            engine.OnAlert(a => received.Add(a));
            Check(received.Count == 1 && received[0].Contains("\"c3\""), "waiting alert delivered");
            engine.Record(Survey("s7", "c4", 5, 5));
            Check(received.Count == 2 && received[1].Contains("\"c4\""), "alert delivered on record");
            Check(CountOf(engine.PollAlerts(), "\"raised_at\"") == 0, "nothing queued meanwhile");

            // The delegate survives collections: only the GCHandle holds it.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            engine.Record(Survey("s8", "c5", 6, 2));
            Check(received.Count == 3, "delivered after a collection");

            // A throwing handler: the event is stored, the exception surfaces.
            engine.OnAlert(a => { throw new InvalidOperationException("boom " + a.Length); });
            try
            {
                engine.Record(Survey("s9", "c6", 7, 1));
                Check(false, "the handler's exception is rethrown");
            }
            catch (InvalidOperationException e)
            {
                Check(e.Message.StartsWith("boom"), "the handler's own exception");
            }
            Check(engine.Summary("c6").Events == 1, "the event was stored anyway");
            engine.Record(Survey("s10", "c7", 8, 9)); // no alert: nothing thrown

            // Unregistered: alerts queue again.
            engine.OnAlert(null);
            engine.Record(Survey("s11", "c8", 9, 6));
            Check(received.Count == 3, "no delivery after unregistering");
            Contains(engine.PollAlerts(), "\"customer_id\":\"c8\"", "queued again");
            EngineStats st = engine.Stats();
            Check(st.AlertsRaised == 8 && st.AlertsQueued == 0 && st.AlertsDropped == 0,
                  "alert stats " + st.AlertsRaised + "/" + st.AlertsQueued);

            // Replacing handlers many times releases each one's GCHandle
            // (a leak would not fail here, but a double free would crash).
            for (int i = 0; i < 100; ++i) engine.OnAlert(a => received.Add(a));
            engine.Record(Survey("s12", "c9", 10, 0));
            Check(received.Count == 4, "the last handler only");
            // Still registered at dispose: released by mot_engine_close.
        }
        // Delivery on other threads: Record from several at once.
        using (Engine engine = OpenWithRules())
        {
            int count = 0;
            engine.OnAlert(a => Interlocked.Increment(ref count));
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.Length; ++t)
            {
                int n = t;
                threads[t] = new Thread(() =>
                {
                    for (int i = 0; i < 10; ++i)
                        engine.Record(Survey("t" + n + "-" + i, "x" + n + "-" + i, i, 2));
                });
                threads[t].Start();
            }
            foreach (Thread t in threads) t.Join();
            Check(count == 40, "alerts from four threads: " + count);
        }
    }

    // A contact known only by its identifiers, as events from a phone
    // system or a chat widget come.
    private static string Contact(string eventId, string day, string channel, params Identity[] ids)
    {
        StringBuilder json = new StringBuilder();
        json.Append("{\"event_id\":\"" + eventId + "\",\"type\":\"contact\",\"channel\":\"" + channel +
                    "\",\"topic\":\"billing\",\"outcome\":\"unresolved\",\"occurred_at\":\"2025-03-0" + day +
                    "T10:00:00Z\",\"identifiers\":[");
        for (int i = 0; i < ids.Length; ++i)
        {
            if (i > 0) json.Append(',');
            json.Append("{\"namespace\":\"" + ids[i].Namespace + "\",\"value\":\"" + ids[i].Value + "\"}");
        }
        return json.Append("]}").ToString();
    }

    private static void TestIdentities()
    {
        Identity phone = new Identity("phone", "+1 415 555 0100");
        Identity email = new Identity("email", "Ana@Example.com");
        EngineOptions options = new EngineOptions
        {
            Ruleset = Ruleset,
            IdentityConfig = "default_region: \"US\" max_profiles: 2",
        };
        using (Engine engine = Engine.Open(":memory:", options))
        {
            Check(engine.Record(Contact("i1", "1", "voice", new Identity("phone", "(415) 555-0100"))), "call stored");
            Check(engine.Record(Contact("i2", "2", "chat", email, new Identity("phone", "+14155550100"))), "chat stored");
            string ana = engine.Resolve(phone);
            Check(ana.StartsWith("~") && ana.Length == 17, "derived id " + ana);
            Check(engine.Resolve("email", " ana@example.COM") == ana, "email normalized and resolved");
            Check(engine.Resolve("phone", "415-555-0100") == ana, "national number in the default region");
            Fails(() => engine.Resolve("phone", "+19995550100"), Status.NotFound, "belongs to no profile", "unknown phone");
            Throws<ArgumentNullException>(() => engine.Resolve(null, "x"), "null namespace");
            Throws<ArgumentNullException>(() => engine.Resolve(default(Identity)), "default identity");

            // Every call that takes a customer id takes an identity.
            Check(engine.Summary(phone).Events == 2 && engine.Summary(ana).Events == 2, "summary by identity");
            Contains(engine.Context(email), "\"customer_id\":\"" + ana + "\"", "context by identity");
            Check(CountOf(engine.Timeline(email), "\"event_id\"") == 2, "timeline by identity");
            string d = engine.Decide(phone, Channel.Voice, "billing", timeUs: March5Us);
            Contains(d, "\"customer_id\":\"" + ana + "\"", "decision by identity");
            Fails(() => engine.Summary(new Identity("phone", "+19995550100")), Status.NotFound, "", "summary of nobody");

            // The profile.
            string profile = engine.Profile(email);
            Contains(profile, "\"customer_id\":\"" + ana + "\"", "profile id");
            Contains(profile, "+14155550100", "normalized phone in the profile");
            Contains(profile, "ana@example.com", "normalized email in the profile");
            Check(profile == engine.Profile(ana), "profile by id and by identity");

            // Linked by hand to a CRM id, which then names the customer.
            Check(engine.Record("{\"event_id\":\"i3\",\"customer_id\":\"crm-7\",\"type\":\"contact\"," +
                                "\"channel\":\"email\",\"occurred_at\":\"2025-03-03T10:00:00Z\"}"), "case stored");
            engine.Link("crm-7", email);
            Check(engine.Resolve(phone) == "crm-7", "merged under the CRM id");
            Check(engine.Summary("crm-7").Events == 3 && engine.Summary(ana).Events == 3, "one customer, any id");
            // (Feedback for a customer known only by a derived id is refused
            // by motive 0.6.0, an engine bug: here it has the CRM id.)
            d = engine.Decide(phone, Channel.Voice, "billing", timeUs: March5Us);
            Contains(d, "\"customer_id\":\"crm-7\"", "decision for the CRM id");
            engine.Feedback(email, DecisionId(d), "apology", FeedbackOutcome.Accepted, Channel.Voice, March5Us + 60000000);
            Contains(engine.Timeline("crm-7"), "accepted", "feedback by identity");
            profile = engine.Profile("crm-7");
            Contains(profile, "identity.merge", "the merge is in the profile");
            Contains(profile, ana, "the derived id is merged in");
            Fails(() => engine.Link("crm-7"), Status.Invalid, "", "nothing to link");
            Fails(() => engine.Link("crm-7", new Identity("Bad Namespace", "x")), Status.Invalid, "namespace", "bad namespace");
            Throws<ArgumentException>(() => engine.Link("crm-7", default(Identity)), "default identity in link");

            // Unlinked, the email ties nothing: ambiguous, and the phone's
            // customer splits from the CRM id.
            engine.Unlink(email);
            Check(engine.Resolve(phone) != "crm-7", "split from the CRM id");
            try
            {
                engine.Resolve(email);
                Check(false, "an unlinked email resolves");
            }
            catch (MotiveException e)
            {
                Check(e.Code == Status.Ambiguous, "unlinked email: " + e.Code);
                Contains(e.Message, "unlinked", "unlinked email explained");
            }
            Check(Engine.StatusName(Status.Ambiguous).Length > 0, "ambiguous has a name");
            engine.Link(null, email, phone);
            Check(engine.Resolve(email) == engine.Resolve(phone), "linked to each other again");

            // Erased by identity: the whole customer goes.
            Check(engine.Erase(phone) >= 3, "erased by identity");
            Fails(() => engine.Resolve(email), Status.NotFound, "", "no identifier left");
        }
        Fails(() => Engine.Open(":memory:", new EngineOptions { IdentityConfig = "default_region: \"XX\"" }),
              Status.Invalid, "default_region", "bad region");
        Fails(() => Engine.Open(":memory:", new EngineOptions { IdentityConfig = "max_profiles: " }),
              Status.Parse, "identity_config", "identity config that does not parse");
    }

    private static void TestSharedIdentifier()
    {
        // A switchboard number seen with more than max_profiles customers is
        // shared: it merges nothing and resolves to no one.
        using (Engine engine = Engine.Open(":memory:", new EngineOptions { IdentityConfig = "max_profiles: 2" }))
        {
            Identity board = new Identity("phone", "+14155550000");
            for (int i = 1; i <= 3; ++i)
                engine.Record(Contact("s" + i, i.ToString(), "voice", board, new Identity("email", "u" + i + "@example.com")));
            Fails(() => engine.Resolve(board), Status.Ambiguous, "shared", "shared number");
            Check(engine.Resolve("email", "u1@example.com") != engine.Resolve("email", "u2@example.com"),
                  "the shared number merged no one");
            Contains(engine.Profile(new Identity("email", "u1@example.com")), "\"shared\":true", "flagged shared");
        }
    }

    private static void TestFinalizer()
    {
        // An engine never disposed is closed by the SafeHandle's finalizer,
        // its alert handler's GCHandle released then.
        for (int i = 0; i < 3; ++i)
        {
            Engine engine = OpenWithRules();
            engine.OnAlert(a => { });
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Check(true, "finalized");
    }

    // An Amazon Connect contact record of contact c-1, last updated at `updated`.
    private static string Ctr(string contactId, string updated, string agent)
    {
        return "{\"ContactId\": \"" + contactId + "\", \"Channel\": \"VOICE\", " +
               "\"InitiationTimestamp\": \"2026-01-01T10:00:00Z\", " +
               "\"LastUpdateTimestamp\": \"" + updated + "\", " +
               "\"DisconnectTimestamp\": \"2026-01-01T10:10:00Z\", " +
               "\"CustomerEndpoint\": {\"Address\": \"+14155550100\", \"Type\": \"TELEPHONE_NUMBER\"}, " +
               "\"Agent\": " + (agent == null ? "null" : "{\"Username\": \"" + agent + "\"}") + "}";
    }

    private static void TestImport()
    {
        Check(Engine.FormatFromName("Connect-CTR") == Format.ConnectCtr, "format from its name");
        Check(Engine.FormatFromName("auto") == Format.PlatformAuto, "auto is the platforms'");
        Fails(() => Engine.FormatFromName("five9"), Status.Invalid, "connect-ctr", "unknown platform");
        using (Engine engine = Engine.Open(":memory:"))
        {
            string ctrs = Ctr("c-1", "2026-01-01T10:20:00Z", null) + "\n" +
                          Ctr("c-1", "2026-01-01T11:00:00Z", "jdoe") + "\n" +
                          Ctr("c-2", "2026-01-02T10:00:00Z", null).Replace("10:00:00Z\", \"Last", "soon\", \"Last") + "\n";
            List<string> rejects = new List<string>();
            IngestReport report = engine.ImportBuffer(Encoding.UTF8.GetBytes(ctrs), Format.ConnectCtr, null,
                                                      (record, field, message) => rejects.Add(record + ":" + field));
            Check(report.Records == 3 && report.Accepted == 2 && report.Updated == 1 && report.Rejected == 1,
                  "import counts " + report.Records + "/" + report.Accepted + "/" + report.Updated + "/" + report.Rejected);
            Check(report.ProfilesCreated == 1 && report.ProfilesMerged == 0, "one profile created");
            IngestReport worker = engine.ImportBuffer(
                Encoding.UTF8.GetBytes("{\"EventType\": \"worker.activity.update\", \"WorkspaceSid\": \"WS1\", " +
                                       "\"Timestamp\": \"1714557600\", \"WorkerSid\": \"WK1\"}\n"),
                Format.TwilioTaskRouter, null, null);
            Check(worker.Records == 1 && worker.Skipped == 1 && worker.Rejected == 0,
                  "a worker's event is skipped: " + worker.Records + "/" + worker.Skipped + "/" + worker.Rejected);
            Check(rejects.Count == 1 && rejects[0] == "3:InitiationTimestamp", "rejected at its field: " + string.Join(",", rejects));
            Check(engine.Summary(new Identity("phone", "+14155550100")).Events == 1, "one contact, its latest version");
            Check(engine.Timeline(new Identity("phone", "+14155550100")).Contains("jdoe"), "the later version wins");

            // Again, as a file, found from its first record: duplicates only.
            string file = Path.GetTempFileName() + ".json";
            try
            {
                File.WriteAllText(file, ctrs);
                report = engine.ImportFile(file, Format.PlatformAuto, new ImportOptions { Timezone = "Europe/Lisbon" });
                Check(report.Accepted == 0 && report.Duplicates == 2 && report.Rejected == 1, "import again: duplicates");
                report = engine.IngestFile(file, Format.ConnectCtr);
                Check(report.Duplicates == 2, "IngestFile takes a platform's format too");
                Fails(() => engine.ImportFile(file, Format.ConnectCtr, new ImportOptions { Timezone = "Not/AZone" }),
                      Status.Invalid, "timezone", "a bad time zone");
            }
            finally
            {
                File.Delete(file);
            }

            // A call analysis names its contact only in its file name.
            string lens = "{\"Version\": \"VOICE-2022-11-30\", \"Channel\": \"VOICE\", \"JobStatus\": \"COMPLETED\", " +
                          "\"ConversationCharacteristics\": {\"Sentiment\": {\"OverallSentiment\": {\"CUSTOMER\": -4}}}}";
            report = engine.ImportBuffer(Encoding.UTF8.GetBytes(lens), Format.ContactLens,
                                         new ImportOptions { SourceName = "c-1_analysis_2026-01-01T10:30:00Z.json" });
            Check(report.Accepted == 1 && report.Updated == 1, "the analysis enriches c-1");
            Check(engine.Summary(new Identity("phone", "+14155550100")).Events == 1, "still one contact");

            // Zendesk's ticket table: times without an offset, read in a zone.
            string tickets = "id,created_at,updated_at,status,subject,requester_id,via_channel\n" +
                             "4711,2026-03-02 10:05:00,2026-03-02 10:40:00,open,Charged twice,38121,email\n";
            report = engine.ImportBuffer(Encoding.UTF8.GetBytes(tickets), Format.ZendeskTicket,
                                         new ImportOptions { Timezone = "America/Los_Angeles" });
            Check(report.Records == 1 && report.Accepted == 1 && report.ProfilesCreated == 1, "a ticket imported");
            Check(engine.Timeline(new Identity("zendesk_user", "38121")).Contains("2026-03-02T18:05:00Z"),
                  "its naive time read in the zone");
        }
    }

    private static void TestClusterUnreachable()
    {
        // Nothing listens on port 1.
        const string server = "nats://127.0.0.1:1";
        string dir = Path.Combine(Path.GetTempPath(), "motive-cs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Fails(() => Engine.Open(Path.Combine(dir, "a.db"),
                                    new EngineOptions { ClusterServers = server, ClusterOpenTimeoutMs = 500 }),
                  Status.Unreachable, server, "open with an unreachable cluster");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        Check(Engine.StatusName(Status.Unreachable) == "cluster unreachable",
              "status name " + Engine.StatusName(Status.Unreachable));
        // The partition function is a contract with routers: fixed values.
        Check(Engine.PartitionOf("ana") == 5, "partition of ana");
        Check(Engine.PartitionOf("c1", 16) == 9, "partition of c1 of 16");
        Fails(() => Engine.Open(":memory:",
                                new EngineOptions { ClusterServers = server, ClusterHeldPartitions = "0-3,300" }),
              Status.Invalid, "300", "a partition beyond the partitions");
    }

    private static void TestStatsWithoutCluster()
    {
        using (Engine engine = Engine.Open(":memory:"))
        {
            Check(engine.Record(JourneyEvent(0, "c1")), "event stored");
            EngineStats st = engine.Stats();
            Check(!st.ClusterConnected && st.ClusterLastContactUs == 0 && st.ClusterApplied == 0 &&
                  st.ClusterLag == 0,
                  "no cluster link: " + st.ClusterConnected + " " + st.ClusterLastContactUs + " " +
                  st.ClusterApplied + " " + st.ClusterLag);
            // The fields before the link still line up.
            Check(st.Customers == 1 && st.DamagedEvents == 0 && st.FirstDamagedSeq == 0,
                  "stats customers " + st.Customers);
        }
    }

    public static int Main()
    {
        Action[] tests =
        {
            TestVersion, TestOpenAndDispose, TestRecordAndTimeline, TestIngest, TestSummary, TestErase, TestRetention,
            TestContextAndConfig, TestExpressions, TestRulesAndDecide, TestFeedback, TestAlerts,
            TestIdentities, TestSharedIdentifier, TestImport, TestClusterUnreachable, TestStatsWithoutCluster,
            TestWhatIf, TestJourneys,
            TestFinalizer,
        };
        foreach (Action test in tests)
        {
            try
            {
                test();
            }
            catch (Exception e)
            {
                ++failures;
                Console.Error.WriteLine("FAILED: " + test.Method.Name + " threw " + e);
            }
        }
        Console.WriteLine((failures == 0 ? "PASSED " : "FAILED ") + checks + " checks, " + failures + " failures");
        return failures == 0 ? 0 : 1;
    }
}
