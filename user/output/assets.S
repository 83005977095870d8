/* assets.S - embed the report's assets (see assets.h). CHARTJS_PATH,
 * REPORT_JS_PATH, REPORT_CSS_PATH come from the Makefile. */
	.section .rodata
	.global asset_chartjs, asset_chartjs_end
	.global asset_report_js, asset_report_js_end
	.global asset_report_css, asset_report_css_end
asset_chartjs:
	.incbin CHARTJS_PATH
asset_chartjs_end:
	.byte 0
asset_report_js:
	.incbin REPORT_JS_PATH
asset_report_js_end:
	.byte 0
asset_report_css:
	.incbin REPORT_CSS_PATH
asset_report_css_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
