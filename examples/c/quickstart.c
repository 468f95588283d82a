#include <stdio.h>
#include <string.h>

#include "motive/motive.h"

int main(void) {
  mot_engine *engine = NULL;
  if (mot_engine_open(&engine, ":memory:", NULL) != MOT_OK) {
    fprintf(stderr, "open: %s\n", mot_error_last());
    return 1;
  }

  /* A call that ended unresolved: one event, in protobuf's JSON mapping. */
  const char *event =
      "{\"customer_id\": \"C042\", \"type\": \"contact\","
      " \"channel\": \"voice\", \"topic\": \"billing\","
      " \"outcome\": \"unresolved\", \"sentiment\": -0.6,"
      " \"occurred_at\": \"2025-03-01T10:00:00Z\"}";
  int32_t stored = 0;
  if (mot_event_record(&stored, engine, MOT_FORMAT_JSON, event,
                       strlen(event)) != MOT_OK) {
    fprintf(stderr, "record: %s\n", mot_error_last());
    mot_engine_close(engine);
    return 1;
  }

  /* Read the customer's journey back, in event-time order. */
  mot_timeline_options opts = MOT_TIMELINE_OPTIONS_INIT;
  opts.format = MOT_FORMAT_JSON;
  mot_buf timeline = {NULL, 0};
  if (mot_timeline_get(&timeline, engine, "C042", &opts) == MOT_OK) {
    printf("stored=%d %s\n", (int)stored, (const char *)timeline.data);
  }
  mot_buf_dispose(&timeline);
  mot_engine_close(engine);
  return 0;
}
