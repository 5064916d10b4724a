#include "tableprefetcher.h"

#include "sqlitestatement.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace LeadDesk::Core {

namespace {

// B-tree page types (https://www.sqlite.org/fileformat.html, 1.6).
constexpr unsigned char kIndexInterior = 0x02;
constexpr unsigned char kTableInterior = 0x05;
constexpr unsigned char kIndexLeaf = 0x0a;
constexpr unsigned char kTableLeaf = 0x0d;

quint32 bigEndian16(const unsigned char *p)
{
    return (quint32(p[0]) << 8) | p[1];
}

quint32 bigEndian32(const unsigned char *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | p[3];
}

bool readFully(int fd, unsigned char *buffer, std::size_t size, off_t offset)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, buffer + done, size - done, offset + off_t(done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += std::size_t(n);
    }
    return true;
}

// The page size from the file header (at offset 16; 1 means 65536).
Result<quint32> pageSizeOf(int fd)
{
    unsigned char header[18];
    if (!readFully(fd, header, sizeof header, 0) || std::memcmp(header, "SQLite format 3", 16) != 0)
        return fail(QStringLiteral("not an SQLite database file"));
    const quint32 sizeField = bigEndian16(header + 16);
    const quint32 pageSize = sizeField == 1 ? 65536 : sizeField;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
        return fail(QStringLiteral("the database file has no valid page size"));
    return pageSize;
}

// Asks the kernel for `count` pages of `pages`, pages that follow each other in the file as one
// request: a table copied in key order lies in a few long runs, the lead table in scattered pages.
void adviseRuns(int fd, off_t pageSize, const quint32 *pages, std::size_t count)
{
    for (std::size_t start = 0; start < count;) {
        std::size_t end = start + 1;
        while (end < count && pages[end] == pages[end - 1] + 1)
            ++end;
        (void)::posix_fadvise(fd, off_t(pages[start] - 1) * pageSize, off_t(end - start) * pageSize,
                              POSIX_FADV_WILLNEED);
        start = end;
    }
}

// Asks for the pages the OS does not hold yet, then touches each once it has had time to arrive.
// On this kind of machine (a VM whose host takes back memory the guest has not used for a while)
// the first touch of a freshly read page costs a fault on the host, about 10 µs: for the lead
// table's 275,000 pages, 3 s of the page reader's time inside its pread() copies. Touched here,
// on a thread of its own, that cost runs beside the reader instead of in it. Pages the OS holds
// already are neither asked for nor touched.
class PageAsker final
{
public:
    PageAsker(int fd, off_t pageSize)
        : m_fd(fd)
        , m_pageSize(pageSize)
    {
        // mincore() says which pages of a mapping the OS holds. The mapping is never touched,
        // so a file that shrinks meanwhile cannot fault.
        struct stat status
        {
        };
        const long systemPage = ::sysconf(_SC_PAGESIZE);
        if (::fstat(fd, &status) != 0 || status.st_size <= 0 || systemPage <= 0)
            return;
        void *map = ::mmap(nullptr, std::size_t(status.st_size), PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
            return;
        m_map = static_cast<unsigned char *>(map);
        m_mapLength = std::size_t(status.st_size);
        m_systemPage = systemPage;
    }
    ~PageAsker()
    {
        if (m_map)
            ::munmap(m_map, m_mapLength);
    }
    Q_DISABLE_COPY_MOVE(PageAsker)

    // Asks for `count` pages of `pages` (adviseRuns()); when they are `scanned`, only those the
    // OS lacks, which are then queued for touching. Returns `count`.
    std::size_t ask(const quint32 *pages, std::size_t count, bool scanned)
    {
        if (!scanned) {
            adviseRuns(m_fd, m_pageSize, pages, count);
            return count;
        }
        for (std::size_t start = 0; start < count;) {
            std::size_t end = start + 1;
            while (end < count && pages[end] == pages[end - 1] + 1)
                ++end;
            loadResidency(pages[start], end - start);
            for (std::size_t i = start; i < end;) {
                if (isResident(pages[i])) {
                    ++m_alreadyCached;
                    ++i;
                    continue;
                }
                std::size_t j = i + 1;
                while (j < end && !isResident(pages[j]))
                    ++j;
                adviseRuns(m_fd, m_pageSize, pages + i, j - i);
                m_toTouch.insert(m_toTouch.end(), pages + i, pages + j);
                i = j;
            }
            start = end;
        }
        return count;
    }

    // Touches queued pages until at most `behind` remain (those asked for last, still on their
    // way): a read of one byte each, which waits for a page still being read.
    void touch(std::size_t behind, const std::atomic<bool> &stopping)
    {
        char byte = 0;
        while (m_toTouch.size() - m_touched > behind && !stopping)
            (void)::pread(m_fd, &byte, 1, off_t(m_toTouch[m_touched++] - 1) * m_pageSize);
    }

    [[nodiscard]] qint64 alreadyCached() const { return m_alreadyCached; }

private:
    // Which of the `count` pages from `first` on the OS holds, by one mincore() over them.
    void loadResidency(quint32 first, std::size_t count)
    {
        m_resident.clear();
        if (!m_map)
            return;
        const off_t from = off_t(first - 1) * m_pageSize / m_systemPage * m_systemPage;
        const off_t to = std::min(off_t(first - 1 + count) * m_pageSize, off_t(m_mapLength));
        if (to <= from)
            return;
        m_residentFrom = from;
        m_resident.resize(std::size_t((to - from + m_systemPage - 1) / m_systemPage));
        if (::mincore(m_map + from, std::size_t(to - from), m_resident.data()) != 0)
            m_resident.clear();
    }

    bool isResident(quint32 page) const
    {
        const off_t at = off_t(page - 1) * m_pageSize;
        if (m_resident.empty() || at < m_residentFrom)
            return false;
        const auto index = std::size_t((at - m_residentFrom) / m_systemPage);
        return index < m_resident.size() && (m_resident[index] & 1);
    }

    int m_fd;
    off_t m_pageSize;
    unsigned char *m_map = nullptr;
    std::size_t m_mapLength = 0;
    off_t m_systemPage = 0;
    off_t m_residentFrom = 0;
    std::vector<unsigned char> m_resident; // for the run being asked for, bit 0: held
    std::vector<quint32> m_toTouch;
    std::size_t m_touched = 0;
    qint64 m_alreadyCached = 0;
};

} // namespace

