/* ax_spec.h — the compact key=value strings that configure a MAC
 * (ax_mac_parse) and a neuron (ax_neuron_parse): one reader for both. Host
 * only. Not installed. */
#ifndef AX_SPEC_H
#define AX_SPEC_H

#include <stddef.h>

enum { AX_SPEC_MAX_KEYS = 12, AX_SPEC_VAL = 256 };

typedef struct ax_spec_items {
    int seen[AX_SPEC_MAX_KEYS];
    char val[AX_SPEC_MAX_KEYS][AX_SPEC_VAL];
} ax_spec_items_t;

/* Splits spec ("key=value,key=value,...") over keys[0..nkeys-1]: each key at
 * most once, in any order, with a non-empty value. A comma-separated item
 * "name=value" that is not a key continues the value of the key before it
 * when that key's bit is set in unit_keys (a unit's own parameters:
 * "mul=realm:m=8,q=6" gives mul "realm:m=8,q=6"). what names the string in
 * messages ("MAC configuration"), example shows a valid one. 0, or -1 with a
 * message naming the keys. */
int ax_spec_split(const char *spec, const char *const *keys, int nkeys, unsigned unit_keys,
                  const char *what, const char *example, ax_spec_items_t *out, char *err,
                  size_t errlen);

/* A unit of kind (AX_KIND_MUL or AX_KIND_ADD) from a key's value, its mul_ or
 * add_ prefix optional. 0, or -1 with "<what>: <key>: <why>" in err. */
struct ax_unit;
int ax_spec_unit(const char *what, const char *key, const char *v, int kind, struct ax_unit *u,
                 char *err, size_t errlen);

#endif
