// A kernel of a few lines for the boot tests: it checks the flattened device tree the stub
// hands over in x0 (the magic, then a walk of the structure block), finds its console the way
// Xen does — /chosen/stdout-path, through /aliases, to the node's reg — and prints the
// board's model and /chosen/bootargs there. Then it does what its command line asks:
// "panic" prints a Xen-style panic line and spins, "spin" spins silently, "fault" executes an
// undefined instruction, "brk" a BRK; otherwise it returns to fdt_start.S's idle loop.
// A blob without the magic ends in BRK #1, a console it cannot find in BRK #2.

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4

struct fdt {
    const u8 *structure;
    const char *strings;
};

static volatile u32 *uart;

static u32 be32(const u8 *p)
{
    return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static u64 be64(const u8 *p)
{
    return ((u64)be32(p) << 32) | be32(p + 4);
}

static u32 length(const char *s)
{
    u32 n = 0;
    while (s[n])
        n++;
    return n;
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int contains(const char *text, const char *word)
{
    for (; *text; text++) {
        u32 i = 0;
        while (word[i] && text[i] == word[i])
            i++;
        if (!word[i])
            return 1;
    }
    return 0;
}

/* The value of property `name` of the node at `path` ("/" or "/chosen"), or 0. */
static const u8 *property(const struct fdt *f, const char *path, const char *name, u32 *len)
{
    const u8 *p = f->structure;
    char here[128];
    u32 at = 0;
    int depth = 0;

    for (;;) {
        u32 token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *node = (const char *)p;
            u32 n = length(node);
            p += (n + 4) & ~3u;
            if (depth++ > 0 && at + n + 1 < sizeof(here)) {
                here[at++] = '/';
                for (u32 i = 0; i < n; i++)
                    here[at++] = node[i];
            }
        } else if (token == FDT_END_NODE) {
            depth--;
            while (at > 0 && here[--at] != '/')
                ;
        } else if (token == FDT_PROP) {
            u32 size = be32(p);
            const char *prop = f->strings + be32(p + 4);
            const u8 *value = p + 8;
            p += 8 + ((size + 3) & ~3u);
            here[at] = 0;
            if (same(at ? here : "/", path) && same(prop, name)) {
                *len = size;
                return value;
            }
        } else if (token != FDT_NOP) {
            return 0; /* FDT_END */
        }
    }
}

static void put(char c)
{
    if (c == '\n')
        *uart = '\r';
    *uart = (u8)c;
}

static void print(const char *s)
{
    while (*s)
        put(*s++);
}

static void print_hex(u64 v)
{
    print("0x");
    for (int shift = 60; shift >= 0; shift -= 4) {
        u32 digit = (v >> shift) & 0xf;
        if (digit || shift == 0 || v >> shift)
            put(digit < 10 ? '0' + digit : 'a' + digit - 10);
    }
}

void boot_main(const u8 *blob)
{
    struct fdt f;
    char alias[32];
    u32 len = 0, i = 0;

    if (be32(blob) != FDT_MAGIC)
        __asm__ volatile("brk #0x1");
    f.structure = blob + be32(blob + 8);
    f.strings = (const char *)blob + be32(blob + 12);

    /* stdout-path is "serial0" or "serial0:115200n8": an alias, or a path. */
    const char *stdout_path = (const char *)property(&f, "/chosen", "stdout-path", &len);
    if (!stdout_path)
        __asm__ volatile("brk #0x2");
    while (stdout_path[i] && stdout_path[i] != ':' && i < sizeof(alias) - 1) {
        alias[i] = stdout_path[i];
        i++;
    }
    alias[i] = 0;
    const char *node = alias[0] == '/' ? alias : (const char *)property(&f, "/aliases", alias, &len);
    const u8 *reg = node ? property(&f, node, "reg", &len) : 0;
    if (!reg || len < 8)
        __asm__ volatile("brk #0x2");
    uart = (volatile u32 *)be64(reg);

    const char *model = (const char *)property(&f, "/", "model", &len);
    const char *bootargs = (const char *)property(&f, "/chosen", "bootargs", &len);
    print("fdt_walk: device tree at ");
    print_hex((u64)blob);
    print(", ");
    print_hex(be32(blob + 4));
    print(" bytes, model ");
    print(model ? model : "(none)");
    print("\nfdt_walk: console ");
    print(node);
    print("\nfdt_walk: bootargs: ");
    print(bootargs ? bootargs : "(none)");
    print("\n");

    if (bootargs && contains(bootargs, "panic")) {
        print("(XEN) ****************************************\n(XEN) Panic on CPU 0:\n(XEN) panic requested on the command line\n");
        for (;;)
            ;
    }
    if (bootargs && contains(bootargs, "spin"))
        for (;;)
            ;
    if (bootargs && contains(bootargs, "fault"))
        __asm__ volatile(".inst 0x00000000"); /* UDF #0 */
    if (bootargs && contains(bootargs, "brk"))
        __asm__ volatile("brk #0x3e8");
    print("fdt_walk: done\n");
}
