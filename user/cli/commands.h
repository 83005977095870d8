/* commands.h - the gilscope subcommands; main.c dispatches to these.
 * Each returns the process exit status. */
#ifndef GS_COMMANDS_H
#define GS_COMMANDS_H

int cmd_record(int argc, char **argv);  /* user/cli/record.c */
int cmd_doctor(int argc, char **argv);  /* user/cli/doctor.c */
int cmd_run(int argc, char **argv);     /* user/cli/run_cmd.c */
int cmd_report(int argc, char **argv);  /* user/cli/report_cmd.c */
int cmd_compare(int argc, char **argv); /* user/cli/compare_cmd.c */

#endif
