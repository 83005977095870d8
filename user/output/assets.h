/* assets.h - report assets embedded in the binary at build time (assets.S),
 * so `gilscope report` works anywhere and reports need no network. */
#ifndef GS_ASSETS_H
#define GS_ASSETS_H

extern const char asset_chartjs[], asset_chartjs_end[];
extern const char asset_report_js[], asset_report_js_end[];
extern const char asset_report_css[], asset_report_css_end[];

#endif