Result<std::vector<quint32>> TablePrefetcher::leafPages(int fd, quint32 rootPage)
{
    const auto size = pageSizeOf(fd);
    if (!size)
        return std::unexpected(size.error());
    const quint32 pageSize = *size;
    struct stat status
    {
    };
    if (::fstat(fd, &status) != 0)
        return fail(QStringLiteral("cannot read the database file's size"));
    const quint32 pageCount = quint32(status.st_size / pageSize);
    if (rootPage < 1 || rootPage > pageCount)
        return fail(QStringLiteral("page %1 is not in the file").arg(rootPage));

    // Level by level, children in order, so the leaves come out in key order. Every leaf sits
    // at the same depth, so only the first page of a level is read to learn that the level is
    // the leaves: the leaves themselves, nearly all of the tree, are never read here. Every page
    // is listed at most once (a damaged file cannot loop), and a page that is not a b-tree page
    // ends the walk: the caller only loses the hint.
    std::vector<unsigned char> page(pageSize);
    std::vector<bool> seen(std::size_t(pageCount) + 1, false);
    const auto read = [&](quint32 number) -> Result<unsigned char> {
        if (!readFully(fd, page.data(), pageSize, off_t(number - 1) * pageSize))
            return fail(QStringLiteral("cannot read page %1").arg(number));
        return page[number == 1 ? 100 : 0];
    };
    seen[rootPage] = true;
    std::vector<quint32> level{rootPage};
    for (;;) {
        auto type = read(level.front());
        if (!type)
            return std::unexpected(type.error());
        if (*type == kTableLeaf || *type == kIndexLeaf)
            return level;
        // The rest of the level is read one page after the other: asked for at once first,
        // the reads find them on their way (a million-lead table has a thousand).
        if (level.size() > 2)
            adviseRuns(fd, pageSize, level.data() + 1, level.size() - 1);
        std::vector<quint32> children;
        for (const quint32 number : level) {
            if (number != level.front()) {
                type = read(number);
                if (!type)
                    return std::unexpected(type.error());
            }
            if (*type != kTableInterior && *type != kIndexInterior)
                return fail(QStringLiteral("page %1 is not a b-tree interior page").arg(number));
            const quint32 at = number == 1 ? 100 : 0;
            const quint32 cells = bigEndian16(page.data() + at + 3);
            if (at + 12 + 2 * cells > pageSize)
                return fail(QStringLiteral("page %1 has more cells than fit").arg(number));
            const auto add = [&](quint32 child) -> Result<void> {
                if (child < 1 || child > pageCount || seen[child])
                    return fail(QStringLiteral("the b-tree points at page %1 twice or outside "
                                               "the file")
                                    .arg(child));
                seen[child] = true;
                children.push_back(child);
                return {};
            };
            for (quint32 i = 0; i < cells; ++i) {
                const quint32 offset = bigEndian16(page.data() + at + 12 + 2 * i);
                if (offset + 4 > pageSize)
                    return fail(QStringLiteral("page %1 has a cell outside it").arg(number));
                if (auto ok = add(bigEndian32(page.data() + offset)); !ok)
                    return std::unexpected(ok.error());
            }
            if (auto ok = add(bigEndian32(page.data() + at + 8)); !ok) // the right-most child
                return std::unexpected(ok.error());
        }
        level = std::move(children);
    }
}

