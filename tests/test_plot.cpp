// test_plot.cpp — study/ax_plot.c: PNG scatter plots through gnuplot. The
// plots themselves need gnuplot (Debian gnuplot-nox) and are skipped with a
// warning without it; the failure paths use stand-ins named by AXSIM_GNUPLOT.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "ax_plot.h"
#include "test_util.h"

namespace {

// Sets (or, with nullptr, unsets) an environment variable for its scope.
struct scoped_env {
    std::string name, old;
    bool had;
    scoped_env(const char *n, const char *v) : name(n)
    {
        const char *o = std::getenv(n);
        had = o != nullptr;
        if (had) old = o;
        if (v) setenv(n, v, 1);
        else unsetenv(n);
    }
    ~scoped_env()
    {
        if (had) setenv(name.c_str(), old.c_str(), 1);
        else unsetenv(name.c_str());
    }
};

// gnuplot on PATH (the plot tests unset AXSIM_GNUPLOT)
bool have_gnuplot()
{
    return std::system("command -v gnuplot >/dev/null 2>&1") == 0;
}

std::string slurp(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

std::vector<std::string> files_in(const std::string &dir)
{
    std::vector<std::string> v;
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d))
            if (e->d_name[0] != '.') v.push_back(e->d_name);
        closedir(d);
    }
    return v;
}

// A PNG: the signature, then IHDR first; its width and height (0 when not).
struct png_size {
    uint32_t w = 0, h = 0;
};
png_size png_header(const std::string &path)
{
    std::string b = slurp(path);
    png_size s;
    if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0)
        return s;
    auto be32 = [&](size_t at) {
        return (uint32_t)(unsigned char)b[at] << 24 | (uint32_t)(unsigned char)b[at + 1] << 16 |
               (uint32_t)(unsigned char)b[at + 2] << 8 | (uint32_t)(unsigned char)b[at + 3];
    };
    if (be32(8) != 13) return s; // IHDR's length
    s.w = be32(16);
    s.h = be32(20);
    return s;
}

const ax_plot_point_t points[] = {
    {0.0, 0.912, "mul_exact", "bf16"},
    {0.021, 0.905, "mul_mbm", "bf16"},
    {0.0039, 0.909, "mul_realm:m=8,q=6", "bf16"},
    {0.04, 0.88, "mul_mitchell", "fp16"},
    {0.11, 0.71, "mul_drum:k=6", "fp8e4m3"},
    {NAN, 0.5, "not finite", "fp16"},
    {0.2, INFINITY, "not finite", "fp16"},
};
const int npoints = (int)(sizeof points / sizeof points[0]);

} // namespace

TEST_CASE("plot: a scatter plot is written as a PNG", "[plot]")
{
    scoped_env no_override("AXSIM_GNUPLOT", nullptr);
    if (!have_gnuplot()) {
        WARN("gnuplot not installed (Debian package gnuplot-nox): skipped");
        return;
    }
    temp_dir d;
    for (int logx : {0, 1}) {
        std::string png = d.path + (logx ? "/log.png" : "/lin.png");
        ax_plot_t p = {"accuracy against mean relative error", "mean relative error", "accuracy", logx,
                       0.912, "fp32"};
        char err[512] = "";
        int rc = ax_plot_scatter(png.c_str(), &p, points, npoints, err, sizeof err);
        INFO("logx " << logx << ": " << err);
        REQUIRE(rc == 0);
        png_size s = png_header(png);
        CHECK(s.w > 0);
        CHECK(s.h > 0);
    }
    // no temporary file left beside the plots
    std::vector<std::string> f = files_in(d.path);
    CHECK(f.size() == 2);

    // a plot replaces an existing file; no reference line, no titles
    std::string png = d.path + "/lin.png";
    ax_plot_t bare = {nullptr, nullptr, nullptr, 0, NAN, nullptr};
    char err[512] = "";
    REQUIRE(ax_plot_scatter(png.c_str(), &bare, points, 3, err, sizeof err) == 0);
    CHECK(png_header(png).w > 0);
    // and without a single point left to draw, an empty frame
    REQUIRE(ax_plot_scatter(png.c_str(), &bare, points + 5, 2, err, sizeof err) == 0);
    CHECK(png_header(png).w > 0);
}

TEST_CASE("plot: quotes, backslashes and underscores in every string", "[plot]")
{
    scoped_env no_override("AXSIM_GNUPLOT", nullptr);
    if (!have_gnuplot()) {
        WARN("gnuplot not installed (Debian package gnuplot-nox): skipped");
        return;
    }
    temp_dir d;
    const ax_plot_point_t odd[] = {
        {0.01, 0.9, "it's \"mul_mbm\"", "series 'one'"},
        {0.02, 0.8, "back\\slash\\", "two_\"x\"\\"},
        {0.03, 0.7, "new\nline @x $y #z {a_b}^c &amp; <b>", nullptr},
        {0.04, 0.6, nullptr, ""},
    };
    ax_plot_t p = {"title's \"quoted\" fp8_e4m3 \\", "x_label '", "y_label \"", 1, 0.85, "fp32 'ref' \\"};
    std::string png = d.path + "/it's \"odd\".png"; // the path is quoted too
    char err[512] = "";
    int rc = ax_plot_scatter(png.c_str(), &p, odd, 4, err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);
    CHECK(png_header(png).w > 0);
}

