// The public value types of the binding: the C header's constants as enums,
// and its plain structs. ContextSummary and IngestReport are the C structs
// themselves (field for field, same order and sizes), so that the library
// writes them in place.
using System;
using System.Runtime.InteropServices;

namespace Motive
{
    /// <summary>The MOT_* status codes; values never change.</summary>
    public enum Status
    {
        Ok = 0,
        Invalid = -1,
        NotFound = -2,
        Parse = -3,
        IO = -4,
        Corrupt = -5,
        Busy = -6,
        TooSmall = -7,
        Version = -8,
        NoMemory = -9,
        Internal = -10,
        Rejected = -11,
        Canceled = -12,
        Unsupported = -13,
        /// <summary>An identifier stands for several customers (shared, or
        /// unlinked and on several). Since 0.6.</summary>
        Ambiguous = -14,
        /// <summary>The cluster could not be reached, or did not answer in
        /// time. Since 0.7.</summary>
        Unreachable = -15,
    }

    /// <summary>
    /// An identifier of a customer: a namespace and a value, such as
    /// ("phone", "+1 415 555 0100") or ("email", "ana@example.com"). The
    /// library normalizes the value (phone numbers to E.164, emails
    /// lower-cased). Every Engine method that takes a customer id has an
    /// overload that takes one instead: the customer it belongs to.
    /// </summary>
    public struct Identity
    {
        public Identity(string ns, string value)
        {
            if (ns == null) throw new ArgumentNullException("ns");
            if (value == null) throw new ArgumentNullException("value");
            Namespace = ns;
            Value = value;
        }

        public string Namespace { get; private set; }
        public string Value { get; private set; }

        public override string ToString() { return Namespace + ":" + Value; }
    }

    /// <summary>How a payload is encoded (MOT_FORMAT_*).</summary>
    public enum Format
    {
        Auto = 0,
        Protobuf = 1,
        Json = 2,
        Jsonl = 3,
        Csv = 4,
        /// <summary>Journey maps only: a picture. Since 0.7.</summary>
        Svg = 5,
        // Ingest only: a contact-center platform's records, as it exports
        // them (README "Importers"). Since 0.6.
        /// <summary>A platform's records, found from the first one.</summary>
        PlatformAuto = 16,
        /// <summary>Amazon Connect contact records (CTRs).</summary>
        ConnectCtr = 17,
        /// <summary>Amazon Connect contact events (EventBridge).</summary>
        ConnectContactEvent = 18,
        /// <summary>Amazon Connect Contact Lens analyses.</summary>
        ContactLens = 19,
        GenesysConversation = 20,
        ZendeskTicket = 21,
        ZendeskComment = 22,
        ZendeskFieldHistory = 23,
        ZendeskChatEvent = 24,
        IntercomConversation = 25,
        SalesforceCase = 26,
        TwilioTaskRouter = 27,
    }

    /// <summary>
    /// How a platform's records are read (Engine.ImportFile, ImportBuffer).
    /// Since 0.6.
    /// </summary>
    public sealed class ImportOptions
    {
        /// <summary>
        /// The IANA time zone ("Europe/Lisbon") of timestamps written
        /// without an offset (warehouse CSVs); null for UTC.
        /// </summary>
        public string Timezone { get; set; }

        /// <summary>
        /// The name of the file or object the records came from (Contact
        /// Lens names its analyses after the contact); null for the file's
        /// name under ImportFile.
        /// </summary>
        public string SourceName { get; set; }
    }

    /// <summary>motive.v1.Channel (MOT_CHANNEL_*).</summary>
    public enum Channel
    {
        Unspecified = 0,
        Voice = 1,
        Chat = 2,
        Email = 3,
        Sms = 4,
        Web = 5,
        MobileApp = 6,
        Social = 7,
        ReviewSite = 8,
        Store = 9,
        Survey = 10,
        Other = 11,
    }

    /// <summary>Who starts the contact (MOT_DIRECTION_*).</summary>
    public enum Direction
    {
        Unspecified = 0,
        Inbound = 1,
        Outbound = 2,
        Proactive = 3,
    }

    /// <summary>What came of a presented action (MOT_FEEDBACK_*).</summary>
    public enum FeedbackOutcome
    {
        Offered = 1,
        Accepted = 2,
        Rejected = 3,
        Ignored = 4,
        Converted = 5,
    }

    /// <summary>When a recorded event is safe from a crash (MOT_DURABILITY_*).</summary>
    public enum Durability
    {
        Full = 0,
        Group = 1,
    }

    /// <summary>How much of the database to verify at open (MOT_CHECK_*).</summary>
    public enum IntegrityCheck
    {
        Quick = 0,
        Full = 1,
        None = 2,
        AfterCrash = 3,
    }

