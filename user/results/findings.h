/* findings.h - a short list of what a run's figures say, each citing them:
 * runs[].findings[] = {id, text, figures}. Decided here, from the run object
 * alone (pure: tests/unit/test_findings.c); writers only render the list.
 * The thresholds are one table (findings_thresholds[]), documented in
 * docs/results.md ("Findings").
 */
#ifndef GS_FINDINGS_H
#define GS_FINDINGS_H

#include <stddef.h>
#include <jansson.h>

struct finding_threshold {
	const char *name;
	double value;
	const char *meaning;
};

extern const struct finding_threshold findings_thresholds[];
extern const size_t findings_nthresholds;
/* The value of a threshold by name (the program aborts on an unknown name:
 * a typo in this module, caught by its tests). */
double findings_threshold(const char *name);

/* The findings of one run (a new array; empty when there is nothing to say
 * or the run has no time breakdown). Reads threads[] (the breakdown, label),
 * python[], locks[], metrics, histograms.gil_wait, wall_s, tracer. */
json_t *findings_decide(const json_t *run);

#endif
