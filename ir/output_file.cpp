#include "ir/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace rf {

namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
    throw OutputFileError("cannot " + what + " " + quoted(path) + ": " + std::strerror(errno));
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_errno("write", path);
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

bool is_ruleforge_database(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    // The SQLite header is 100 bytes: the 16-byte magic string, then big-endian fields; the
    // application id is at offset 68 (https://www.sqlite.org/fileformat.html).
    unsigned char head[72] = {};
    ssize_t n = ::pread(fd, head, sizeof head, 0);
    ::close(fd);
    if (n != static_cast<ssize_t>(sizeof head) || std::memcmp(head, "SQLite format 3", 16) != 0) return false;
    uint32_t id = (uint32_t{head[68]} << 24) | (uint32_t{head[69]} << 16) | (uint32_t{head[70]} << 8) | head[71];
    return id == kRuleforgeApplicationId;
}

void check_output_path(const std::string& path, const std::vector<std::string>& inputs) {
    struct stat out {};
    if (::stat(path.c_str(), &out) != 0) return;  // nothing there yet: nothing to lose
    if (S_ISDIR(out.st_mode)) throw OutputFileError("cannot write " + quoted(path) + ": it is a directory");
    for (const std::string& in : inputs) {
        struct stat st {};
        if (in != "-" && ::stat(in.c_str(), &st) == 0 && same_file(st, out))
            throw OutputFileError("refusing to write over " + quoted(path) + ": it is " +
                                  (in == path ? "an input" : "the input " + quoted(in)) +
                                  " of this command; choose another output file");
    }
    if (S_ISREG(out.st_mode) && is_ruleforge_database(path))
        throw OutputFileError("refusing to write over " + quoted(path) +
                              ": it is a ruleforge database; choose another output file");
}

void write_file_atomically(const std::string& path, std::string_view data, const std::vector<std::string>& inputs) {
    check_output_path(path, inputs);
    // Through a symbolic link, the file it names is the one replaced (the link stays a link).
    std::error_code ec;
    std::string target = path;
    if (std::filesystem::is_symlink(path, ec)) {
        auto resolved = std::filesystem::weakly_canonical(path, ec);
        if (!ec) target = resolved.string();
    }
    struct stat old {};
    const bool exists = ::stat(target.c_str(), &old) == 0;
    if (exists && !S_ISREG(old.st_mode)) {  // a device or a pipe: renaming over it would replace the node
        int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) fail_errno("write", path);
        try {
            write_all(fd, data, path);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
        return;
    }
    static std::atomic<unsigned> counter{0};
    const std::string tmp = target + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) fail_errno("write", path);
    try {
        write_all(fd, data, path);
        if (exists && ::fchmod(fd, old.st_mode & 07777) != 0) fail_errno("keep the permissions of", path);
        if (::fsync(fd) != 0) fail_errno("write", path);
        if (::close(fd) != 0) {
            fd = -1;
            fail_errno("write", path);
        }
        fd = -1;
        if (::rename(tmp.c_str(), target.c_str()) != 0) fail_errno("replace", path);
    } catch (...) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
}

}  // namespace rf