TEST_CASE("plot: no gnuplot is an error that names the package", "[plot]")
{
    temp_dir d;
    std::string png = d.path + "/p.png";
    ax_plot_t p = {"t", "x", "y", 0, NAN, nullptr};
    char err[512] = "";
    {
        scoped_env e("AXSIM_GNUPLOT", "/nonexistent/gnuplot");
        REQUIRE(ax_plot_scatter(png.c_str(), &p, points, npoints, err, sizeof err) == -1);
        INFO(err);
        CHECK(std::string(err).find("gnuplot-nox") != std::string::npos);
        CHECK(std::string(err).find("/nonexistent/gnuplot") != std::string::npos);
    }
    {
        scoped_env e("AXSIM_GNUPLOT", nullptr);
        scoped_env path("PATH", d.path.c_str()); // an empty folder: no gnuplot on PATH
        REQUIRE(ax_plot_scatter(png.c_str(), &p, points, npoints, err, sizeof err) == -1);
        INFO(err);
        CHECK(std::string(err).find("gnuplot-nox") != std::string::npos);
    }
    CHECK(files_in(d.path).empty());
}

TEST_CASE("plot: a failing gnuplot leaves an existing file untouched", "[plot]")
{
    temp_dir d;
    std::string png = d.path + "/p.png";
    {
        std::ofstream f(png, std::ios::binary);
        f << "the previous plot";
    }
    // a stand-in that complains like gnuplot does, after reading its script
    std::string fake = d.path + "/fake-gnuplot";
    {
        std::ofstream f(fake);
        f << "#!/bin/sh\ncat >/dev/null\necho 'gnuplot> plot $axs0' >&2\n"
             "echo '         line 7: all points y value undefined!' >&2\nexit 1\n";
    }
    chmod(fake.c_str(), 0755);
    ax_plot_t p = {"t", "x", "y", 0, 0.9, "fp32"};
    struct {
        const char *gnuplot, *says;
    } cases[] = {
        {"false", "gnuplot failed"},                                     // exits 1, says nothing
        {"true", "wrote no PNG"},                                        // exits 0, writes nothing
        {fake.c_str(), "gnuplot failed: line 7: all points y value undefined!"}, // its error line
    };
    for (auto &c : cases) {
        scoped_env e("AXSIM_GNUPLOT", c.gnuplot);
        char err[512] = "";
        INFO(c.gnuplot);
        REQUIRE(ax_plot_scatter(png.c_str(), &p, points, npoints, err, sizeof err) == -1);
        INFO(err);
        CHECK(std::string(err).find(c.says) != std::string::npos);
        CHECK(slurp(png) == "the previous plot");
        CHECK(files_in(d.path).size() == 2); // p.png and the stand-in: no temporary file left
    }
}

TEST_CASE("plot: an unwritable folder is an error", "[plot]")
{
    temp_dir d;
    std::string png = d.path + "/no/such/folder/p.png";
    scoped_env e("AXSIM_GNUPLOT", "true"); // found, never reached
    ax_plot_t p = {"t", "x", "y", 0, NAN, nullptr};
    char err[512] = "";
    REQUIRE(ax_plot_scatter(png.c_str(), &p, points, npoints, err, sizeof err) == -1);
    INFO(err);
    CHECK(std::string(err).find("cannot write") != std::string::npos);
}

TEST_CASE("plot: bars with a line on a second axis", "[plot]")
{
    scoped_env no_override("AXSIM_GNUPLOT", nullptr);
    if (!have_gnuplot()) {
        WARN("gnuplot not installed (Debian package gnuplot-nox): skipped");
        return;
    }
    temp_dir d;
    const char *labels[] = {"conv1", "it's \"conv2\"\\", "fc_3"};
    const double cycles[] = {4811, 9000, 120}, util[] = {55.5, 80.25, 3.5};
    ax_plot_bars_t p = {"cycles and utilization", "cycles", "utilization (%)", labels, cycles, util,
                        "cycles", "utilization", 3, 1, 0};
    std::string png = d.path + "/bars.png";
    char err[512] = "";
    int rc = ax_plot_bars(png.c_str(), &p, err, sizeof err);
    INFO(err);
    REQUIRE(rc == 0);
    CHECK(png_header(png).w > 0);
    p.line = nullptr, p.logy = 0, p.n = 0;
    REQUIRE(ax_plot_bars(png.c_str(), &p, err, sizeof err) == 0); // no layers: an empty frame
    CHECK(png_header(png).w > 0);
    // a log scale refuses a bar of 0, before gnuplot runs
    const double zero[] = {0, 1};
    ax_plot_bars_t z = {nullptr, nullptr, nullptr, labels, zero, nullptr, nullptr, nullptr, 2, 1, 0};
    CHECK(ax_plot_bars(png.c_str(), &z, err, sizeof err) == -1);
    CHECK(std::string(err).find("positive") != std::string::npos);
    CHECK(files_in(d.path).size() == 1);
}