    /// <summary>
    /// Options of <see cref="Engine.Open"/>; null properties keep the
    /// library's defaults (see mot_engine_options in motive.h).
    /// </summary>
    public sealed class EngineOptions
    {
        public Durability? Durability { get; set; }
        public uint? GroupCommitMs { get; set; }
        public IntegrityCheck? IntegrityCheck { get; set; }
        public bool? CreateIfMissing { get; set; }
        public bool? ReadOnly { get; set; }
        /// <summary>A motive.v1.JourneyMap in protobuf text format.</summary>
        public string JourneyMap { get; set; }
        /// <summary>A motive.v1.ContextConfig in protobuf text format.</summary>
        public string ContextConfig { get; set; }
        /// <summary>The snapshot file; "-" for none.</summary>
        public string SnapshotPath { get; set; }
        /// <summary>A motive.v1.Ruleset in text format or JSON.</summary>
        public string Ruleset { get; set; }
        /// <summary>Names the ruleset in error messages.</summary>
        public string RulesetOrigin { get; set; }
        /// <summary>Days events are kept, for ApplyRetention; 0: forever.</summary>
        public uint? RetentionDays { get; set; }
        /// <summary>
        /// A motive.v1.IdentityConfig in protobuf text format: the region of
        /// national phone numbers (default_region, "US" by default), when a
        /// value counts as shared (max_profiles), namespaces that never
        /// merge. Since 0.6.
        /// </summary>
        public string IdentityConfig { get; set; }
        /// <summary>
        /// The NATS servers of a cluster to share the history with, through
        /// JetStream, comma-separated ("nats://10.0.0.1:4222,nats://10.0.0.2:4222"),
        /// or null for none. A node's writes return once the cluster holds
        /// them and the node applied them; when the cluster cannot be
        /// reached in time, opening and writes throw with
        /// Status.Unreachable. A node cannot be ReadOnly; Erase on a node
        /// erases on every node and in the streams. See "Clusters" in motive.h.
        /// Since 0.7, as the other Cluster settings.
        /// </summary>
        public string ClusterServers { get; set; }
        /// <summary>Names the shared history: letters, digits, '-' and '_'; null for "default".</summary>
        public string ClusterTenant { get; set; }
        /// <summary>Partitions of the tenant's history (null: 256); the same on every node.</summary>
        public uint? ClusterPartitions { get; set; }
        /// <summary>Streams of the tenant (null: 4); the same on every node.</summary>
        public uint? ClusterStreams { get; set; }
        /// <summary>Copies of each stream, when this node creates them (null: 3).</summary>
        public uint? ClusterReplicas { get; set; }
        /// <summary>How long a write waits for the cluster (null: 5000 ms).</summary>
        public uint? ClusterWriteTimeoutMs { get; set; }
        /// <summary>How long opening waits for the cluster and for this node to catch up (null: 120000 ms).</summary>
        public uint? ClusterOpenTimeoutMs { get; set; }
        /// <summary>A NATS credentials file (.creds), or null.</summary>
        public string ClusterCredentials { get; set; }
        /// <summary>TLS files (PEM): the certificate authority, this node's certificate and its key; null for none.</summary>
        public string ClusterTlsCa { get; set; }
        public string ClusterTlsCert { get; set; }
        public string ClusterTlsKey { get; set; }
        /// <summary>
        /// The partitions this node holds, "0-63,128"; null for all. Queries
        /// about other customers throw (Status.Invalid, naming the partition):
        /// route them with Engine.PartitionOf.
        /// </summary>
        public string ClusterHeldPartitions { get; set; }
    }

    /// <summary>The counts of an ingest (mot_ingest_report).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IngestReport
    {
        public uint StructSize;
        public uint Reserved;
        public ulong Accepted;
        public ulong Duplicates;
        public ulong Rejected;
        /// <summary>Source records read (a platform's record may give several events, or none). Since 0.6.</summary>
        public ulong Records;
        /// <summary>Accepted events that are a later version or an enrichment of an interaction already stored. Since 0.6.</summary>
        public ulong Updated;
        /// <summary>Customers first known by these events' identifiers. Since 0.6.</summary>
        public ulong ProfilesCreated;
        /// <summary>Merges of two customers into one. Since 0.6.</summary>
        public ulong ProfilesMerged;
        /// <summary>Source records that hold nothing to import (a platform's record about an agent, such as a TaskRouter worker's event): counted in Records, neither stored nor rejected. Since 0.6.</summary>
        public ulong Skipped;
    }

