/* html.h - the self-contained HTML report of a results document. */
#ifndef GS_HTML_H
#define GS_HTML_H

#include <stdio.h>
#include <jansson.h>

/* One file, no network: inline Chart.js, the page script and style, and the
 * document as JSON the script renders with textContent. The page decides
 * nothing: verdicts come from the document's claims[] and verdict_table. */
int html_write_report(FILE *f, const json_t *doc);
/* The page of `gilscope compare` (see compare.h for cmp). */
int html_write_comparison(FILE *f, const json_t *cmp);
/* Write JSON so that it is safe inside <script type="application/json">:
 * '<', '>' and '&' become \u003c, \u003e, \u0026. */
int html_write_json(FILE *f, const json_t *v);

#endif
