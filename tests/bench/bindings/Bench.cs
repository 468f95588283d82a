// What the C# binding adds to a call (issue 6): a customer's summary and a
// decision through Motive.Engine, against the same calls made from C.
//
// The C baseline is libmotive_bench_c (bench_c.c), called through P/Invoke
// on the engine this binding opened: same state, same customers, same
// moment, same process. The variants run in interleaved rounds, in a
// rotating order, so that drift falls on all of them alike; only ratios
// taken this way mean anything on a noisy machine. See bench_python.py for
// the Python side; both use the same data set and the same visiting order.
//
//   mcs -out:Bench.exe -r:Motive.dll tests/bench/bindings/Bench.cs
//   LD_LIBRARY_PATH=<libmotive and libmotive_bench_c> mono Bench.exe \
//     [--calls N] [--customers N] [--rounds N] [--short] [--rules FILE]
// (--rules: the telecom ruleset; by default examples/rules/telecom.textproto
// from the current folder, the source tree's root.)
//
// Rows, per operation:
//   C               the call timed in C, as a C caller makes it: the
//                   baseline.
//   C#              engine.Summary(id) and
//                   engine.Decide(id, Channel.Voice, "billing").
//   P/Invoke direct the same C function through a blittable declaration of
//                   this file (an unmanaged struct, the id encoded once, the
//                   engine as an IntPtr; a decision's JSON still decoded to a
//                   string): what is left without the binding's marshalling.
// Each C# latency is read with motbench_now_ns, clock_gettime through
// P/Invoke: Mono's Stopwatch ticks in 100 ns, coarser than the calls. The
// floor rows give each language's pair of clock reads and the bare cost of a
// P/Invoke call into C.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using Motive;

internal static class Bench
{
    // The visiting order, as bench_python.py's: i * Stride mod n.
    private const long Stride = 1000003;
    private const ulong Seed = 6;

    [StructLayout(LayoutKind.Sequential)]
    private struct Buf
    {
        public IntPtr Data;
        public UIntPtr Size;
    }

    // mot_situation, blittable.
    [StructLayout(LayoutKind.Sequential)]
    private struct Situation
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
    private struct IngestCounts
    {
        public uint StructSize;
        public uint Reserved;
        public ulong Accepted;
        public ulong Duplicates;
        public ulong Rejected;
        // Since 0.6: motbench_ingest_journeys writes a whole 0.6 report.
        public ulong Records;
        public ulong Updated;
        public ulong ProfilesCreated;
        public ulong ProfilesMerged;
    }

    [SuppressUnmanagedCodeSecurity]
    private static class C
    {
        private const string Lib = "motive_bench_c";
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern long motbench_now_ns();

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_nop(IntPtr engine, byte[] customerId);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_clock(long[] outNs, UIntPtr calls);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_summary(long[] outNs, IntPtr engine, IntPtr[] ids,
                                                  UIntPtr nIds, UIntPtr calls, long asOfUs);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_decide(long[] outNs, out ulong outBytes, IntPtr engine,
                                                 IntPtr[] ids, UIntPtr nIds, UIntPtr calls,
                                                 ref Situation situation, int format);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_motive_copies();

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_customer_id(byte[] output, UIntPtr size, UIntPtr index);

        [DllImport(Lib, CallingConvention = Cdecl)]
        public static extern int motbench_ingest_journeys(ref IngestCounts report, IntPtr engine,
                                                          UIntPtr customers, ulong seed, long asOfUs);

        [DllImport("motive", CallingConvention = Cdecl)]
        public static extern int mot_context_summary_get(IntPtr output, IntPtr engine,
                                                         byte[] customerId, long asOfUs);

        [DllImport("motive", CallingConvention = Cdecl)]
        public static extern int mot_decide(ref Buf output, IntPtr engine, byte[] customerId,
                                            ref Situation situation, int format);

        [DllImport("motive", CallingConvention = Cdecl)]
        public static extern void mot_buf_dispose(ref Buf buf);

        [DllImport("motive", CallingConvention = Cdecl)]
        public static extern int mot_situation_init(ref Situation situation, uint structSize);

        [DllImport("motive", CallingConvention = Cdecl)]
        public static extern IntPtr mot_error_last();
    }

    private sealed class Variant
    {
        public readonly string Op;
        public readonly string Name;
        public readonly Func<int, long[]> Run;
        public readonly List<long> Samples = new List<long>();
        public readonly List<long> RoundP50 = new List<long>();

