/* Opens an engine, records an event and reads the customer's summary back
 * through the installed header and library. */
#include <motive/motive.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  mot_engine *engine = NULL;
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  const char *event =
      "{\"customer_id\": \"c-1\", \"type\": \"contact\", \"channel\": "
      "\"voice\", \"occurred_at\": \"2025-01-01T00:00:00Z\"}";
  if (strcmp(mot_version(), MOT_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", MOT_VERSION_STRING,
            mot_version());
    return 1;
  }
  if (mot_engine_open(&engine, ":memory:", NULL) != MOT_OK ||
      mot_event_record(NULL, engine, MOT_FORMAT_JSON, event, strlen(event)) !=
          MOT_OK ||
      mot_context_summary_get(&summary, engine, "c-1", 0) != MOT_OK) {
    fprintf(stderr, "motive: %s\n", mot_error_last());
    mot_engine_close(engine);
    return 1;
  }
  printf("motive %s: customer c-1 has %llu event(s)\n", mot_version(),
         (unsigned long long)summary.events);
  mot_engine_close(engine);
  return summary.events == 1 ? 0 : 1;
}
