/* ax_byo.h — axsim verify --manifest FILE: verify your own unit
 * (docs/byo-unit.md). The library ax_byo (cosim/byo/) reads and checks the
 * manifest (byo_manifest.h), writes a small CMake project into the cache
 * folder, builds it against axsim's verifier and runs it; the axsim command
 * links it. */
#ifndef AX_BYO_H
#define AX_BYO_H

#ifdef __cplusplus
extern "C" {
#endif

/* argv[at] is "--manifest", argv[at + 1] the manifest; every other argument
 * goes to the built verifier, which replaces this process (execv) when the
 * build succeeds. Otherwise prints "axsim verify: why" and returns axsim's
 * exit code: 2 (a bad manifest or usage), 1 (no Verilator in this build, or
 * the build failed). */
int ax_byo_verify(int argc, char **argv, int at);

#ifdef __cplusplus
}
#endif

#endif /* AX_BYO_H */
