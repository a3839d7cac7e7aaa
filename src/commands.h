/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The subcommands; each returns the process exit status. */
#pragma once

int cmd_host (int argc, char **argv);
int cmd_plan (int argc, char **argv);
int cmd_run (int argc, char **argv);
