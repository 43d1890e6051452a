/* Durations as users write them: "50m", "15s", "1h30m", "2.5s", "500ms", or plain seconds. */
#ifndef WF_DURATION_H
#define WF_DURATION_H
#include "wf.h"

/* Parses text into seconds (>= 0). WF_EINVAL with a message quoting the text otherwise. */
wf_status wf_duration_parse(const char *text, double *seconds, wf_error *err);
/* Formats seconds compactly ("2m10s", "50m", "1.5s") into buf. */
void wf_duration_format(double seconds, char *buf, size_t size);

#endif