    /// <summary>How the engine's state was built, and how big it is.</summary>
    public sealed class EngineStats
    {
        public bool FromSnapshot { get; internal set; }
        public ulong EventsReplayed { get; internal set; }
        public ulong Customers { get; internal set; }
        public ulong HeldEvents { get; internal set; }
        public ulong MetricSamples { get; internal set; }
        public ulong StateBytes { get; internal set; }
        public ulong Strings { get; internal set; }
        /// <summary>Why an existing snapshot was not used at open, or "".</summary>
        public string SnapshotNote { get; internal set; }
        public ulong AlertsRaised { get; internal set; }
        public ulong AlertsDropped { get; internal set; }
        public ulong AlertsQueued { get; internal set; }
        /// <summary>Stored events found damaged by the reads so far, and the first one's seq (0: none). Since 0.5.</summary>
        public ulong DamagedEvents { get; internal set; }
        public long FirstDamagedSeq { get; internal set; }
        // A cluster node's link (false and zeros without a cluster). Since 0.7.
        /// <summary>True while connected to the cluster.</summary>
        public bool ClusterConnected { get; internal set; }
        /// <summary>When the node was last known connected (now while connected), in microseconds since the epoch: now minus it bounds how stale the answers are.</summary>
        public long ClusterLastContactUs { get; internal set; }
        /// <summary>Messages of the streams applied since open.</summary>
        public ulong ClusterApplied { get; internal set; }
        /// <summary>Messages the streams hold that this node has not applied yet.</summary>
        public ulong ClusterLag { get; internal set; }
    }

    /// <summary>
    /// mot_context_summary, field for field: the built-in signals of a
    /// customer as of a time (see motive.h for each field's meaning). Times
    /// are microseconds since the Unix epoch (0: none), absent doubles are
    /// NaN and absent integers -1. Filled by <see cref="Engine.Summary"/>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ContextSummary
    {
        public const int ChannelCount = 12;
        public const int MomentCount = 7;
        public const int ChurnFactorCount = 6;

        public uint StructSize;
        public int Known;
        public long AsOfUs;
        public ulong Events;
        public long FirstSeenUs;
        public long LastSeenUs;

        public uint Contacts7d;
        public uint Contacts30d;
        public uint Contacts90d;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = ChannelCount)]
        public uint[] Contacts7dByChannel;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = ChannelCount)]
        public uint[] Contacts30dByChannel;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = ChannelCount)]
        public uint[] Contacts90dByChannel;

        public int LastContactChannel;
        public long LastContactUs;
        // const char*, owned by the engine until it closes: see the
        // LastContactTopic and LastContactAgentId properties.
        internal IntPtr lastContactTopic;
        internal IntPtr lastContactAgentId;
        public int LastContactOutcome;
        public uint LastContactTransfers;
        public long LastContactHoldMs;
        public double LastContactSentiment;
        public int LastContactRepeat;

        public uint WindowDays;
        public uint RepeatContacts;
        public uint Transfers;
        public long HoldMs;
        public uint OpenIssues;
        public uint Strikes;
        public int AtRisk;

        public int Stage;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = MomentCount)]
        public uint[] Moments;
        public uint NegativeZeroMoment;

        public double SentimentLast;
        public double SentimentAverage;
        public double SentimentTrend;

        public uint Purchases;
        public int DaysSincePurchase;
        public double LifetimeValue;
        public long LastPurchaseUs;

        public int Csat;
        public int Nps;
        public int NpsCategory;
        public uint Reserved;

        public double ChurnRisk;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = ChurnFactorCount)]
        public double[] ChurnFactors;

        /// <summary>The size of the C struct, as struct_size wants it.</summary>
        public static readonly uint Size = (uint)Marshal.SizeOf(typeof(ContextSummary));

        /// <summary>
        /// The topic of the last contact, "" when none. Read from the
        /// engine's memory, as in C: valid only while the engine that filled
        /// this summary is open (read it before disposing of the engine).
        /// </summary>
        public string LastContactTopic { get { return Utf8.FromNative(lastContactTopic); } }

        /// <summary>The agent of the last contact; as LastContactTopic.</summary>
        public string LastContactAgentId { get { return Utf8.FromNative(lastContactAgentId); } }

        internal static ContextSummary Create()
        {
            ContextSummary s = default(ContextSummary);
            s.StructSize = Size;
            s.Contacts7dByChannel = new uint[ChannelCount];
            s.Contacts30dByChannel = new uint[ChannelCount];
            s.Contacts90dByChannel = new uint[ChannelCount];
            s.Moments = new uint[MomentCount];
            s.ChurnFactors = new double[ChurnFactorCount];
            return s;
        }
    }
}
