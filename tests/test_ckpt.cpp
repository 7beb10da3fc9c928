// test_ckpt.cpp — safetensors checkpoints (networks/ax_ckpt.c): round trip,
// a file written byte by byte as the format defines it (the reader sees what
// PyTorch's writer would produce), F16/BF16/F64 conversion, every corruption
// rejected with its reason and nothing half-loaded, atomic saves.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "ax_ckpt.h"
#include "test_util.h"

namespace {

// A safetensors file: the header JSON as given, then the data bytes.
std::string write_st(const std::string &path, const std::string &json, const std::vector<unsigned char> &data)
{
    FILE *f = std::fopen(path.c_str(), "wb");
    uint64_t n = json.size();
    for (int i = 0; i < 8; i++) std::fputc((int)(n >> (8 * i)) & 0xFF, f);
    std::fwrite(json.data(), 1, json.size(), f);
    if (!data.empty()) std::fwrite(data.data(), 1, data.size(), f);
    std::fclose(f);
    return path;
}

std::string load_error(const std::string &path)
{
    ax_ckpt_t c;
    char err[512] = "";
    if (ax_ckpt_load(path.c_str(), &c, err, sizeof err) == 0) {
        ax_ckpt_free(&c);
        return "loaded";
    }
    CHECK(c.n == 0); // nothing half-loaded
    CHECK(c.t == nullptr);
    return err;
}

} // namespace

