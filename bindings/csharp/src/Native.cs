// The P/Invoke declarations of include/motive/motive.h, and the structs they
// take, laid out exactly as the C ones are (LP64 and LLP64 alike: every
// pointer is an IntPtr, every size_t a UIntPtr). Internal: the public API is
// Engine, which owns what these return.
using System;
using System.Runtime.InteropServices;

namespace Motive
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct MotBuf
    {
        public IntPtr Data;
        public UIntPtr Size;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeEngineOptions
    {
        public uint StructSize;
        public int Durability;
        public uint GroupCommitMs;
        public int IntegrityCheck;
        public int CreateIfMissing;
        public IntPtr JourneyMap;
        public int ReadOnly;
        public IntPtr ContextConfig;
        public IntPtr SnapshotPath;
        public IntPtr Ruleset;
        public IntPtr RulesetOrigin;
        public uint RetentionDays;
        public IntPtr IdentityConfig;
        public IntPtr ClusterServers;  // since 0.7, as the rest
        public IntPtr ClusterTenant;
        public uint ClusterPartitions;
        public uint ClusterStreams;
        public uint ClusterReplicas;
        public uint ClusterWriteTimeoutMs;
        public uint ClusterOpenTimeoutMs;
        public IntPtr ClusterCredentials;
        public IntPtr ClusterTlsCa;
        public IntPtr ClusterTlsCert;
        public IntPtr ClusterTlsKey;
        public IntPtr ClusterHeldPartitions;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeIngestOptions
    {
        public uint StructSize;
        public int Format;
        public IntPtr OnReject;  // mot_reject_fn
        public IntPtr RejectUserData;
        public IntPtr OnProgress;  // mot_progress_fn
        public IntPtr ProgressUserData;
        public uint BatchSize;
        public IntPtr Timezone;  // since 0.6
        public IntPtr SourceName;  // since 0.6
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeTimelineOptions
    {
        public uint StructSize;
        public int Format;
        public long SinceUs;
        public long UntilUs;
        public uint Limit;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeWhatIfOptions
    {
        public uint StructSize;
        public int Format;
        public IntPtr Against;
        public IntPtr Origin;
        public IntPtr AgainstOrigin;
        public long FromUs;
        public long ToUs;
        public IntPtr OnProgress;  // mot_progress_fn
        public IntPtr ProgressUserData;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeJourneysOptions
    {
        public uint StructSize;
        public int Format;
        public long FromUs;
        public long ToUs;
        public IntPtr Segment;
        public IntPtr OnProgress;  // mot_progress_fn
        public IntPtr ProgressUserData;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeSituation
    {
        public uint StructSize;
        public int Channel;
        public IntPtr Topic;
        public IntPtr AgentId;
        public int Direction;
        public long TimeUs;
        public uint MaxResults;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeEngineStats
    {
        public uint StructSize;
        public int FromSnapshot;
        public ulong EventsReplayed;
        public ulong Customers;
        public ulong HeldEvents;
        public ulong MetricSamples;
        public ulong StateBytes;
        public ulong Strings;
        public IntPtr SnapshotNote;
        public ulong AlertsRaised;
        public ulong AlertsDropped;
        public ulong AlertsQueued;
        public ulong DamagedEvents;  // since 0.5
        public long FirstDamagedSeq;
        public int ClusterConnected;  // since 0.7, as the rest
        public long ClusterLastContactUs;
        public ulong ClusterApplied;
        public ulong ClusterLag;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void AlertFn(IntPtr userData, IntPtr alert, UIntPtr size);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void FreeFn(IntPtr userData);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void RejectFn(IntPtr userData, ulong record, IntPtr field, IntPtr message);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate int ProgressFn(IntPtr userData, ulong bytesDone, ulong bytesTotal);

    // Strings go in as NUL-terminated UTF-8 byte arrays (null for NULL), so
    // that the encoding does not depend on the runtime's default marshalling.
    internal static class Native
    {
        private const string Lib = "motive";
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern IntPtr mot_version();

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_version_number();

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern IntPtr mot_error_last();

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern IntPtr mot_strerror(int code);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_cluster_partition(out uint partition, byte[] customerId, uint partitions);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern void mot_buf_dispose(ref MotBuf buf);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_options_init(ref NativeEngineOptions opts, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_open(out EngineHandle engine, byte[] path, ref NativeEngineOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern void mot_engine_close(IntPtr engine);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_flush(EngineHandle engine);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_event_record(out int stored, EngineHandle engine, int format, byte[] data, UIntPtr size);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_format_from_name(out int format, byte[] name);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_ingest_options_init(ref NativeIngestOptions opts, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_ingest_buffer(ref IngestReport report, EngineHandle engine, byte[] data, UIntPtr size, ref NativeIngestOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_ingest_file(ref IngestReport report, EngineHandle engine, byte[] path, ref NativeIngestOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_timeline_options_init(ref NativeTimelineOptions opts, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_journey_svg(ref MotBuf output, EngineHandle engine, byte[] customerId, long sinceUs, long untilUs);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_journeys_options_init(ref NativeJourneysOptions opts, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_journeys_get_v2(ref MotBuf output, EngineHandle engine, ref NativeJourneysOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_whatif_options_init(ref NativeWhatIfOptions opts, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_whatif_run(ref MotBuf report, EngineHandle engine, byte[] ruleset, ref NativeWhatIfOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_timeline_get(ref MotBuf output, EngineHandle engine, byte[] customerId, ref NativeTimelineOptions opts);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_customer_erase(out ulong erased, EngineHandle engine, byte[] customerId);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_retention_apply(out ulong removed, EngineHandle engine);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_identity_resolve(byte[] output, UIntPtr size, out UIntPtr length, EngineHandle engine, byte[] ns, byte[] value);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_identity_profile(ref MotBuf output, EngineHandle engine, byte[] customerId, int format);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_identity_link(EngineHandle engine, byte[] customerId, IntPtr[] namespaces, IntPtr[] values, UIntPtr count);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_identity_unlink(EngineHandle engine, byte[] ns, byte[] value);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_context_summary_get(ref ContextSummary output, EngineHandle engine, byte[] customerId, long asOfUs);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_context_summary_get_many([In, Out] ContextSummary[] output, EngineHandle engine, IntPtr[] customerIds, UIntPtr count, long asOfUs);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_context_get(ref MotBuf output, EngineHandle engine, byte[] customerId, long asOfUs, int format);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_context_config_load(EngineHandle engine, byte[] text, UIntPtr size);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_snapshot(EngineHandle engine);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_stats_init(ref NativeEngineStats stats, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_engine_stats_get(ref NativeEngineStats output, EngineHandle engine);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_expr_check(ref MotBuf resultType, EngineHandle engine, byte[] expression);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_expr_eval(ref MotBuf output, byte[] expression, IntPtr[] names, IntPtr[] values, UIntPtr count);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_ruleset_load(EngineHandle engine, byte[] text, UIntPtr size, byte[] origin);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_ruleset_check(EngineHandle engine, byte[] text, UIntPtr size, byte[] origin);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_situation_init(ref NativeSituation situation, uint structSize);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_decide(ref MotBuf output, EngineHandle engine, byte[] customerId, ref NativeSituation situation, int format);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_feedback(EngineHandle engine, byte[] customerId, byte[] decisionId, byte[] actionId, int outcome, int channel, long timeUs);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_alerts_poll(ref MotBuf output, EngineHandle engine, UIntPtr max, int format);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int mot_alerts_set_callback(EngineHandle engine, AlertFn fn, IntPtr userData, FreeFn userDataFree, int format);
    }
}
