/* The simulated clock: sim time = start + real elapsed time * time scale, so a ten-minute
 * wait in a resource model passes in ten seconds at --time-scale 60. Thread-safe. */
#ifndef WF_SIM_CLOCK_H
#define WF_SIM_CLOCK_H
#include <pthread.h>

typedef struct wf_sim_clock {
    pthread_mutex_t lock;
    double base_sim;    /* sim epoch seconds at base_real */
    double base_real;   /* CLOCK_MONOTONIC seconds */
    double scale;       /* > 0 */
} wf_sim_clock;

/* Starts the clock at the wall-clock time now, running scale times faster than real time
 * (scale > 0). Destroy with wf_sim_clock_destroy. */
void wf_sim_clock_init(wf_sim_clock *c, double scale);
void wf_sim_clock_destroy(wf_sim_clock *c);

/* Sim time in epoch seconds (with fraction). */
double wf_sim_clock_now(wf_sim_clock *c);
double wf_sim_clock_scale(wf_sim_clock *c);
/* Changes the speed from now on; time already passed stays passed. scale > 0. */
void wf_sim_clock_set_scale(wf_sim_clock *c, double scale);
/* Jumps forward by seconds (>= 0): what a test does instead of waiting. */
void wf_sim_clock_advance(wf_sim_clock *c, double seconds);
/* Moves the clock up to epoch if it is behind (a saved world may have run ahead of the
 * wall clock at a high time scale: time never goes backwards across a restart). */
void wf_sim_clock_not_before(wf_sim_clock *c, double epoch);

/* Wall-clock epoch seconds (real time, for the request log and signature skew). */
double wf_sim_real_now(void);

#endif
