// test_data.cpp — the dataset readers (networks/ax_data.c): IDX and NPY
// files written here byte by byte (expected values are the ones written),
// plain and gzip; every malformed or truncated case names the file and the
// reason; datasets, normalization, seeded shuffling; Fashion-MNIST itself
// when Debian's dataset-fashion-mnist is installed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>
#include <zlib.h>

#include "ax_data.h"
#include "test_util.h"

namespace {

struct tmp : temp_dir {
    std::string put(const std::string &name, const std::vector<unsigned char> &bytes, bool gz = false)
    {
        std::string p = path + "/" + name;
        if (gz) {
            gzFile f = gzopen(p.c_str(), "wb");
            gzwrite(f, bytes.data(), (unsigned)bytes.size());
            gzclose(f);
        } else {
            FILE *f = std::fopen(p.c_str(), "wb");
            std::fwrite(bytes.data(), 1, bytes.size(), f);
            std::fclose(f);
        }
        return p;
    }
};

void be32(std::vector<unsigned char> &b, uint32_t v)
{
    for (int i = 3; i >= 0; i--) b.push_back((unsigned char)(v >> (8 * i)));
}

std::vector<unsigned char> idx_header(unsigned char type, std::vector<uint32_t> dims)
{
    std::vector<unsigned char> b = {0, 0, type, (unsigned char)dims.size()};
    for (uint32_t d : dims) be32(b, d);
    return b;
}

std::vector<unsigned char> npy(const std::string &dict, const std::vector<unsigned char> &data, int major = 1)
{
    std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0};
    std::string h = dict;
    size_t pre = major == 1 ? 10 : 12;
    while ((pre + h.size() + 1) % 64) h += ' ';
    h += '\n';
    for (int i = 0; i < (major == 1 ? 2 : 4); i++) b.push_back((unsigned char)(h.size() >> (8 * i)));
    b.insert(b.end(), h.begin(), h.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

std::string load_error(const std::string &path)
{
    ax_array_t a;
    char err[512] = "";
    if (ax_array_load(path.c_str(), &a, err, sizeof err) == 0) {
        ax_array_free(&a);
        return "loaded";
    }
    CHECK(a.data == nullptr); // nothing half-filled
    return err;
}

} // namespace

TEST_CASE("data: IDX ubyte images, plain and gzip", "[data]")
{
    tmp t;
    auto b = idx_header(0x08, {2, 3, 4});
    for (int i = 0; i < 24; i++) b.push_back((unsigned char)(i * 10));
    for (bool gz : {false, true}) {
        std::string p = t.put(gz ? "x.idx.gz" : "x.idx", b, gz);
        ax_array_t a;
        char err[512];
        REQUIRE(ax_idx_load(p.c_str(), &a, err, sizeof err) == 0);
        CHECK(a.ndim == 3);
        CHECK((a.dims[0] == 2 && a.dims[1] == 3 && a.dims[2] == 4));
        CHECK(a.count == 24);
        CHECK(a.integral == 1);
        for (int i = 0; i < 24; i++) CHECK(a.data[i] == (float)(i * 10));
        ax_array_free(&a);
    }
}

TEST_CASE("data: IDX signed and float types are big-endian", "[data]")
{
    tmp t;
    ax_array_t a;
    char err[512];
    auto b = idx_header(0x0B, {2});
    b.insert(b.end(), {0xFF, 0xFE, 0x01, 0x00}); // -2, 256
    REQUIRE(ax_idx_load(t.put("s.idx", b).c_str(), &a, err, sizeof err) == 0);
    CHECK(a.data[0] == -2.0f);
    CHECK(a.data[1] == 256.0f);
    ax_array_free(&a);
    b = idx_header(0x0D, {1});
    b.insert(b.end(), {0x3F, 0xC0, 0x00, 0x00}); // 1.5f
    REQUIRE(ax_idx_load(t.put("f.idx", b).c_str(), &a, err, sizeof err) == 0);
    CHECK(a.data[0] == 1.5f);
    CHECK(a.integral == 0);
    ax_array_free(&a);
    b = idx_header(0x0E, {1});
    b.insert(b.end(), {0xC0, 0x09, 0x00, 0, 0, 0, 0, 0}); // -3.125
    REQUIRE(ax_idx_load(t.put("d.idx", b).c_str(), &a, err, sizeof err) == 0);
    CHECK(a.data[0] == -3.125f);
    ax_array_free(&a);
    b = idx_header(0x09, {2});
    b.insert(b.end(), {0x80, 0x7F});
    REQUIRE(ax_idx_load(t.put("b.idx", b).c_str(), &a, err, sizeof err) == 0);
    CHECK(a.data[0] == -128.0f);
    CHECK(a.data[1] == 127.0f);
    ax_array_free(&a);
}

TEST_CASE("data: malformed and truncated IDX files are rejected with the reason", "[data]")
{
    tmp t;
    auto good = idx_header(0x08, {2, 2});
    good.insert(good.end(), {1, 2, 3, 4});
    auto cut = good;
    cut.pop_back();
    CHECK_THAT(load_error(t.put("cut.idx", cut)), Catch::Contains("cut.idx: truncated") && Catch::Contains("4 values"));
    CHECK_THAT(load_error(t.put("cut.idx.gz", cut, true)), Catch::Contains("truncated"));
    auto longer = good;
    longer.push_back(9);
    CHECK_THAT(load_error(t.put("long.idx", longer)), Catch::Contains("1 bytes longer"));
    auto bad = good;
    bad[0] = 0x12;
    CHECK_THAT(load_error(t.put("magic.idx", bad)), Catch::Contains("not an IDX file"));
    bad = good;
    bad[2] = 0x0A;
    CHECK_THAT(load_error(t.put("type.idx", bad)), Catch::Contains("type byte 0x0a"));
    bad = good;
    bad[3] = 0;
    CHECK_THAT(load_error(t.put("rank.idx", bad)), Catch::Contains("rank 0"));
    CHECK_THAT(load_error(t.put("hdr.idx", {0, 0, 8, 3, 0, 0})), Catch::Contains("truncated in the header"));
    CHECK_THAT(load_error(t.put("tiny.idx", {0, 0})), Catch::Contains("shorter than the 4-byte magic"));
    CHECK_THAT(load_error(t.path + "/none.idx"), Catch::Contains("none.idx: cannot open"));
    // a gzip stream cut in the middle
    std::vector<unsigned char> big = idx_header(0x08, {4096});
    for (int i = 0; i < 4096; i++) big.push_back((unsigned char)(i * 7919 >> 3));
    std::string gz = t.put("big.idx.gz", big, true);
    std::system(("head -c 200 " + gz + " > " + t.path + "/half.idx.gz").c_str());
    CHECK_THAT(load_error(t.path + "/half.idx.gz"), Catch::Contains("half.idx.gz"));
    CHECK(load_error(gz) == "loaded");
}

TEST_CASE("data: NPY dtypes, byte orders and versions", "[data]")
{
    tmp t;
    ax_array_t a;
    char err[512];
    auto load = [&](const std::string &p) {
        REQUIRE(ax_npy_load(p.c_str(), &a, err, sizeof err) == 0);
    };
    load(t.put("f4.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }",
                             {0, 0, 0xC0, 0x3F, 0, 0, 0x80, 0xBF}))); // 1.5, -1.0
    CHECK(a.ndim == 2);
    CHECK((a.dims[0] == 2 && a.dims[1] == 1));
    CHECK(a.data[0] == 1.5f);
    CHECK(a.data[1] == -1.0f);
    ax_array_free(&a);
    load(t.put("i2.npy", npy("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }", {0xFF, 0xFE, 0x01, 0x00})));
    CHECK(a.data[0] == -2.0f);
    CHECK(a.data[1] == 256.0f);
    CHECK(a.integral == 1);
    ax_array_free(&a);
    load(t.put("f2.npy", npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", {0x00, 0x3E}))); // 1.5
    CHECK(a.data[0] == 1.5f);
    ax_array_free(&a);
    load(t.put("f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
                             {0, 0, 0, 0, 0, 0, 0x09, 0xC0}))); // -3.125
    CHECK(a.data[0] == -3.125f);
    ax_array_free(&a);
    load(t.put("u1.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", {0, 200, 255})));
    CHECK(a.data[2] == 255.0f);
    ax_array_free(&a);
    load(t.put("b1.npy", npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", {0, 1})));
    CHECK((a.data[0] == 0.0f && a.data[1] == 1.0f));
    ax_array_free(&a);
    load(t.put("i8.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
                             {0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}))); // -5
    CHECK(a.data[0] == -5.0f);
    ax_array_free(&a);
    load(t.put("v2.npy", npy("{'descr': '<u2', 'fortran_order': False, 'shape': (1, 1, 1), }", {0x34, 0x12}, 2)));
    CHECK(a.ndim == 3);
    CHECK(a.data[0] == 4660.0f);
    ax_array_free(&a);
    load(t.put("f1d.npy", npy("{'descr': '<u2', 'fortran_order': True, 'shape': (1,), }", {7, 0})));
    CHECK(a.data[0] == 7.0f); // Fortran order is C order at rank 1
    ax_array_free(&a);
}

TEST_CASE("data: malformed and truncated NPY files are rejected with the reason", "[data]")
{
    tmp t;
    const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    CHECK_THAT(load_error(t.put("cut.npy", npy(f4, {0, 0, 0, 0, 0, 0, 0}))), Catch::Contains("cut.npy: truncated"));
    CHECK_THAT(load_error(t.put("long.npy", npy(f4, std::vector<unsigned char>(12, 0)))), Catch::Contains("4 bytes longer"));
    CHECK_THAT(load_error(t.put("fortran.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", {0, 0, 0, 0}))),
               Catch::Contains("Fortran-order"));
    CHECK_THAT(load_error(t.put("rec.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", {0, 0, 0, 0}))),
               Catch::Contains("structured dtypes are not supported"));
    CHECK_THAT(load_error(t.put("c8.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", std::vector<unsigned char>(8, 0)))),
               Catch::Contains("dtype '<c8' is not supported"));
    CHECK_THAT(load_error(t.put("shape.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", {}))),
               Catch::Contains("'shape' holds a bad dimension"));
    CHECK_THAT(load_error(t.put("noshape.npy", npy("{'descr': '<f4', 'fortran_order': False, }", {}))),
               Catch::Contains("lacks 'shape'"));
    CHECK_THAT(load_error(t.put("magic.npy", {'N', 'U', 'M', 'P', 'Y', 0, 1, 0, 0, 0, 0})), Catch::Contains("not an NPY file"));
    auto v9 = npy(f4, std::vector<unsigned char>(8, 0));
    v9[6] = 9;
    CHECK_THAT(load_error(t.put("v9.npy", v9)), Catch::Contains("NPY version 9"));
    auto hdr = npy(f4, {});
    hdr.resize(30);
    CHECK_THAT(load_error(t.put("hdr.npy", hdr)), Catch::Contains("truncated in the NPY header"));
}

