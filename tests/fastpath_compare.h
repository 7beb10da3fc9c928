// fastpath_compare.h — the comparison the cpu fast-path tests share
// (test_fastpath.cpp, test_fastpath_adders.cpp): an engine against ref on one
// GEMM, every element and the flags, the first difference reported.
#ifndef AX_FASTPATH_COMPARE_H
#define AX_FASTPATH_COMPARE_H

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "ax_fastpath.h"
#include "test_util.h"

// A configuration and shape in one line; what (if not empty) in brackets.
inline std::string show(const ax_mac_cfg_t &c, const ax_gemm_shape_t &s, const char *what = "")
{
    char b[320], name[160];
    ax_mac_name(&c, name, sizeof name);
    std::snprintf(b, sizeof b, "%s m=%lld n=%lld k=%lld ta=%d tb=%d batch=%lld chunk=%lld%s%s%s", name,
                  (long long)s.m, (long long)s.n, (long long)s.k, s.trans_a, s.trans_b,
                  (long long)s.batch, (long long)s.chunk, *what ? " (" : "", what, *what ? ")" : "");
    return b;
}

// ref and e on (c, s); the number of differing elements (+1 when the flags
// differ); the first difference is reported.
inline int compare(ax_engine_t *e, const ax_mac_cfg_t &c, const ax_gemm_shape_t &s,
                   const std::vector<uint32_t> &A, const std::vector<uint32_t> &B, bool want_flags,
                   const char *what = "")
{
    engine ref(AX_BACKEND_REF);
    std::vector<uint32_t> Cr((size_t)(s.stride_c * (s.batch - 1) + s.m * s.ldc), 0xDEADBEEF), Ce = Cr;
    uint32_t fr = 0, fe = 0;
    char err[256];
    REQUIRE(ax_gemm(ref.e, &c, &s, A.data(), B.data(), Cr.data(), want_flags ? &fr : nullptr, err, sizeof err) == 0);
    REQUIRE(ax_gemm(e, &c, &s, A.data(), B.data(), Ce.data(), want_flags ? &fe : nullptr, err, sizeof err) == 0);
    int bad = 0;
    for (size_t i = 0; i < Cr.size(); i++)
        if (Cr[i] != Ce[i] && bad++ == 0)
            UNSCOPED_INFO(show(c, s, what) << ": element " << i << " ref 0x" << std::hex << Cr[i] << " "
                                           << ax_engine_last_path(e) << " 0x" << Ce[i]);
    if (want_flags && fr != fe) {
        UNSCOPED_INFO(show(c, s, what) << ": flags ref 0x" << std::hex << fr << " vs 0x" << fe << " ("
                                       << ax_engine_last_path(e) << ")");
        bad++;
    }
    return bad;
}

#endif // AX_FASTPATH_COMPARE_H
