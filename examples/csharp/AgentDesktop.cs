// An agent desktop's lookup, in C#: when a call comes in, show the agent who
// the customer is (the context summary) and what to do next (the decision).
//
//   mono AgentDesktop.exe <database> <ruleset.textproto> <customer> [topic]
//
// Build: mcs -r:Motive.dll AgentDesktop.cs; run with libmotive on the
// loader's path (LD_LIBRARY_PATH).
using System;
using System.IO;
using Motive;

internal static class AgentDesktop
{
    public static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: AgentDesktop <database> <ruleset> <customer> [topic]");
            return 2;
        }
        try
        {
            EngineOptions options = new EngineOptions
            {
                Ruleset = File.ReadAllText(args[1]),
                RulesetOrigin = args[1],
            };
            using (Engine engine = Engine.Open(args[0], options))
            {
                string customer = args[2];
                ContextSummary s = engine.Summary(customer);
                if (s.Known == 0)
                {
                    Console.WriteLine("{0}: a new customer", customer);
                }
                else
                {
                    Console.WriteLine("{0}: {1} events, {2} contacts in 30 days, last about '{3}'",
                                      customer, s.Events, s.Contacts30d, s.LastContactTopic);
                    Console.WriteLine("  strikes {0}{1}, churn risk {2:0.00}", s.Strikes,
                                      s.AtRisk != 0 ? " (at risk)" : "", s.ChurnRisk);
                }
                string topic = args.Length > 3 ? args[3] : null;
                Console.WriteLine(engine.Decide(customer, Channel.Voice, topic));
            }
            return 0;
        }
        catch (MotiveException e)
        {
            Console.Error.WriteLine("motive: {0} ({1})", e.Message, e.Code);
            return 1;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
