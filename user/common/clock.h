/* clock.h - the one clock of gilscope: CLOCK_MONOTONIC, the clock of the BPF
 * programs' bpf_ktime_get_ns(), so user-space and kernel timestamps compare. */
#ifndef GS_CLOCK_H
#define GS_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ns(void);
/* Seconds since since_ns (a clock_mono_ns() value). */
double clock_elapsed_s(uint64_t since_ns);

#endif
