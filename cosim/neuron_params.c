/* neuron_params.c — configure-time helper of cosim/CMakeLists.txt (built
 * and run by try_run): reads the neuron configurations of a file, one a
 * line, with ax_neuron_parse and prints, one line each,
 *   name|model|reset|fmt|mul|add|beta|theta|canonical
 * model and reset as rtl/ax_neuron.v's MODEL and RESET, fmt, mul and add by
 * their canonical names (looked up in the unit table by ax_fmt_params and
 * ax_unit_params), beta and theta as sized Verilog literals of the membrane
 * format (16'h3f66), canonical the configuration as ax_neuron_name writes
 * it. name is the configuration's name for axsim verify --config and CTest:
 * neuron.<model>.<fmt>.<mul>+<add>.<reset> (neuron.if.<fmt>.<add>.<reset>),
 * with .beta=B and .theta=T when they are not the defaults. A bad string:
 * "error|<string>|<the parser's message>" and exit status 1. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ax_neuron.h"
#include "ax_registry.h"

static const char *const model_names[] = {"lif", "if"};
static const char *const reset_names[] = {"subtract", "zero", "none"};

int main(int argc, char **argv)
{
    FILE *in = argc == 2 ? fopen(argv[1], "r") : NULL;
    if (!in) {
        printf("error|%s|usage: neuron_params FILE (one configuration a line)\n",
               argc == 2 ? argv[1] : "");
        return 1;
    }
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        ax_neuron_cfg_t c, d;
        char err[512], f[48], m[96], a[96], canon[400];
        if (ax_neuron_parse(line, &c, err, sizeof err)) {
            printf("error|%s|%s\n", line, err);
            return 1;
        }
        /* the defaults of beta and theta in this format and model */
        char dspec[160];
        snprintf(dspec, sizeof dspec, "neuron=%s,fmt=%s", model_names[c.model],
                 ax_format_name(c.fmt, f, sizeof f));
        if (ax_neuron_parse(dspec, &d, err, sizeof err)) {
            printf("error|%s|%s\n", dspec, err);
            return 1;
        }
        ax_unit_name(c.mul, m, sizeof m);
        ax_unit_name(c.add, a, sizeof a);
        char name[400];
        int n = c.model == AX_NEURON_LIF
                    ? snprintf(name, sizeof name, "neuron.lif.%s.%s+%s.%s", f, m, a,
                               reset_names[c.reset])
                    : snprintf(name, sizeof name, "neuron.if.%s.%s.%s", f, a, reset_names[c.reset]);
        if (c.model == AX_NEURON_LIF && c.beta != d.beta)
            n += snprintf(name + n, sizeof name - n, ".beta=%.17g", ax_to_double(c.beta, c.fmt));
        if (c.theta != d.theta)
            snprintf(name + n, sizeof name - n, ".theta=%.17g", ax_to_double(c.theta, c.fmt));
        const int w = ax_fmt_width(c.fmt);
        printf("%s|%d|%d|%s|%s|%s|%d'h%x|%d'h%x|%s\n", name, c.model, c.reset, f, m, a, w,
               (unsigned)c.beta, w, (unsigned)c.theta, ax_neuron_name(&c, canon, sizeof canon));
    }
    fclose(in);
    return 0;
}
