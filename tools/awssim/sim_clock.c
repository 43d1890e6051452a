/* The simulated clock: a monotonic base and a scale, rebased whenever the scale changes. */
#include "sim_clock.h"
#include <assert.h>
#include <time.h>

static double monotonic_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double wf_sim_real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sim time at real time `real`; the caller holds the lock. */
static double now_locked(const wf_sim_clock *c, double real)
{
    return c->base_sim + (real - c->base_real) * c->scale;
}

void wf_sim_clock_init(wf_sim_clock *c, double scale)
{
    assert(scale > 0);
    pthread_mutex_init(&c->lock, NULL);
    c->base_real = monotonic_now();
    c->base_sim = wf_sim_real_now();
    c->scale = scale;
}

void wf_sim_clock_destroy(wf_sim_clock *c)
{
    pthread_mutex_destroy(&c->lock);
}

double wf_sim_clock_now(wf_sim_clock *c)
{
    pthread_mutex_lock(&c->lock);
    double t = now_locked(c, monotonic_now());
    pthread_mutex_unlock(&c->lock);
    return t;
}

double wf_sim_clock_scale(wf_sim_clock *c)
{
    pthread_mutex_lock(&c->lock);
    double s = c->scale;
    pthread_mutex_unlock(&c->lock);
    return s;
}

void wf_sim_clock_set_scale(wf_sim_clock *c, double scale)
{
    assert(scale > 0);
    pthread_mutex_lock(&c->lock);
    double real = monotonic_now();
    c->base_sim = now_locked(c, real);
    c->base_real = real;
    c->scale = scale;
    pthread_mutex_unlock(&c->lock);
}

void wf_sim_clock_advance(wf_sim_clock *c, double seconds)
{
    assert(seconds >= 0);
    pthread_mutex_lock(&c->lock);
    c->base_sim += seconds;
    pthread_mutex_unlock(&c->lock);
}

void wf_sim_clock_not_before(wf_sim_clock *c, double epoch)
{
    pthread_mutex_lock(&c->lock);
    double real = monotonic_now();
    double now = now_locked(c, real);
    if (now < epoch) {
        c->base_sim = epoch;
        c->base_real = real;
    }
    pthread_mutex_unlock(&c->lock);
}
