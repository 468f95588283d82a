// The motive CLI's commands. Each takes the arguments that follow its name
// and returns the process's exit code (command_line.h).

#ifndef MOTIVE_EXAMPLES_CLI_COMMANDS_H_
#define MOTIVE_EXAMPLES_CLI_COMMANDS_H_

namespace motive::cli {

int RunGenerate(int argc, char** argv);
int RunIngest(int argc, char** argv);
int RunImport(int argc, char** argv);
int RunTimeline(int argc, char** argv);
int RunContext(int argc, char** argv);
int RunSnapshot(int argc, char** argv);
int RunErase(int argc, char** argv);
int RunExpire(int argc, char** argv);
int RunExpr(int argc, char** argv);
int RunNext(int argc, char** argv);
int RunFeedback(int argc, char** argv);
int RunWhois(int argc, char** argv);
int RunLink(int argc, char** argv);
int RunUnlink(int argc, char** argv);
int RunWhatIf(int argc, char** argv);
int RunJourney(int argc, char** argv);
int RunJourneys(int argc, char** argv);
int RunDesktop(int argc, char** argv);

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_COMMANDS_H_
