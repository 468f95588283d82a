using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Motive
{
    /// <summary>
    /// An open mot_engine. Releasing it closes the engine (mot_engine_close),
    /// which syncs what group commit has not synced and releases the alert
    /// callback's state.
    /// </summary>
    public sealed class EngineHandle : SafeHandle
    {
        public EngineHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        protected override bool ReleaseHandle()
        {
            Native.mot_engine_close(handle);
            return true;
        }
    }

    /// <summary>
    /// A motive engine over its database: records events, answers a
    /// customer's context and decides the next-best actions. Thread-safe, as
    /// the C engine is; dispose of it (or use <c>using</c>) to close it.
    /// Every failure throws a <see cref="MotiveException"/>; a disposed
    /// engine throws <see cref="ObjectDisposedException"/>. Payloads in and
    /// out are JSON in protobuf's JSON mapping of the motive.v1 messages.
    /// </summary>
    public sealed class Engine : IDisposable
    {
        private readonly EngineHandle handle;

        private Engine(EngineHandle handle)
        {
            this.handle = handle;
        }

        /// <summary>The library's version, "MAJOR.MINOR.PATCH".</summary>
        public static string Version { get { return Utf8.FromNative(Native.mot_version()); } }

        /// <summary>MAJOR * 1000000 + MINOR * 1000 + PATCH.</summary>
        public static int VersionNumber { get { return Native.mot_version_number(); } }

        /// <summary>
        /// The cluster partition of a customer's events (FNV-1a 64 of the id,
        /// modulo <paramref name="partitions"/>): which node to ask when nodes
        /// hold some partitions each (EngineOptions.ClusterHeldPartitions).
        /// </summary>
        public static uint PartitionOf(string customerId, uint partitions = 256)
        {
            uint partition;
            MotiveException.Check(Native.mot_cluster_partition(out partition, Utf8.ToNative(customerId), partitions));
            return partition;
        }

        /// <summary>A short name for a status ("invalid argument").</summary>
        public static string StatusName(Status code)
        {
            return Utf8.FromNative(Native.mot_strerror((int)code));
        }

        /// <summary>
        /// Opens (or creates) the database at <paramref name="path"/>, or an
        /// in-memory one for ":memory:".
        /// </summary>
        public static Engine Open(string path, EngineOptions options = null)
        {
            if (path == null) throw new ArgumentNullException("path");
            NativeEngineOptions opts = default(NativeEngineOptions);
            MotiveException.Check(Native.mot_engine_options_init(
                ref opts, (uint)Marshal.SizeOf(typeof(NativeEngineOptions))));
            using (NativeStrings strings = new NativeStrings())
            {
                if (options != null)
                {
                    if (options.Durability.HasValue) opts.Durability = (int)options.Durability.Value;
                    if (options.GroupCommitMs.HasValue) opts.GroupCommitMs = options.GroupCommitMs.Value;
                    if (options.IntegrityCheck.HasValue) opts.IntegrityCheck = (int)options.IntegrityCheck.Value;
                    if (options.CreateIfMissing.HasValue) opts.CreateIfMissing = options.CreateIfMissing.Value ? 1 : 0;
                    if (options.ReadOnly.HasValue) opts.ReadOnly = options.ReadOnly.Value ? 1 : 0;
                    opts.JourneyMap = strings.Add(options.JourneyMap);
                    opts.ContextConfig = strings.Add(options.ContextConfig);
                    opts.SnapshotPath = strings.Add(options.SnapshotPath);
                    opts.Ruleset = strings.Add(options.Ruleset);
                    opts.RulesetOrigin = strings.Add(options.RulesetOrigin);
                    if (options.RetentionDays.HasValue) opts.RetentionDays = options.RetentionDays.Value;
                    opts.IdentityConfig = strings.Add(options.IdentityConfig);
                    opts.ClusterServers = strings.Add(options.ClusterServers);
                    opts.ClusterTenant = strings.Add(options.ClusterTenant);
                    if (options.ClusterPartitions.HasValue) opts.ClusterPartitions = options.ClusterPartitions.Value;
                    if (options.ClusterStreams.HasValue) opts.ClusterStreams = options.ClusterStreams.Value;
                    if (options.ClusterReplicas.HasValue) opts.ClusterReplicas = options.ClusterReplicas.Value;
                    if (options.ClusterWriteTimeoutMs.HasValue) opts.ClusterWriteTimeoutMs = options.ClusterWriteTimeoutMs.Value;
                    if (options.ClusterOpenTimeoutMs.HasValue) opts.ClusterOpenTimeoutMs = options.ClusterOpenTimeoutMs.Value;
                    opts.ClusterCredentials = strings.Add(options.ClusterCredentials);
                    opts.ClusterTlsCa = strings.Add(options.ClusterTlsCa);
                    opts.ClusterTlsCert = strings.Add(options.ClusterTlsCert);
                    opts.ClusterTlsKey = strings.Add(options.ClusterTlsKey);
                    opts.ClusterHeldPartitions = strings.Add(options.ClusterHeldPartitions);
                }
                EngineHandle h;
                int status = Native.mot_engine_open(out h, Utf8.ToNative(path), ref opts);
                if (status != 0)
                {
                    h.Dispose();
                    throw MotiveException.FromStatus(status);
                }
                return new Engine(h);
            }
        }

        /// <summary>Closes the engine. Calling it again does nothing.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }

        private EngineHandle Handle
        {
            get
            {
                if (handle.IsClosed) throw new ObjectDisposedException("Motive.Engine");
                return handle;
            }
        }

        /// <summary>Makes every event recorded so far durable now.</summary>
        public void Flush()
        {
            MotiveException.Check(Native.mot_engine_flush(Handle));
        }

        /// <summary>
        /// Records one motive.v1.Event given as JSON. Returns true when it was
        /// appended, false when its event_id was already in the log.
        /// </summary>
        public bool Record(string json)
        {
            if (json == null) throw new ArgumentNullException("json");
            return Record(System.Text.Encoding.UTF8.GetBytes(json), Format.Json);
        }

        /// <summary>Records one event in Format.Json or Format.Protobuf.</summary>
        public bool Record(byte[] data, Format format)
        {
            if (data == null) throw new ArgumentNullException("data");
            int stored;
            int status = Native.mot_event_record(out stored, Handle, (int)format, data,
                                                 (UIntPtr)data.Length);
            Callbacks.RethrowPending();
            MotiveException.Check(status);
            return stored == 1;
        }

        /// <summary>
        /// Ingests a batch from memory (JSONL, CSV, an EventBatch in JSON or
        /// protobuf). Rejected records are skipped, counted in the report and
        /// given to <paramref name="onReject"/> (record number, field,
        /// message); they do not make this throw.
        /// </summary>
        public IngestReport Ingest(byte[] data, Format format,
                                   Action<ulong, string, string> onReject = null)
        {
            if (data == null) throw new ArgumentNullException("data");
            return IngestWith(format, onReject, null, (ref IngestReport r, ref NativeIngestOptions o) =>
                Native.mot_ingest_buffer(ref r, Handle, data, (UIntPtr)data.Length, ref o));
        }

        /// <summary>Ingests a file, streaming; Format.Auto goes by its extension.</summary>
        public IngestReport IngestFile(string path, Format format = Format.Auto,
                                       Action<ulong, string, string> onReject = null)
        {
            if (path == null) throw new ArgumentNullException("path");
            byte[] nativePath = Utf8.ToNative(path);
            return IngestWith(format, onReject, null, (ref IngestReport r, ref NativeIngestOptions o) =>
                Native.mot_ingest_file(ref r, Handle, nativePath, ref o));
        }

        /// <summary>
        /// Imports a contact-center platform's records from memory, as the
        /// platform exports them: <paramref name="platform"/> is
        /// Format.ConnectCtr, Format.ContactLens, ... or Format.PlatformAuto
        /// (see FormatFromName). Each record becomes events carrying the
        /// identifiers it knows; a later version supersedes, an analysis
        /// enriches its contact, and importing again stores nothing twice.
        /// Rejected records are skipped, counted and given to
        /// <paramref name="onReject"/> (record number, field path, message).
        /// </summary>
        public IngestReport ImportBuffer(byte[] data, Format platform, ImportOptions options = null,
                                         Action<ulong, string, string> onReject = null)
        {
            if (data == null) throw new ArgumentNullException("data");
            return IngestWith(platform, onReject, options, (ref IngestReport r, ref NativeIngestOptions o) =>
                Native.mot_ingest_buffer(ref r, Handle, data, (UIntPtr)data.Length, ref o));
        }

        /// <summary>Imports a file of a platform's records, streaming; see ImportBuffer.</summary>
        public IngestReport ImportFile(string path, Format platform, ImportOptions options = null,
                                       Action<ulong, string, string> onReject = null)
        {
            if (path == null) throw new ArgumentNullException("path");
            byte[] nativePath = Utf8.ToNative(path);
            return IngestWith(platform, onReject, options, (ref IngestReport r, ref NativeIngestOptions o) =>
                Native.mot_ingest_file(ref r, Handle, nativePath, ref o));
        }

        /// <summary>
        /// The format named <paramref name="name"/>, as the CLI takes it
        /// ("connect-ctr", "contact-lens", "zendesk-ticket", "auto" for
        /// Format.PlatformAuto, also "jsonl", "csv", ...), in any case.
        /// Throws MotiveException (Status.Invalid, listing the names) for a
        /// name the library does not know.
        /// </summary>
        public static Format FormatFromName(string name)
        {
            if (name == null) throw new ArgumentNullException("name");
            int format;
            MotiveException.Check(Native.mot_format_from_name(out format, Utf8.ToNative(name)));
            return (Format)format;
        }

        private delegate int IngestCall(ref IngestReport report, ref NativeIngestOptions opts);

        private IngestReport IngestWith(Format format, Action<ulong, string, string> onReject,
                                        ImportOptions options, IngestCall call)
        {
            NativeIngestOptions opts = default(NativeIngestOptions);
            MotiveException.Check(Native.mot_ingest_options_init(
                ref opts, (uint)Marshal.SizeOf(typeof(NativeIngestOptions))));
            opts.Format = (int)format;
            IngestReport report = default(IngestReport);
            report.StructSize = (uint)Marshal.SizeOf(typeof(IngestReport));
            GCHandle sink = default(GCHandle);
            if (onReject != null)
            {
                sink = GCHandle.Alloc(onReject);
                opts.OnReject = Callbacks.RejectPointer;
                opts.RejectUserData = GCHandle.ToIntPtr(sink);
            }
            int status;
            using (NativeStrings strings = new NativeStrings())
            {
                if (options != null)
                {
                    opts.Timezone = strings.Add(options.Timezone);
                    opts.SourceName = strings.Add(options.SourceName);
                }
                try
                {
                    status = call(ref report, ref opts);
                }
                finally
                {
                    if (sink.IsAllocated) sink.Free();
                }
            }
            Callbacks.RethrowPending();
            if (status != (int)Status.Rejected) MotiveException.Check(status);
            return report;
        }

        /// <summary>
        /// A customer's events in event-time order, as a motive.v1.Timeline
        /// in JSON; only those with sinceUs &lt;= occurred_at &lt; untilUs (0:
        /// open), at most the <paramref name="limit"/> latest (0: all).
        /// </summary>
        public string Timeline(string customerId, long sinceUs = 0, long untilUs = 0, uint limit = 0)
        {
            NativeTimelineOptions opts = default(NativeTimelineOptions);
            MotiveException.Check(Native.mot_timeline_options_init(
                ref opts, (uint)Marshal.SizeOf(typeof(NativeTimelineOptions))));
            opts.Format = (int)Format.Json;
            opts.SinceUs = sinceUs;
            opts.UntilUs = untilUs;
            opts.Limit = limit;
            byte[] id = Utf8.ToNative(customerId);
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) => Native.mot_timeline_get(ref b, h, id, ref opts));
        }

        /// <summary>
        /// The picture (SVG) of the customer's journey: their events in
        /// [<paramref name="sinceUs"/>, <paramref name="untilUs"/>) (0 leaves
        /// an end open) on a time axis, a lane per stage, moments of truth by
        /// colour, bad experiences ringed in red (mot_journey_svg).
        /// </summary>
        public string JourneySvg(string customerId, long sinceUs = 0, long untilUs = 0)
        {
            byte[] id = Utf8.ToNative(customerId);
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) => Native.mot_journey_svg(ref b, h, id, sinceUs, untilUs));
        }

        /// <summary>
        /// The journey map of every customer over their events in
        /// [<paramref name="fromUs"/>, <paramref name="toUs"/>): the
        /// motive.v1.JourneyFigures as JSON, or with <paramref name="svg"/>
        /// drawn as SVG (mot_journeys_get_v2). With
        /// <paramref name="segment"/>, a rule condition over the customer's
        /// context as the range ends (the variables of CheckExpression, such
        /// as "customer.strikes >= 2"), only the customers it holds for; a
        /// bad one throws (Status.Invalid or Status.Parse, with its line and
        /// column) before any work.
        /// </summary>
        public string Journeys(long fromUs = 0, long toUs = 0, bool svg = false, string segment = null)
        {
            NativeJourneysOptions opts = default(NativeJourneysOptions);
            MotiveException.Check(Native.mot_journeys_options_init(
                ref opts, (uint)Marshal.SizeOf(typeof(NativeJourneysOptions))));
            opts.Format = svg ? (int)Format.Svg : (int)Format.Json;
            opts.FromUs = fromUs;
            opts.ToUs = toUs;
            EngineHandle h = Handle;
            using (NativeStrings strings = new NativeStrings())
            {
                opts.Segment = strings.Add(segment);
                return Buffers.TakeString((ref MotBuf b) => Native.mot_journeys_get_v2(ref b, h, ref opts));
            }
        }

        /// <summary>
        /// What-if replay (mot_whatif_run): every contact that occurred in
        /// [<paramref name="fromUs"/>, <paramref name="toUs"/>) (0 leaves an
        /// end open) decided again at its own time with
        /// <paramref name="rules"/> and with <paramref name="against"/>
        /// (null: no ruleset), on the context as it was then. Returns the
        /// motive.v1.WhatIfReport as JSON. <paramref name="origin"/> and
        /// <paramref name="againstOrigin"/> name the rulesets in errors.
        /// </summary>
        public string WhatIf(string rules, string against = null, long fromUs = 0, long toUs = 0,
                             string origin = null, string againstOrigin = null)
        {
            NativeWhatIfOptions opts = default(NativeWhatIfOptions);
            MotiveException.Check(Native.mot_whatif_options_init(
                ref opts, (uint)Marshal.SizeOf(typeof(NativeWhatIfOptions))));
            opts.Format = (int)Format.Json;
            opts.FromUs = fromUs;
            opts.ToUs = toUs;
            byte[] text = Utf8.ToNative(rules);
            EngineHandle h = Handle;
            using (NativeStrings strings = new NativeStrings())
            {
                opts.Against = strings.Add(against);
                opts.Origin = strings.Add(origin);
                opts.AgainstOrigin = strings.Add(againstOrigin);
                return Buffers.TakeString((ref MotBuf b) => Native.mot_whatif_run(ref b, h, text, ref opts));
            }
        }

        /// <summary>Timeline of the customer <paramref name="identity"/> belongs to.</summary>
        public string Timeline(Identity identity, long sinceUs = 0, long untilUs = 0, uint limit = 0)
        {
            return Timeline(Resolve(identity), sinceUs, untilUs, limit);
        }

        /// <summary>
        /// Erases the customer, for a request to be forgotten: their events
        /// (from the database file and its write-ahead log), context, queued
        /// alerts, share of what feedback taught, and traces in the snapshot
        /// (mot_customer_erase); the whole customer, every id merged into it,
        /// its identifiers and links. Returns the number of events erased, 0 for an
        /// unknown customer. Throws MotiveException with Status.Busy when
        /// another connection reading the database kept the write-ahead log:
        /// the events are gone; call again once it is closed.
        /// </summary>
        public ulong Erase(string customerId)
        {
            ulong erased;
            MotiveException.Check(Native.mot_customer_erase(
                out erased, Handle, Utf8.ToNative(customerId)));
            return erased;
        }

        /// <summary>Erase of the customer <paramref name="identity"/> belongs to.</summary>
        public ulong Erase(Identity identity)
        {
            return Erase(Resolve(identity));
        }

        /// <summary>
        /// Retention: every event that occurred more than
        /// EngineOptions.RetentionDays ago leaves the database, the contexts
        /// and the snapshot, as Erase takes a customer's
        /// (mot_retention_apply). Call it on a schedule. Returns the number
        /// of events that left. Throws MotiveException with
        /// Status.InvalidArgument when no retention period is set.
        /// </summary>
        public ulong ApplyRetention()
        {
            ulong removed;
            MotiveException.Check(Native.mot_retention_apply(out removed, Handle));
            return removed;
        }

        /// <summary>
        /// The built-in signals of a customer as of <paramref name="asOfUs"/>
        /// (0: now); an unknown customer gets Known == 0.
        /// </summary>
        public ContextSummary Summary(string customerId, long asOfUs = 0)
        {
            ContextSummary s = ContextSummary.Create();
            MotiveException.Check(Native.mot_context_summary_get(
                ref s, Handle, Utf8.ToNative(customerId), asOfUs));
            return s;
        }

        /// <summary>
        /// <see cref="Summary(string, long)"/> of each customer in one call:
        /// faster for a queue of callers, whose states are fetched together.
        /// </summary>
        public ContextSummary[] Summaries(IList<string> customerIds, long asOfUs = 0)
        {
            if (customerIds == null) throw new ArgumentNullException("customerIds");
            ContextSummary[] output = new ContextSummary[customerIds.Count];
            for (int i = 0; i < output.Length; ++i) output[i] = ContextSummary.Create();
            using (NativeStrings strings = new NativeStrings())
            {
                IntPtr[] ids = new IntPtr[customerIds.Count];
                for (int i = 0; i < ids.Length; ++i) ids[i] = strings.Add(customerIds[i]);
                MotiveException.Check(Native.mot_context_summary_get_many(
                    output, Handle, ids, (UIntPtr)ids.Length, asOfUs));
            }
            return output;
        }

        /// <summary>Summary of the customer <paramref name="identity"/> belongs to.</summary>
        public ContextSummary Summary(Identity identity, long asOfUs = 0)
        {
            return Summary(Resolve(identity), asOfUs);
        }

        /// <summary>The full context (motive.v1.Context) as JSON.</summary>
        public string Context(string customerId, long asOfUs = 0)
        {
            byte[] id = Utf8.ToNative(customerId);
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) =>
                Native.mot_context_get(ref b, h, id, asOfUs, (int)Format.Json));
        }

        /// <summary>Context of the customer <paramref name="identity"/> belongs to.</summary>
        public string Context(Identity identity, long asOfUs = 0)
        {
            return Context(Resolve(identity), asOfUs);
        }

        /// <summary>
        /// The id of the customer <paramref name="ns"/>:<paramref name="value"/>
        /// belongs to (mot_identity_resolve); the value is normalized first.
        /// Throws MotiveException with Status.NotFound when no event carried
        /// it, Status.Ambiguous when it is shared by several customers (or
        /// unlinked and on several).
        /// </summary>
        public string Resolve(string ns, string value)
        {
            if (ns == null) throw new ArgumentNullException("ns");
            if (value == null) throw new ArgumentNullException("value");
            byte[] output = new byte[MaxCustomerId + 1];
            UIntPtr length;
            MotiveException.Check(Native.mot_identity_resolve(
                output, (UIntPtr)output.Length, out length, Handle, Utf8.ToNative(ns), Utf8.ToNative(value)));
            return System.Text.Encoding.UTF8.GetString(output, 0, checked((int)length.ToUInt64()));
        }

        /// <summary>The id of the customer <paramref name="identity"/> belongs to.</summary>
        public string Resolve(Identity identity)
        {
            return Resolve(identity.Namespace, identity.Value);
        }

        /// <summary>The longest customer id, in UTF-8 bytes (MOT_CUSTOMER_ID_MAX).</summary>
        public const int MaxCustomerId = 128;

        /// <summary>
        /// What motive knows of the customer (any of its merged ids), as a
        /// motive.v1.Profile in JSON: its id, every id merged into it
        /// (anchors), its normalized identifiers with their flags (invalid,
        /// shared, unlinked, never_merges) and the merges and splits that
        /// made it (identity events with the attributes from, into and
        /// reason). An unknown customer gets a profile of itself alone.
        /// </summary>
        public string Profile(string customerId)
        {
            byte[] id = Utf8.ToNative(customerId);
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) =>
                Native.mot_identity_profile(ref b, h, id, (int)Format.Json));
        }

        /// <summary>Profile of the customer <paramref name="identity"/> belongs to.</summary>
        public string Profile(Identity identity)
        {
            return Profile(Resolve(identity));
        }

        /// <summary>
        /// Links <paramref name="identifiers"/> (1 to 16) to the customer
        /// <paramref name="customerId"/>, or to each other when it is null:
        /// an identity.link event in the log, which merges the customers they
        /// belonged to as any event would. Identifiers unlinked before link
        /// again.
        /// </summary>
        public void Link(string customerId, params Identity[] identifiers)
        {
            if (identifiers == null) throw new ArgumentNullException("identifiers");
            byte[] id = Utf8.ToNative(customerId);
            using (NativeStrings strings = new NativeStrings())
            {
                IntPtr[] namespaces = new IntPtr[identifiers.Length];
                IntPtr[] values = new IntPtr[identifiers.Length];
                for (int i = 0; i < identifiers.Length; ++i)
                {
                    if (identifiers[i].Namespace == null)
                        throw new ArgumentException("identifier " + i + " is default(Identity)", "identifiers");
                    namespaces[i] = strings.Add(identifiers[i].Namespace);
                    values[i] = strings.Add(identifiers[i].Value);
                }
                MotiveException.Check(Native.mot_identity_link(
                    Handle, id, namespaces, values, (UIntPtr)identifiers.Length));
            }
        }

        /// <summary>
        /// Unlinks an identifier: an identity.unlink event in the log. From
        /// then on it links nothing (until linked again): the customers it
        /// tied split, each rebuilt from the log.
        /// </summary>
        public void Unlink(Identity identity)
        {
            if (identity.Namespace == null) throw new ArgumentException("default(Identity)", "identity");
            MotiveException.Check(Native.mot_identity_unlink(
                Handle, Utf8.ToNative(identity.Namespace), Utf8.ToNative(identity.Value)));
        }

        /// <summary>Unlinks <paramref name="ns"/>:<paramref name="value"/>; see Unlink(Identity).</summary>
        public void Unlink(string ns, string value)
        {
            Unlink(new Identity(ns, value));
        }

        /// <summary>Replaces the context configuration (text format).</summary>
        public void LoadContextConfig(string text)
        {
            if (text == null) throw new ArgumentNullException("text");
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            MotiveException.Check(Native.mot_context_config_load(Handle, bytes, (UIntPtr)bytes.Length));
        }

        /// <summary>Writes every customer's state to the snapshot file.</summary>
        public void Snapshot()
        {
            MotiveException.Check(Native.mot_engine_snapshot(Handle));
        }

        /// <summary>How the engine's state was built, and how big it is.</summary>
        public EngineStats Stats()
        {
            NativeEngineStats s = default(NativeEngineStats);
            // The init function refuses a size the struct never had, where
            // mot_engine_stats_get would fill a mismatched layout silently.
            MotiveException.Check(Native.mot_engine_stats_init(
                ref s, (uint)Marshal.SizeOf(typeof(NativeEngineStats))));
            MotiveException.Check(Native.mot_engine_stats_get(ref s, Handle));
            return new EngineStats
            {
                FromSnapshot = s.FromSnapshot != 0,
                EventsReplayed = s.EventsReplayed,
                Customers = s.Customers,
                HeldEvents = s.HeldEvents,
                MetricSamples = s.MetricSamples,
                StateBytes = s.StateBytes,
                Strings = s.Strings,
                SnapshotNote = Utf8.FromNative(s.SnapshotNote),
                AlertsRaised = s.AlertsRaised,
                AlertsDropped = s.AlertsDropped,
                AlertsQueued = s.AlertsQueued,
                DamagedEvents = s.DamagedEvents,
                FirstDamagedSeq = s.FirstDamagedSeq,
                ClusterConnected = s.ClusterConnected != 0,
                ClusterLastContactUs = s.ClusterLastContactUs,
                ClusterApplied = s.ClusterApplied,
                ClusterLag = s.ClusterLag,
            };
        }

        /// <summary>
        /// Compiles a rule expression against the engine's context schema
        /// without running it; returns its CEL type ("bool").
        /// </summary>
        public string CheckExpression(string expression)
        {
            byte[] e = Utf8.ToNative(expression);
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) => Native.mot_expr_check(ref b, h, e));
        }

        /// <summary>
        /// Evaluates an expression once; each variable is valued by a CEL
        /// literal ("3", "'gold'", "['a']"). Returns the result as a literal.
        /// </summary>
        public static string Eval(string expression, IDictionary<string, string> variables = null)
        {
            byte[] e = Utf8.ToNative(expression);
            using (NativeStrings strings = new NativeStrings())
            {
                int n = variables == null ? 0 : variables.Count;
                IntPtr[] names = new IntPtr[n];
                IntPtr[] values = new IntPtr[n];
                int i = 0;
                if (variables != null)
                {
                    foreach (KeyValuePair<string, string> v in variables)
                    {
                        names[i] = strings.Add(v.Key);
                        values[i] = strings.Add(v.Value);
                        ++i;
                    }
                }
                return Buffers.TakeString((ref MotBuf b) =>
                    Native.mot_expr_eval(ref b, e, names, values, (UIntPtr)n));
            }
        }

        /// <summary>
        /// Loads a next-best-action ruleset (motive.v1.Ruleset in text format
        /// or JSON); <paramref name="origin"/> names it in messages. A ruleset
        /// that does not load changes nothing.
        /// </summary>
        public void LoadRules(string text, string origin = null)
        {
            if (text == null) throw new ArgumentNullException("text");
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            MotiveException.Check(Native.mot_ruleset_load(Handle, bytes, (UIntPtr)bytes.Length,
                                                           Utf8.ToNative(origin)));
        }

        /// <summary>
        /// Checks a ruleset as <see cref="LoadRules"/> would, without loading
        /// it: throws the same MotiveException for one that would not load.
        /// </summary>
        public void CheckRules(string text, string origin = null)
        {
            if (text == null) throw new ArgumentNullException("text");
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            MotiveException.Check(Native.mot_ruleset_check(Handle, bytes, (UIntPtr)bytes.Length,
                                                            Utf8.ToNative(origin)));
        }

        /// <summary>
        /// The next-best actions for a customer in a situation, as a
        /// motive.v1.Decision in JSON (its decision_id is for
        /// <see cref="Feedback"/>). <paramref name="timeUs"/> 0 is now;
        /// <paramref name="maxResults"/> 0 is the ruleset's.
        /// </summary>
        public string Decide(string customerId, Channel channel = Channel.Unspecified,
                             string topic = null, Direction direction = Direction.Inbound,
                             string agentId = null, long timeUs = 0, uint maxResults = 0)
        {
            byte[] id = Utf8.ToNative(customerId);
            EngineHandle h = Handle;
            using (NativeStrings strings = new NativeStrings())
            {
                NativeSituation s = default(NativeSituation);
                MotiveException.Check(Native.mot_situation_init(
                    ref s, (uint)Marshal.SizeOf(typeof(NativeSituation))));
                s.Channel = (int)channel;
                s.Topic = strings.Add(topic);
                s.AgentId = strings.Add(agentId);
                s.Direction = (int)direction;
                s.TimeUs = timeUs;
                s.MaxResults = maxResults;
                return Buffers.TakeString((ref MotBuf b) =>
                    Native.mot_decide(ref b, h, id, ref s, (int)Format.Json));
            }
        }

        /// <summary>Decide for the customer <paramref name="identity"/> belongs to.</summary>
        public string Decide(Identity identity, Channel channel = Channel.Unspecified,
                             string topic = null, Direction direction = Direction.Inbound,
                             string agentId = null, long timeUs = 0, uint maxResults = 0)
        {
            return Decide(Resolve(identity), channel, topic, direction, agentId, timeUs, maxResults);
        }

        /// <summary>
        /// Records what came of an action of a decision (stored as an event;
        /// the same feedback twice is stored once).
        /// </summary>
        public void Feedback(string customerId, string decisionId, string actionId,
                             FeedbackOutcome outcome, Channel channel = Channel.Unspecified,
                             long timeUs = 0)
        {
            int status = Native.mot_feedback(Handle, Utf8.ToNative(customerId),
                                             Utf8.ToNative(decisionId), Utf8.ToNative(actionId),
                                             (int)outcome, (int)channel, timeUs);
            Callbacks.RethrowPending();
            MotiveException.Check(status);
        }

        /// <summary>Feedback for the customer <paramref name="identity"/> belongs to.</summary>
        public void Feedback(Identity identity, string decisionId, string actionId,
                             FeedbackOutcome outcome, Channel channel = Channel.Unspecified,
                             long timeUs = 0)
        {
            Feedback(Resolve(identity), decisionId, actionId, outcome, channel, timeUs);
        }

        /// <summary>
        /// Takes up to <paramref name="max"/> due alerts (0: all) as a
        /// motive.v1.AlertList in JSON; each alert is returned once.
        /// </summary>
        public string PollAlerts(uint max = 0)
        {
            EngineHandle h = Handle;
            return Buffers.TakeString((ref MotBuf b) =>
                Native.mot_alerts_poll(ref b, h, (UIntPtr)max, (int)Format.Json));
        }

        /// <summary>
        /// Delivers alerts (each a motive.v1.Alert in JSON) to
        /// <paramref name="handler"/> as they come due instead of queueing
        /// them for <see cref="PollAlerts"/>; null unregisters. The handler
        /// runs on the thread of the Record, Ingest or Feedback call that
        /// raised the alert (those due now: on this thread, before this
        /// returns), possibly on several threads at once, and must not call
        /// into this engine. An exception it throws is caught at the native
        /// boundary and rethrown by the call that delivered the alert, after
        /// that call's work is done.
        /// </summary>
        public void OnAlert(Action<string> handler)
        {
            EngineHandle h = Handle;
            int status;
            if (handler == null)
            {
                status = Native.mot_alerts_set_callback(h, null, IntPtr.Zero, null, (int)Format.Json);
            }
            else
            {
                GCHandle sink = GCHandle.Alloc(handler);
                status = Native.mot_alerts_set_callback(h, Callbacks.Alert, GCHandle.ToIntPtr(sink),
                                                        Callbacks.Free, (int)Format.Json);
                // On failure the library does not call the free function.
                if (status != 0) sink.Free();
            }
            Callbacks.RethrowPending();
            MotiveException.Check(status);
        }
    }

    /// <summary>Copies and frees the buffers the library returns.</summary>
    internal static class Buffers
    {
        public delegate int Call(ref MotBuf buf);

        public static string TakeString(Call call)
        {
            MotBuf buf = default(MotBuf);
            try
            {
                MotiveException.Check(call(ref buf));
                return Utf8.FromNative(buf.Data, checked((int)buf.Size.ToUInt64()));
            }
            finally
            {
                Native.mot_buf_dispose(ref buf);
            }
        }
    }

    /// <summary>
    /// The trampolines that native code calls. They are static and held in
    /// static fields, so the function pointers the library keeps stay valid
    /// for the life of the process; each call's own state travels in a
    /// GCHandle passed as user_data. No exception may unwind into native
    /// frames: they are caught, kept for the calling thread and rethrown once
    /// the native call has returned.
    /// </summary>
    internal static class Callbacks
    {
        public static readonly AlertFn Alert = OnAlert;
        public static readonly FreeFn Free = OnFree;
        private static readonly RejectFn Reject = OnReject;
        public static readonly IntPtr RejectPointer = Marshal.GetFunctionPointerForDelegate(Reject);

        [ThreadStatic] private static ExceptionDispatchInfo pending;

        public static void RethrowPending()
        {
            ExceptionDispatchInfo e = pending;
            pending = null;
            if (e != null) e.Throw();
        }

        private static void Keep(Exception e)
        {
            // The first exception wins: later ones are usually its echo.
            if (pending == null) pending = ExceptionDispatchInfo.Capture(e);
        }

        private static void OnAlert(IntPtr userData, IntPtr alert, UIntPtr size)
        {
            try
            {
                Action<string> handler = (Action<string>)GCHandle.FromIntPtr(userData).Target;
                handler(Utf8.FromNative(alert, checked((int)size.ToUInt64())));
            }
            catch (Exception e)
            {
                Keep(e);
            }
        }

        private static void OnFree(IntPtr userData)
        {
            try
            {
                GCHandle.FromIntPtr(userData).Free();
            }
            catch (Exception e)
            {
                Keep(e);
            }
        }

        private static void OnReject(IntPtr userData, ulong record, IntPtr field, IntPtr message)
        {
            try
            {
                Action<ulong, string, string> handler =
                    (Action<ulong, string, string>)GCHandle.FromIntPtr(userData).Target;
                handler(record, Utf8.FromNative(field), Utf8.FromNative(message));
            }
            catch (Exception e)
            {
                Keep(e);
            }
        }
    }
}