TablePrefetcher::TablePrefetcher(QByteArray path, std::vector<quint32> inStep,
                                 std::vector<quint32> wholeFirst)
    : m_path(std::move(path))
    , m_inStep(std::move(inStep))
    , m_wholeFirst(std::move(wholeFirst))
    , m_thread([this] { run(); })
{}

std::unique_ptr<TablePrefetcher>
TablePrefetcher::forTrees(sqlite3 *db, std::initializer_list<const char *> inStep,
                          std::initializer_list<const char *> wholeFirst)
{
    const char *path = sqlite3_db_filename(db, "main");
    if (!path || !*path)
        return nullptr;
    SqliteStatement root(db, "SELECT rootpage FROM sqlite_master WHERE name = ?1");
    if (!root.isValid())
        return nullptr;
    const auto rootsOf = [&root](std::initializer_list<const char *> names) {
        std::vector<quint32> roots;
        for (const char *name : names) {
            root.bindStatic(1, name);
            if (auto row = root.step(); row && *row && root.columnInt(0) > 0)
                roots.push_back(quint32(root.columnInt(0)));
            root.reset();
        }
        return roots;
    };
    std::vector<quint32> stepRoots = rootsOf(inStep);
    std::vector<quint32> firstRoots = rootsOf(wholeFirst);
    if (stepRoots.empty() && firstRoots.empty())
        return nullptr;
    return std::make_unique<TablePrefetcher>(QByteArray(path), std::move(stepRoots),
                                             std::move(firstRoots));
}

TablePrefetcher::~TablePrefetcher()
{
    m_stopping = true;
    m_thread.join();
}

void TablePrefetcher::run()
{
    struct Done
    {
        std::atomic<bool> &done;
        ~Done() { done = true; }
    } markDone{m_done};
    const int fd = ::open(m_path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    const auto size = pageSizeOf(fd);
    if (!size) {
        ::close(fd);
        return;
    }
    const off_t pageSize = *size;
    PageAsker asker(fd, pageSize);
    // The trees wanted whole are read by the writer, a page here and there, while the page
    // reader scans the others: only the scanned pages are worth touching ahead.
    for (const quint32 root : m_wholeFirst) {
        if (m_stopping)
            break;
        if (auto leaves = leafPages(fd, root))
            m_requested += qint64(asker.ask(leaves->data(), leaves->size(), false));
    }
    std::vector<std::vector<quint32>> trees;
    std::size_t longest = 0;
    for (const quint32 root : m_inStep) {
        if (m_stopping)
            break;
        auto leaves = leafPages(fd, root);
        if (!leaves)
            continue; // a hint less
        longest = std::max(longest, leaves->size());
        trees.push_back(std::move(*leaves));
    }
    // In steps of a few hundred pages of the longest tree, each tree as far as the same fraction
    // of it: the kernel queues them all, and the scan finds its pages already read. The pages
    // of the last few steps are left untouched, to arrive while later ones are asked for.
    constexpr std::size_t kStep = 256;
    constexpr std::size_t kTouchBehind = 8 * kStep;
    std::vector<std::size_t> next(trees.size(), 0);
    for (std::size_t done = 0; done < longest && !m_stopping;) {
        done = std::min(longest, done + kStep);
        for (std::size_t t = 0; t < trees.size(); ++t) {
            const std::vector<quint32> &leaves = trees[t];
            const std::size_t until = leaves.size() * done / longest;
            if (until > next[t])
                m_requested += qint64(asker.ask(leaves.data() + next[t], until - next[t], true));
            next[t] = std::max(next[t], until);
        }
        asker.touch(kTouchBehind, m_stopping);
        m_alreadyCached = asker.alreadyCached();
    }
    asker.touch(0, m_stopping);
    m_alreadyCached = asker.alreadyCached();
    ::close(fd);
}

} // namespace LeadDesk::Core
