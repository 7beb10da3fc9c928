/* verb_formats.c — `axsim formats`: the named formats, the eXmY rule, the
 * suffixes. */
#include <stdio.h>

#include "cli.h"

int ax_verb_formats(int argc, char **argv)
{
    if (ax_cli_wants_help(argc, argv)) {
        printf("usage: axsim formats\n\nLists the number formats axsim accepts wherever a format "
               "is asked for\n(--fmt, --out-fmt).\n");
        return AX_EXIT_OK;
    }
    if (argc > 1) {
        ax_cli_error("formats", "unexpected argument '%s' (see axsim formats --help)", argv[1]);
        return AX_EXIT_USAGE;
    }
    fputs(ax_format_help, stdout);
    return AX_EXIT_OK;
}
