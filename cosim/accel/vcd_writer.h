// vcd_writer.h — a value change dump of chosen signals, one sample per clock
// cycle (IEEE 1364 VCD: $var wire, binary values, only changes written).
// The array writes the ports and PE registers of one fold with it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

class VcdWriter {
public:
    // scope: the signals' module; a signal is (name, width) in its scope path
    // "a.b.c" (dots make nested scopes)
    ~VcdWriter()
    {
        if (f_) fclose(f_);
    }
    int add(const std::string &path, int width)
    {
        sig_.push_back({path, width, id_of(sig_.size()), UINT64_MAX});
        return (int)sig_.size() - 1;
    }
    // writes the header; false when the file cannot be written
    bool open(const std::string &file, const std::string &comment)
    {
        f_ = fopen(file.c_str(), "w");
        if (!f_) return false;
        fprintf(f_, "$comment %s $end\n$timescale 1ns $end\n", comment.c_str());
        std::vector<std::string> open_scopes;
        for (const Sig &s : sig_) {
            std::vector<std::string> parts;
            size_t p = 0;
            for (size_t q; (q = s.path.find('.', p)) != std::string::npos; p = q + 1)
                parts.push_back(s.path.substr(p, q - p));
            std::string leaf = s.path.substr(p);
            size_t common = 0;
            while (common < open_scopes.size() && common < parts.size() &&
                   open_scopes[common] == parts[common])
                common++;
            while (open_scopes.size() > common) {
                fputs("$upscope $end\n", f_);
                open_scopes.pop_back();
            }
            for (size_t i = common; i < parts.size(); i++) {
                fprintf(f_, "$scope module %s $end\n", parts[i].c_str());
                open_scopes.push_back(parts[i]);
            }
            fprintf(f_, "$var wire %d %s %s $end\n", s.width, s.id.c_str(), leaf.c_str());
        }
        while (!open_scopes.empty()) {
            fputs("$upscope $end\n", f_);
            open_scopes.pop_back();
        }
        fputs("$enddefinitions $end\n", f_);
        return !ferror(f_);
    }
    void time(int64_t t)
    {
        if (f_) fprintf(f_, "#%lld\n", (long long)t);
    }
    void set(int sig, uint64_t v)
    {
        Sig &s = sig_[sig];
        if (!f_ || s.last == v) return;
        s.last = v;
        if (s.width == 1) {
            fprintf(f_, "%c%s\n", v ? '1' : '0', s.id.c_str());
            return;
        }
        char b[70];
        int n = 0;
        for (int i = s.width - 1; i >= 0; i--) b[n++] = (char)('0' + ((v >> i) & 1));
        b[n] = 0;
        fprintf(f_, "b%s %s\n", b, s.id.c_str());
    }
    bool close()
    {
        if (!f_) return false;
        bool ok = !ferror(f_);
        ok = fclose(f_) == 0 && ok;
        f_ = nullptr;
        return ok;
    }

private:
    struct Sig {
        std::string path;
        int width;
        std::string id;
        uint64_t last;
    };
    static std::string id_of(size_t i)
    {
        std::string s;
        do {
            s += (char)('!' + i % 94);
            i /= 94;
        } while (i);
        return s;
    }
    FILE *f_ = nullptr;
    std::vector<Sig> sig_;
};
