/* ax_flags.h — IEEE 754 status flags, bit-compatible with Berkeley SoftFloat
 * and TestFloat (so `axsim calc` reads and writes TestFloat's flag column). */
#ifndef AX_FLAGS_H
#define AX_FLAGS_H

enum {
    AX_FLAG_INEXACT   = 0x01,
    AX_FLAG_UNDERFLOW = 0x02, /* tiny after rounding and inexact */
    AX_FLAG_OVERFLOW  = 0x04,
    AX_FLAG_INFINITE  = 0x08, /* divide-by-zero; no unit raises it today */
    AX_FLAG_INVALID   = 0x10
};

#endif /* AX_FLAGS_H */
