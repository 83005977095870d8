/* pyscripts.S - embed the Python work scripts (see pyrun.h), so that an
 * installed gilscope needs no data files. Paths are relative to the top of
 * the tree, where make runs the assembler. */
	.section .rodata
	.global py_work_script, py_work_script_end
	.global py_async_script, py_async_script_end
	.global py_block_script, py_block_script_end
py_work_script:
	.incbin "workloads/python/gilscope_work.py"
py_work_script_end:
	.byte 0
py_async_script:
	.incbin "workloads/python/gilscope_async.py"
py_async_script_end:
	.byte 0
py_block_script:
	.incbin "workloads/python/gilscope_block.py"
py_block_script_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