TEST_CASE("data: image/label datasets", "[data]")
{
    tmp t;
    auto x = idx_header(0x08, {3, 2, 2});
    for (int i = 0; i < 12; i++) x.push_back((unsigned char)(i * 20));
    auto y = idx_header(0x08, {3});
    y.insert(y.end(), {4, 0, 7});
    std::string xi = t.put("train-images-idx3-ubyte", x), yi = t.put("train-labels-idx1-ubyte", y, false);
    ax_dataset_t d;
    char err[512];
    REQUIRE(ax_dataset_load(xi.c_str(), yi.c_str(), &d, err, sizeof err) == 0);
    CHECK((d.n == 3 && d.c == 1 && d.h == 2 && d.w == 2));
    CHECK(d.classes == 8);
    CHECK(d.y[2] == 7);
    CHECK(d.x[11] == 220.0f);
    double mean, sd;
    ax_dataset_stats(&d, 1.0f / 255, &mean, &sd);
    CHECK(mean == Approx(110.0 / 255));
    ax_dataset_normalize(&d, 1.0f / 255, (float)mean, (float)sd);
    ax_dataset_stats(&d, 1.0f, &mean, &sd);
    CHECK(mean == Approx(0).margin(1e-6));
    CHECK(sd == Approx(1).epsilon(1e-5));
    ax_dataset_free(&d);
    REQUIRE(ax_dataset_load_mnist_dir(t.path.c_str(), 1, &d, err, sizeof err) == 0);
    CHECK(d.n == 3);
    ax_dataset_free(&d);
    CHECK(ax_dataset_load_mnist_dir(t.path.c_str(), 0, &d, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("no t10k-images-idx3-ubyte"));

    auto fails = [&](const std::string &xp, const std::string &yp, const char *why) {
        err[0] = 0;
        CHECK(ax_dataset_load(xp.c_str(), yp.c_str(), &d, err, sizeof err) == -1);
        CHECK(d.x == nullptr);
        CHECK_THAT(std::string(err), Catch::Contains(why));
    };
    auto y2 = idx_header(0x08, {2});
    y2.insert(y2.end(), {1, 1});
    fails(xi, t.put("y2", y2), "holds 3 images but");
    fails(yi, yi, "rank 2, 3 or 4");
    fails(xi, xi, "labels must have rank 1");
    std::string yf = t.put("yf.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                                         {0, 0, 0x80, 0x3F, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0})); // 1, 1.5, 0
    fails(xi, yf, "label 1 is 1.5");
    std::string yn = t.put("yn.npy", npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
                                         {1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}));
    fails(xi, yn, "label 1 is -1");
}

TEST_CASE("data: seeded shuffles are permutations, the same for the same seed", "[data]")
{
    std::vector<int64_t> a(1000), b(1000), c(1000);
    ax_shuffle(a.data(), 1000, 42);
    ax_shuffle(b.data(), 1000, 42);
    ax_shuffle(c.data(), 1000, 43);
    CHECK(a == b);
    CHECK(a != c);
    std::vector<int> seen(1000, 0);
    for (int64_t v : a) seen[(size_t)v]++;
    CHECK(std::count(seen.begin(), seen.end(), 1) == 1000);
    int fixed = 0;
    for (int i = 0; i < 1000; i++) fixed += a[(size_t)i] == i;
    CHECK(fixed < 10); // a shuffle, not the identity
}

TEST_CASE("data: Fashion-MNIST from Debian's dataset-fashion-mnist", "[data]")
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    if (access((std::string(dir) + "/t10k-images-idx3-ubyte.gz").c_str(), R_OK) != 0) {
        WARN("dataset-fashion-mnist not installed: skipped");
        return;
    }
    ax_dataset_t d;
    char err[512];
    REQUIRE(ax_dataset_load_mnist_dir(dir, 0, &d, err, sizeof err) == 0);
    CHECK((d.n == 10000 && d.c == 1 && d.h == 28 && d.w == 28));
    CHECK(d.classes == 10);
    std::vector<int> per(10, 0);
    for (int64_t i = 0; i < d.n; i++) per[(size_t)d.y[i]]++;
    for (int k = 0; k < 10; k++) CHECK(per[(size_t)k] == 1000); // the test set is balanced
    ax_dataset_free(&d);
}