        public Variant(string op, string name, Func<int, long[]> run)
        {
            Op = op;
            Name = name;
            Run = run;
        }

        public void Measure(int calls)
        {
            long[] got = Run(calls);
            long[] sorted = (long[])got.Clone();
            Array.Sort(sorted);
            RoundP50.Add(Percentile(sorted, 50));
            Samples.AddRange(got);
        }
    }

    private static Engine engine;
    private static IntPtr handle;
    private static string[] ids;
    private static byte[][] idBytes;
    private static IntPtr[] idPointers;
    private static Situation situation;

    private static int Main(string[] args)
    {
        // Numbers printed the same whatever the locale.
        System.Threading.Thread.CurrentThread.CurrentCulture =
            System.Globalization.CultureInfo.InvariantCulture;
        int calls = 200000, customers = 5000, rounds = 50;
        string rules = "examples/rules/telecom.textproto";  // from the source tree
        for (int i = 0; i < args.Length; ++i)
        {
            switch (args[i])
            {
                case "--calls": calls = int.Parse(args[++i]); break;
                case "--customers": customers = int.Parse(args[++i]); break;
                case "--rounds": rounds = int.Parse(args[++i]); break;
                case "--rules": rules = args[++i]; break;
                case "--short": calls = 4000; customers = 500; rounds = 8; break;
                default:
                    Console.Error.WriteLine("usage: Bench.exe [--calls N] [--customers N] " +
                                            "[--rounds N] [--short] [--rules FILE]");
                    return 2;
            }
        }
        int perRound = Math.Max(1, calls / rounds);

        engine = Engine.Open(":memory:", new EngineOptions
        {
            SnapshotPath = "-",
            Ruleset = File.ReadAllText(rules),
            RulesetOrigin = Path.GetFileName(rules),
        });
        handle = EngineHandleOf(engine);
        int copies = C.motbench_motive_copies();
        if (copies != 1)
        {
            Console.Error.WriteLine("{0} copies of libmotive are mapped; the C baseline " +
                                    "would not run in the binding's library", copies);
            return 1;
        }

        IngestCounts ingest = default(IngestCounts);
        ingest.StructSize = (uint)Marshal.SizeOf(typeof(IngestCounts));
        Check(C.motbench_ingest_journeys(ref ingest, handle, (UIntPtr)customers, Seed, 0), "ingest");

        int n = customers;
        byte[][] byIndex = new byte[n][];
        byte[] idBuf = new byte[32];
        for (int i = 0; i < n; ++i)
        {
            int len = C.motbench_customer_id(idBuf, (UIntPtr)idBuf.Length, (UIntPtr)i);
            byIndex[i] = new byte[len + 1];
            Array.Copy(idBuf, byIndex[i], len);
        }
        ids = new string[n];
        idBytes = new byte[n][];
        idPointers = new IntPtr[n];
        for (int i = 0; i < n; ++i)
        {
            byte[] id = byIndex[(int)((i * Stride) % n)];
            idBytes[i] = id;
            ids[i] = Encoding.ASCII.GetString(id, 0, id.Length - 1);
            idPointers[i] = Marshal.AllocHGlobal(id.Length);
            Marshal.Copy(id, 0, idPointers[i], id.Length);
        }

        situation = default(Situation);
        Check(C.mot_situation_init(ref situation, (uint)Marshal.SizeOf(typeof(Situation))),
              "mot_situation_init");
        situation.Channel = (int)Channel.Voice;
        situation.Topic = Marshal.StringToHGlobalAnsi("billing");

        // Warm-up (the JIT compiles every path), and a look at the work.
        int proposing = 0;
        foreach (string id in ids)
        {
            if (engine.Decide(id, Channel.Voice, "billing").Contains("\"actions\":[{")) ++proposing;
            engine.Summary(id);
        }
        ulong bytes;
        Check(C.motbench_decide(new long[n], out bytes, handle, idPointers, (UIntPtr)n,
                                (UIntPtr)n, ref situation, 2), "decide");

        Variant[][] groups =
        {
            new[]
            {
                new Variant("summary", "C", CSummary),
                new Variant("summary", "C#", BindingSummary),
                new Variant("summary", "P/Invoke direct", DirectSummary),
            },
            new[]
            {
                new Variant("decide", "C", CDecide),
                new Variant("decide", "C#", BindingDecide),
                new Variant("decide", "P/Invoke direct", DirectDecide),
            },
            new[]
            {
                new Variant("floor", "C clock pair", CClock),
                new Variant("floor", "C# clock pair", BindingClock),
                new Variant("floor", "P/Invoke nop", Nop),
            },
        };
        foreach (Variant[] group in groups)
        {
            foreach (Variant v in group) v.Run(Math.Min(perRound, 2000));
        }
        for (int r = 0; r < rounds; ++r)
        {
            foreach (Variant[] group in groups)
            {
                for (int k = 0; k < group.Length; ++k)
                {
                    group[(k + r) % group.Length].Measure(perRound);
                }
            }
        }

        Console.WriteLine("motive {0} binding overhead: C# on Mono {1} (P/Invoke) against C, " +
                          "in one process", Engine.Version, MonoVersion());
        Console.WriteLine("{0} customers ({1} events), {2} calls a row in {3} interleaved " +
                          "rounds; decisions: voice, billing, inbound, now ({4:F0}% propose an " +
                          "action, {5:F0} bytes of JSON on average)",
                          customers, ingest.Accepted, perRound * rounds, rounds,
                          100.0 * proposing / n, (double)bytes / n);
        Console.WriteLine("calls/s = 1 / mean latency; x C by round: the ratio of p50s in " +
                          "each round, lowest-highest");
        Console.WriteLine();
        var all = new List<Variant>();
        foreach (Variant[] group in groups) all.AddRange(group);
        Report(all);
        engine.Dispose();
        return 0;
    }