TEST_CASE("ckpt: save and load round trip, metadata, shapes", "[ckpt]")
{
    temp_dir d;
    ax_ckpt_t c{};
    char err[512];
    std::vector<float> w(6), b = {-0.5f, 1e-40f};
    for (int i = 0; i < 6; i++) w[(size_t)i] = (float)i * 0.25f - 1.0f;
    int64_t wd[2] = {2, 3}, bd[1] = {2};
    REQUIRE(ax_ckpt_add(&c, "conv1.weight", 2, wd, w.data(), err, sizeof err) == 0);
    REQUIRE(ax_ckpt_add(&c, "conv1.bias", 1, bd, b.data(), err, sizeof err) == 0);
    CHECK(ax_ckpt_add(&c, "conv1.bias", 1, bd, b.data(), err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("added twice"));
    REQUIRE(ax_ckpt_set_meta(&c, "model", "lenet5") == 0);
    REQUIRE(ax_ckpt_set_meta(&c, "epoch", "3") == 0);
    REQUIRE(ax_ckpt_set_meta(&c, "epoch", "4") == 0);
    std::string p = d.path + "/m.safetensors";
    REQUIRE(ax_ckpt_save(p.c_str(), &c, err, sizeof err) == 0);
    ax_ckpt_free(&c);
    REQUIRE(ax_ckpt_load(p.c_str(), &c, err, sizeof err) == 0);
    CHECK(c.n == 2);
    CHECK(std::string(ax_ckpt_meta(&c, "model")) == "lenet5");
    CHECK(std::string(ax_ckpt_meta(&c, "epoch")) == "4");
    const ax_ckpt_tensor_t *t = ax_ckpt_expect(&c, p.c_str(), "conv1.weight", 2, wd, err, sizeof err);
    REQUIRE(t);
    CHECK(std::memcmp(t->data, w.data(), 24) == 0);
    t = ax_ckpt_find(&c, "conv1.bias");
    REQUIRE(t);
    CHECK(std::memcmp(t->data, b.data(), 8) == 0); // the subnormal too: bits, not values
    int64_t wrong[2] = {3, 2};
    CHECK(ax_ckpt_expect(&c, p.c_str(), "conv1.weight", 2, wrong, err, sizeof err) == nullptr);
    CHECK_THAT(std::string(err), Catch::Contains("has shape [2, 3], the model needs [3, 2]"));
    CHECK(ax_ckpt_expect(&c, p.c_str(), "fc.weight", 2, wd, err, sizeof err) == nullptr);
    CHECK_THAT(std::string(err), Catch::Contains("no tensor 'fc.weight'"));
    ax_ckpt_free(&c);
    // no temporary file left behind
    CHECK(std::system(("ls " + d.path + " | grep -q tmp").c_str()) != 0);
}

TEST_CASE("ckpt: a file written by the format's rules, in every dtype", "[ckpt]")
{
    temp_dir d;
    // a: F32 [2] = {1.5, -2}; h: F16 [1] = 1.5 (0x3E00); bf: BF16 [1] = -1 (0xBF80); x: F64 [] = 0.1
    std::string json = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                       "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]},"
                       "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[10,12]},"
                       "\"x\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[12,20]}}    ";
    std::vector<unsigned char> data = {0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0, 0x00, 0x3E, 0x80, 0xBF,
                                       0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F};
    std::string p = write_st(d.path + "/pt.safetensors", json, data);
    ax_ckpt_t c;
    char err[512];
    REQUIRE(ax_ckpt_load(p.c_str(), &c, err, sizeof err) == 0);
    CHECK(std::string(ax_ckpt_meta(&c, "format")) == "pt");
    CHECK(ax_ckpt_find(&c, "a")->data[0] == 1.5f);
    CHECK(ax_ckpt_find(&c, "a")->data[1] == -2.0f);
    CHECK(ax_ckpt_find(&c, "h")->data[0] == 1.5f);
    CHECK(ax_ckpt_find(&c, "bf")->data[0] == -1.0f);
    CHECK(ax_ckpt_find(&c, "x")->ndim == 0);
    CHECK(ax_ckpt_find(&c, "x")->data[0] == 0.1f);
    ax_ckpt_free(&c);
}

TEST_CASE("ckpt: integer and boolean tensors (PyTorch's num_batches_tracked) read as their values", "[ckpt]")
{
    temp_dir d;
    // n: I64 [] = 938; i8: I8 [2] = {-3, 127}; i16: I16 [] = -300; i32: I32 [] = -70000;
    // u8: U8 [2] = {0, 255}; u16: U16 [] = 65535; u32: U32 [] = 4000000; u64: U64 [] = 2^24;
    // b: BOOL [2] = {true, false}
    std::string json = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                       "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[8,10]},"
                       "\"i16\":{\"dtype\":\"I16\",\"shape\":[],\"data_offsets\":[10,12]},"
                       "\"i32\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[12,16]},"
                       "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[16,18]},"
                       "\"u16\":{\"dtype\":\"U16\",\"shape\":[],\"data_offsets\":[18,20]},"
                       "\"u32\":{\"dtype\":\"U32\",\"shape\":[],\"data_offsets\":[20,24]},"
                       "\"u64\":{\"dtype\":\"U64\",\"shape\":[],\"data_offsets\":[24,32]},"
                       "\"b\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[32,34]}}";
    std::vector<unsigned char> data = {0xAA, 0x03, 0, 0, 0, 0, 0, 0, // 938 = 0x3AA
                                       0xFD, 0x7F,                   // -3, 127
                                       0xD4, 0xFE,                   // -300 = 0xFED4
                                       0x90, 0xEE, 0xFE, 0xFF,       // -70000 = 0xFFFEEE90
                                       0x00, 0xFF,                   // 0, 255
                                       0xFF, 0xFF,                   // 65535
                                       0x00, 0x09, 0x3D, 0x00,       // 4000000 = 0x3D0900
                                       0, 0, 0, 1, 0, 0, 0, 0,       // 2^24
                                       0x01, 0x00};
    std::string p = write_st(d.path + "/int.safetensors", json, data);
    ax_ckpt_t c;
    char err[512];
    REQUIRE(ax_ckpt_load(p.c_str(), &c, err, sizeof err) == 0);
    CHECK(ax_ckpt_find(&c, "n")->data[0] == 938.0f);
    CHECK(ax_ckpt_find(&c, "i8")->data[0] == -3.0f);
    CHECK(ax_ckpt_find(&c, "i8")->data[1] == 127.0f);
    CHECK(ax_ckpt_find(&c, "i16")->data[0] == -300.0f);
    CHECK(ax_ckpt_find(&c, "i32")->data[0] == -70000.0f);
    CHECK(ax_ckpt_find(&c, "u8")->data[1] == 255.0f);
    CHECK(ax_ckpt_find(&c, "u16")->data[0] == 65535.0f);
    CHECK(ax_ckpt_find(&c, "u32")->data[0] == 4000000.0f);
    CHECK(ax_ckpt_find(&c, "u64")->data[0] == 16777216.0f);
    CHECK(ax_ckpt_find(&c, "b")->data[0] == 1.0f);
    CHECK(ax_ckpt_find(&c, "b")->data[1] == 0.0f);
    ax_ckpt_free(&c);
}

TEST_CASE("ckpt: tensor names mapped by a rules file", "[ckpt]")
{
    temp_dir d;
    const char *names[] = {"conv1.weight", "bn1.running_var", "layer1.0.conv1.weight",
                           "layer2.1.shortcut.0.weight", "linear.bias", "keep.me"};
    auto make = [&](ax_ckpt_t *c) {
        *c = ax_ckpt_t{};
        char err[256];
        float v = 1;
        int64_t dims[1] = {1};
        for (const char *n : names) REQUIRE(ax_ckpt_add(c, n, 1, dims, &v, err, sizeof err) == 0);
    };
    auto rules = [&](const std::string &text) {
        std::string p = d.path + "/rules.txt";
        FILE *f = std::fopen(p.c_str(), "w");
        std::fputs(text.c_str(), f);
        std::fclose(f);
        return p;
    };
    ax_ckpt_t c;
    char err[512] = "";
    make(&c);
    // the first rule that matches wins; '*' takes the shortest text that lets the rest match
    std::string r = rules("# a comment\n\nconv1.*  stem.conv.*   # the stem\n"
                          "layer*.conv1.* layer*.a.conv.*\n"
                          "layer*.shortcut.0.* layer*.sc.conv.*\n"
                          "layer*.*.weight never.*.*\n" // later than the two above: not used for them
                          "linear.* fc.*\nbn1.running_var stem.bn.running_var\n");
    REQUIRE(ax_ckpt_rename(&c, r.c_str(), err, sizeof err) == 5);
    CHECK(std::string(c.t[0].name) == "stem.conv.weight");
    CHECK(std::string(c.t[1].name) == "stem.bn.running_var");
    CHECK(std::string(c.t[2].name) == "layer1.0.a.conv.weight");
    CHECK(std::string(c.t[3].name) == "layer2.1.sc.conv.weight");
    CHECK(std::string(c.t[4].name) == "fc.bias");
    CHECK(std::string(c.t[5].name) == "keep.me");
    ax_ckpt_free(&c);
    // shortest match: 'a*.*' on "layer1.0.conv1.weight" takes "yer1" then "0.conv1.weight"
    make(&c);
    REQUIRE(ax_ckpt_rename(&c, rules("la*.* <*|*>\n").c_str(), err, sizeof err) == 2);
    CHECK(std::string(c.t[2].name) == "<yer1|0.conv1.weight>");
    CHECK(std::string(c.t[3].name) == "<yer2|1.shortcut.0.weight>");
    ax_ckpt_free(&c);
    // errors name the file and line; nothing is renamed
    const std::pair<const char *, const char *> bad[] = {
        {"a b c\n", "rules.txt:1: expected 'FROM TO'"},
        {"ok.* fine.*\nx\n", "rules.txt:2: expected 'FROM TO'"},
        {"a.* b\n", "must hold the same number of '*'"},
        {"a**b x*y*\n", "two '*' side by side"},
        {"conv1.weight linear.bias\n", "tensors 'conv1.weight' and 'linear.bias' would both be named 'linear.bias'"},
        {"*.* *.*.*.*.*.*.*.*.*.*\n", "same number of '*'"}};
    for (const auto &b : bad) {
        make(&c);
        CHECK(ax_ckpt_rename(&c, rules(b.first).c_str(), err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains(b.second));
        CHECK(std::string(c.t[0].name) == "conv1.weight");
        ax_ckpt_free(&c);
    }
    make(&c);
    CHECK(ax_ckpt_rename(&c, (d.path + "/none").c_str(), err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("cannot open"));
    ax_ckpt_free(&c);
}

TEST_CASE("ckpt: corrupt and mismatched files are rejected with the reason", "[ckpt]")
{
    temp_dir d;
    const std::vector<unsigned char> eight(8, 0);
    auto st = [&](const char *name, const std::string &json, const std::vector<unsigned char> &data) {
        return load_error(write_st(d.path + "/" + name, json, data));
    };
    const std::string a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    CHECK(st("ok", "{" + a + "}", eight) == "loaded");
    CHECK_THAT(st("cut", "{" + a + "}", {0, 0, 0, 0, 0, 0, 0}), Catch::Contains("truncated"));
    CHECK_THAT(st("trail", "{" + a + "}", std::vector<unsigned char>(9, 0)), Catch::Contains("trailing bytes"));
    CHECK_THAT(st("json", "{" + a, eight), Catch::Contains("not a JSON object"));
    CHECK_THAT(st("dtype", "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight),
               Catch::Contains("dtype C64 (supported:"));
    CHECK_THAT(st("size", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight),
               Catch::Contains("hold 8 bytes, its shape and F32 need 12"));
    CHECK_THAT(st("overlap", "{" + a + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
               Catch::Contains("overlaps"));
    CHECK_THAT(st("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight),
               Catch::Contains("a gap"));
    CHECK_THAT(st("dup", "{" + a + "," + a + "}", eight), Catch::Contains("appears twice"));
    CHECK_THAT(st("noshape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight), Catch::Contains("lacks"));
    CHECK_THAT(st("negdim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", eight),
               Catch::Contains("shape entry 0"));
    CHECK_THAT(st("meta", "{\"__metadata__\":{\"k\":1}," + a + "}", eight), Catch::Contains("'k' is not a string"));
    std::string p = d.path + "/hl";
    FILE *f = std::fopen(p.c_str(), "wb");
    unsigned char big[8] = {0xFF, 0xFF, 0, 0, 0, 0, 0, 0};
    std::fwrite(big, 1, 8, f);
    std::fclose(f);
    CHECK_THAT(load_error(p), Catch::Contains("header length 65535 does not fit"));
    CHECK_THAT(load_error(d.path + "/nope"), Catch::Contains("cannot open"));
}

TEST_CASE("ckpt: a failed save leaves the previous checkpoint whole", "[ckpt]")
{
    temp_dir d;
    ax_ckpt_t c{};
    char err[512];
    float v[2] = {1, 2};
    int64_t dims[1] = {2};
    REQUIRE(ax_ckpt_add(&c, "w", 1, dims, v, err, sizeof err) == 0);
    std::string p = d.path + "/keep.safetensors";
    REQUIRE(ax_ckpt_save(p.c_str(), &c, err, sizeof err) == 0);
    // the target's folder vanishes under a new save: the temporary file cannot be made
    std::string gone = d.path + "/sub/x.safetensors";
    CHECK(ax_ckpt_save(gone.c_str(), &c, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("cannot write"));
    // a save whose rename fails (the target is a non-empty folder) keeps it and cleans up
    std::string dirtarget = d.path + "/isdir";
    std::system(("mkdir -p " + dirtarget + "/x").c_str());
    CHECK(ax_ckpt_save(dirtarget.c_str(), &c, err, sizeof err) == -1);
    CHECK_THAT(std::string(err), Catch::Contains("previous file, if any, is unchanged"));
    CHECK(std::system(("ls " + d.path + " | grep -q tmp").c_str()) != 0);
    ax_ckpt_free(&c);
    REQUIRE(ax_ckpt_load(p.c_str(), &c, err, sizeof err) == 0);
    CHECK(ax_ckpt_find(&c, "w")->data[1] == 2.0f);
    ax_ckpt_free(&c);
}

// ---- issue 12: defects a hostile user found --------------------------------------

TEST_CASE("ckpt: an empty tensor at another's start loads in either order", "[ckpt][regression]")
{
    // the ranges were sorted by begin alone: [600,600) after [600,604) was an "overlap"
    temp_dir d;
    std::vector<unsigned char> data(8, 0);
    const std::string a = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},";
    const std::string b = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}";
    const std::string z = "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}";
    CHECK(load_error(write_st(d.path + "/zb.st", a + z + "," + b + "}", data)) == "loaded");
    CHECK(load_error(write_st(d.path + "/bz.st", a + b + "," + z + "}", data)) == "loaded");
    // an empty tensor inside another is still an overlap
    const std::string in = "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[6,6]}";
    CHECK_THAT(load_error(write_st(d.path + "/in.st", a + b + "," + in + "}", data)), Catch::Contains("overlaps"));
}

TEST_CASE("ckpt: shape entries and offsets outside the integers are refused, no cast of inf", "[ckpt][regression]")
{
    // (int64_t) of inf or 1e30 was undefined behaviour (UBSan: float-cast-overflow)
    temp_dir d;
    for (const char *v : {"1e30", "1e300", "-1", "1.5", "9007199254740994", "\"2\"", "null"}) {
        std::string js = std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[") + v + "],\"data_offsets\":[0,4]}}";
        CHECK_THAT(load_error(write_st(d.path + "/s.st", js, {0, 0, 0, 0})), Catch::Contains("shape entry 0"));
    }
    for (const char *v : {"[0,1e30]", "[0.5,4.5]", "[-4,0]", "[4,0]", "[0,\"4\"]"}) {
        std::string js = std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":") + v + "}}";
        CHECK_THAT(load_error(write_st(d.path + "/o.st", js, {0, 0, 0, 0})), Catch::Contains("data_offsets"));
    }
    // cJSON reads 1e999 as inf
    std::string js = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1e999],\"data_offsets\":[0,4]}}";
    CHECK_THAT(load_error(write_st(d.path + "/inf.st", js, {0, 0, 0, 0})), Catch::Contains("shape entry 0"));
}

TEST_CASE("ckpt: names and metadata keys given twice are found among many", "[ckpt][regression]")
{
    temp_dir d;
    // 20000 entries: the pairwise check took seconds here and hours at the header cap
    std::string js = "{\"__metadata__\":{";
    for (int i = 0; i < 20000; i++) js += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
    js += "}";
    for (int i = 0; i < 20000; i++)
        js += ",\"t" + std::to_string(i) + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}";
    CHECK(load_error(write_st(d.path + "/many.st", js + "}", {})) == "loaded");
    std::string dup = js + ",\"t17\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}";
    CHECK_THAT(load_error(write_st(d.path + "/dup.st", dup, {})), Catch::Contains("tensor 't17' appears twice"));
    std::string kd = "{\"__metadata__\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}";
    CHECK_THAT(load_error(write_st(d.path + "/kd.st", kd, {})), Catch::Contains("key 'a' appears twice"));
    std::string md = "{\"__metadata__\":{},\"__metadata__\":{\"a\":\"1\"}}";
    CHECK_THAT(load_error(write_st(d.path + "/md.st", md, {})), Catch::Contains("__metadata__ appears twice"));
}

TEST_CASE("ckpt: metadata numbers are read whole and in range", "[ckpt][regression]")
{
    ax_ckpt_t c{};
    char err[512];
    double v = -7;
    int64_t n = -7;
    REQUIRE(ax_ckpt_set_meta(&c, "x", "0.25") == 0);
    CHECK(ax_ckpt_meta_double(&c, "p", "x", 0, 1, &v, err, sizeof err) == 1);
    CHECK(v == 0.25);
    CHECK(ax_ckpt_meta_double(&c, "p", "absent", 0, 1, &v, err, sizeof err) == 0);
    for (const char *bad : {"", "0x", "inf", "nan", "1e999", "2", "-0.5", " 0.5x", "garbage"}) {
        REQUIRE(ax_ckpt_set_meta(&c, "x", bad) == 0);
        CHECK(ax_ckpt_meta_double(&c, "p", "x", 0, 1, &v, err, sizeof err) == -1);
        CHECK_THAT(std::string(err), Catch::Contains("p: metadata x '"));
    }
    REQUIRE(ax_ckpt_set_meta(&c, "e", "12") == 0);
    CHECK(ax_ckpt_meta_int(&c, "p", "e", 1, 20, &n, err, sizeof err) == 1);
    CHECK(n == 12);
    for (const char *bad : {"-3", "", "1x", "21", "0", " 5", "+5", "99999999999999999999", "1.0"}) {
        REQUIRE(ax_ckpt_set_meta(&c, "e", bad) == 0);
        CHECK(ax_ckpt_meta_int(&c, "p", "e", 1, 20, &n, err, sizeof err) == -1);
    }
    ax_ckpt_free(&c);
}

TEST_CASE("ckpt: names quoted in messages carry no control bytes", "[ckpt][regression]")
{
    // found by fuzz_ckpt: a tensor name with ESC and a newline reached stderr raw,
    // so a file could clear the screen or forge a line of output
    temp_dir d;
    std::string js = "{\"a\\u001b[2J\\nok: forged\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    std::string e = load_error(write_st(d.path + "/c.st", js, {0, 0, 0, 0}));
    CHECK_THAT(e, Catch::Contains("a\\x1B[2J\\x0Aok: forged"));
    for (char ch : e) CHECK((unsigned char)ch >= 0x20);
}