// ---- issue 12: defects a hostile user found --------------------------------------

TEST_CASE("data: a reader stops at the size its header declares", "[data][regression]")
{
    // the whole stream was decompressed before the size check: a small gzip of
    // zeros (a bomb) or /dev/zero was read until memory ran out
    tmp t;
    auto b = idx_header(0x08, {4});
    b.insert(b.end(), {1, 2, 3, 4});
    std::string p = t.path + "/bomb.idx.gz";
    gzFile f = gzopen(p.c_str(), "wb9");
    gzwrite(f, b.data(), (unsigned)b.size());
    std::vector<unsigned char> zeros(1 << 20, 0);
    for (int i = 0; i < 256; i++) gzwrite(f, zeros.data(), (unsigned)zeros.size()); // 256 MiB
    gzclose(f);
    CHECK_THAT(load_error(p), Catch::Contains("more than 67108864 bytes longer than its header says"));
    // a header declaring more than AX_ARRAY_MAX_VALUES is refused before reading
    CHECK_THAT(load_error(t.put("huge.idx", idx_header(0x08, {65536, 65536}))), Catch::Contains("at most"));
    CHECK_THAT(load_error("/dev/zero"), Catch::Contains("type byte 0x00"));
    ax_array_t a;
    char err[512];
    CHECK(ax_npy_load("/dev/zero", &a, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("not an NPY file"));
    // a declared size within the limits is read as far as the file goes
    CHECK_THAT(load_error(t.put("lies.idx", idx_header(0x08, {60000, 28, 28}))), Catch::Contains("truncated"));
}

TEST_CASE("data: the NPY header is parsed as a dict, not searched", "[data][regression]")
{
    // 'descr' was found by strstr anywhere in the header, even inside another value
    tmp t;
    std::vector<unsigned char> f4(4, 0);
    for (const char *h : {"{'fortran_order': False, 'shape': (1,), 'x': \"'descr': '<f4'\", }",
                          "{'shape': (1,), 'fortran_order': False, 'note': 'descr', 'descr': '<f4', }",
                          "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } junk",
                          "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
                          "{'descr': '<f4' 'fortran_order': False, 'shape': (1,), }",
                          "'descr': '<f4', 'fortran_order': False, 'shape': (1,)"})
        CHECK_THAT(load_error(t.put("h.npy", npy(h, f4))), Catch::Contains("h.npy: NPY"));
    // key order and quotes as numpy may write them still load
    for (const char *h : {"{'shape': (1,), 'fortran_order': False, 'descr': '<f4'}",
                          "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1,)}"}) {
        ax_array_t a;
        char err[512];
        CHECK(ax_npy_load(t.put("ok.npy", npy(h, f4)).c_str(), &a, err, sizeof err) == 0);
        ax_array_free(&a);
    }
    auto nul = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f4);
    nul[12] = 0;
    CHECK_THAT(load_error(t.put("nul.npy", nul)), Catch::Contains("NUL byte"));
}

TEST_CASE("data: NaN and inf pixels are refused", "[data][regression]")
{
    // they trained to "loss nan" with exit 0
    tmp t;
    for (uint32_t bits : {0x7FC00000u, 0x7F800000u, 0xFF800000u}) {
        auto x = idx_header(0x0D, {2, 1, 1});
        be32(x, 0x3F800000u);
        be32(x, bits);
        auto y = idx_header(0x08, {2});
        y.insert(y.end(), {0, 1});
        ax_dataset_t d;
        char err[512];
        CHECK(ax_dataset_load(t.put("x.idx", x).c_str(), t.put("y.idx", y).c_str(), &d, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains("value 1 is") && Catch::Contains("images must be finite"));
    }
}

TEST_CASE("data: headers quoted in messages carry no control bytes", "[data][regression]")
{
    // found by fuzz_npy: up to 120 bytes of a bad header were quoted raw
    tmp t;
    std::string e = load_error(t.put("c.npy", npy("{'descr': '<f4', \x1b[2J 'x': 1}", std::vector<unsigned char>(4, 0))));
    CHECK_THAT(e, Catch::Contains("\\x1B[2J"));
    for (char ch : e) CHECK((unsigned char)ch >= 0x20);
}
