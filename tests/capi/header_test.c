/* The public header compiles as strict C99 on its own, and its _INIT macros
 * are valid initialisers. Built with -std=c99 -pedantic -Werror. */
#include "motive/motive.h"

int main(void) {
  mot_engine_options e = MOT_ENGINE_OPTIONS_INIT;
  mot_ingest_options i = MOT_INGEST_OPTIONS_INIT;
  mot_ingest_report r = MOT_INGEST_REPORT_INIT;
  mot_timeline_options t = MOT_TIMELINE_OPTIONS_INIT;
  mot_context_summary c = MOT_CONTEXT_SUMMARY_INIT;
  mot_engine_stats s = MOT_ENGINE_STATS_INIT;
  mot_situation n = MOT_SITUATION_INIT;
  mot_buf b = {0, 0};
  (void)b;
  return (e.struct_size && i.struct_size && r.struct_size && t.struct_size &&
          c.struct_size && s.struct_size && n.struct_size)
             ? 0
             : 1;
}