    // The binding keeps its handle private; a benchmark may look, the API
    // need not show it.
    private static IntPtr EngineHandleOf(Engine e)
    {
        FieldInfo field = typeof(Engine).GetField("handle",
                                                  BindingFlags.NonPublic | BindingFlags.Instance);
        if (field == null) throw new InvalidOperationException("Motive.Engine has no handle field");
        return ((SafeHandle)field.GetValue(e)).DangerousGetHandle();
    }

    private static string MonoVersion()
    {
        Type mono = Type.GetType("Mono.Runtime");
        MethodInfo name = mono == null ? null
            : mono.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static);
        string text = name == null ? Environment.Version.ToString() : (string)name.Invoke(null, null);
        int space = text.IndexOf(' ');
        return space < 0 ? text : text.Substring(0, space);
    }

    private static void Check(int status, string what)
    {
        if (status == 0) return;
        string message = Marshal.PtrToStringAnsi(C.mot_error_last());
        throw new InvalidOperationException(what + " failed (" + status + "): " + message);
    }

    // --- the timed loops: one per variant, the call written out in each ---

    private static long[] CSummary(int calls)
    {
        long[] output = new long[calls];
        Check(C.motbench_summary(output, handle, idPointers, (UIntPtr)idPointers.Length,
                                 (UIntPtr)calls, 0), "summary");
        return output;
    }

    private static long[] CDecide(int calls)
    {
        long[] output = new long[calls];
        ulong bytes;
        Check(C.motbench_decide(output, out bytes, handle, idPointers,
                                (UIntPtr)idPointers.Length, (UIntPtr)calls, ref situation, 2),
              "decide");
        return output;
    }

    private static long[] CClock(int calls)
    {
        long[] output = new long[calls];
        Check(C.motbench_clock(output, (UIntPtr)calls), "clock");
        return output;
    }

    private static long[] BindingSummary(int calls)
    {
        long[] output = new long[calls];
        Engine e = engine;
        for (int i = 0; i < calls; ++i)
        {
            string id = ids[i % ids.Length];
            long t0 = C.motbench_now_ns();
            e.Summary(id);
            long t1 = C.motbench_now_ns();
            output[i] = t1 - t0;
        }
        return output;
    }

    private static long[] BindingDecide(int calls)
    {
        long[] output = new long[calls];
        Engine e = engine;
        for (int i = 0; i < calls; ++i)
        {
            string id = ids[i % ids.Length];
            long t0 = C.motbench_now_ns();
            e.Decide(id, Channel.Voice, "billing");
            long t1 = C.motbench_now_ns();
            output[i] = t1 - t0;
        }
        return output;
    }

    private static long[] DirectSummary(int calls)
    {
        long[] output = new long[calls];
        int size = (int)ContextSummary.Size;
        IntPtr s = Marshal.AllocHGlobal(size);
        try
        {
            for (int k = 0; k < size; ++k) Marshal.WriteByte(s, k, 0);
            Marshal.WriteInt32(s, size);  // struct_size; the library writes the rest
            IntPtr h = handle;
            for (int i = 0; i < calls; ++i)
            {
                byte[] id = idBytes[i % idBytes.Length];
                long t0 = C.motbench_now_ns();
                int status = C.mot_context_summary_get(s, h, id, 0);
                long t1 = C.motbench_now_ns();
                if (status != 0) Check(status, "mot_context_summary_get");
                output[i] = t1 - t0;
            }
        }
        finally
        {
            Marshal.FreeHGlobal(s);
        }
        return output;
    }

    private static long[] DirectDecide(int calls)
    {
        long[] output = new long[calls];
        IntPtr h = handle;
        for (int i = 0; i < calls; ++i)
        {
            byte[] id = idBytes[i % idBytes.Length];
            long t0 = C.motbench_now_ns();
            Buf b = default(Buf);
            int status = C.mot_decide(ref b, h, id, ref situation, 2);
            int size = (int)b.Size.ToUInt64();
            byte[] json = new byte[size];
            Marshal.Copy(b.Data, json, 0, size);
            Encoding.UTF8.GetString(json);
            C.mot_buf_dispose(ref b);
            long t1 = C.motbench_now_ns();
            if (status != 0) Check(status, "mot_decide");
            output[i] = t1 - t0;
        }
        return output;
    }

    private static long[] BindingClock(int calls)
    {
        long[] output = new long[calls];
        for (int i = 0; i < calls; ++i)
        {
            long t0 = C.motbench_now_ns();
            long t1 = C.motbench_now_ns();
            output[i] = t1 - t0;
        }
        return output;
    }

    private static long[] Nop(int calls)
    {
        long[] output = new long[calls];
        IntPtr h = handle;
        for (int i = 0; i < calls; ++i)
        {
            byte[] id = idBytes[i % idBytes.Length];
            long t0 = C.motbench_now_ns();
            C.motbench_nop(h, id);
            long t1 = C.motbench_now_ns();
            output[i] = t1 - t0;
        }
        return output;
    }

    // --- the report ---

    private static long Percentile(long[] sorted, double q)
    {
        if (sorted.Length == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(sorted.Length * q / 100));
        return sorted[rank - 1];
    }

    private static string Ns(double ns)
    {
        if (ns >= 100000) return (ns / 1000).ToString("F0") + " us";
        if (ns >= 1000) return (ns / 1000).ToString("F2") + " us";
        return ns.ToString("F0") + " ns";
    }

    private static string Rate(double perSecond)
    {
        return perSecond >= 1e6 ? (perSecond / 1e6).ToString("F2") + " M/s"
                                : (perSecond / 1e3).ToString("F1") + " k/s";
    }

    private static void Report(List<Variant> variants)
    {
        string header = string.Format("{0,-8} {1,-16} {2,9} {3,9} {4,10} {5,9} {6,6}  x C by round",
                                      "op", "caller", "p50", "p99", "calls/s", "p50 - C", "x C");
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        var bases = new Dictionary<string, Variant>();
        foreach (Variant v in variants)
        {
            if (v.Name == "C") bases[v.Op] = v;
        }
        foreach (Variant v in variants)
        {
            long[] sorted = v.Samples.ToArray();
            Array.Sort(sorted);
            long p50 = Percentile(sorted, 50), p99 = Percentile(sorted, 99);
            double sum = 0;
            foreach (long x in sorted) sum += x;
            string line = string.Format("{0,-8} {1,-16} {2,9} {3,9} {4,10}", v.Op, v.Name,
                                        Ns(p50), Ns(p99), Rate(1e9 * sorted.Length / sum));
            Variant b;
            if (bases.TryGetValue(v.Op, out b) && b != v)
            {
                long[] bs = b.Samples.ToArray();
                Array.Sort(bs);
                long b50 = Percentile(bs, 50);
                double lo = double.MaxValue, hi = 0;
                for (int r = 0; r < v.RoundP50.Count; ++r)
                {
                    double ratio = (double)v.RoundP50[r] / b.RoundP50[r];
                    lo = Math.Min(lo, ratio);
                    hi = Math.Max(hi, ratio);
                }
                line += string.Format(" {0,9} {1,6:F2}  {2:F2}-{3:F2}", Ns(p50 - b50),
                                      (double)p50 / b50, lo, hi);
            }
            else if (b == v)
            {
                line += string.Format(" {0,9} {1,6:F2}", "", 1.0);
            }
            Console.WriteLine(line);
        }
    }
}
