/* A small kernel that manages the EL2 MPU the way Xen 4.22 does: a shadow table `xen_mpumap`
   of pr_t entries (PRBAR, PRLAR, a refcount, padded to 32 bytes, as in Xen's
   asm/arm64/mpu.h), a bitmap `xen_mpumap_mask` of the entries in use, and `max_mpu_regions`
   read from MPUIR_EL2. It maps its boot regions at fixed indices, turns the MPU on, then maps
   two more regions through the first free entry, as xen_mpumap_update() does.

   It carries a deliberate bug for gdbscripts/examples/check_kernel_table.py to find:
   map_region() marks the free entry used, then asks for the free region again to program it,
   so the entry it records (3) and the region it programs (4) differ. Built with
   -DSHADOW_TABLE_FIXED the region programmed is the entry recorded. Entry is compute(),
   called by baremetal.S; linked by link.ld (code at 0x0, data at 1 MiB). */

#include <stdint.h>

typedef union {
    struct __attribute__((packed)) {
        unsigned long xn_0:1; /* Execute-Never XN[0] */
        unsigned long xn:1;   /* Execute-Never XN[1] */
        unsigned long ap_0:1; /* AP[0]: EL0 access */
        unsigned long ro:1;   /* AP[1]: read-only */
        unsigned long sh:2;   /* Shareability */
        unsigned long base:42;
        unsigned long res0:16;
    } reg;
    uint64_t bits;
} prbar_t;

typedef union {
    struct __attribute__((packed)) {
        unsigned long en:1;
        unsigned long ai:3; /* AttrIndx */
        unsigned long ns:1;
        unsigned long res0:1;
        unsigned long limit:42;
        unsigned long res1:16;
    } reg;
    uint64_t bits;
} prlar_t;

typedef struct {
    prbar_t prbar;
    prlar_t prlar;
    uint8_t refcount;
    uint8_t pad[15]; /* pad the entry to 32 bytes, as Xen does */
} pr_t;

#define MAX_MPU_REGION_NR 255
#define BITS_PER_LONG 64
#define MT_NORMAL 7 /* MAIR index of normal write-back memory (Xen's layout) */

uint8_t max_mpu_regions;
unsigned long xen_mpumap_mask[(MAX_MPU_REGION_NR + BITS_PER_LONG - 1) / BITS_PER_LONG];
pr_t xen_mpumap[MAX_MPU_REGION_NR];

/* Where the kernel is in its boot, for a debugger: 1 boot regions, 2 MPU on, 3 mapped. */
volatile unsigned int boot_stage;

#define WRITE_SYSREG(value, name) __asm__ volatile("msr " #name ", %0" ::"r"((uint64_t)(value)) : "memory")
#define READ_SYSREG(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })

static void set_bit(unsigned int bit, unsigned long *map)
{
    map[bit / BITS_PER_LONG] |= 1UL << (bit % BITS_PER_LONG);
}

static int test_bit(unsigned int bit, const unsigned long *map)
{
    return (map[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG)) & 1;
}

static unsigned int find_first_zero_bit(const unsigned long *map, unsigned int size)
{
    for (unsigned int bit = 0; bit < size; bit++)
        if (!test_bit(bit, map))
            return bit;
    return size;
}

/* An enabled region [base, limit), inner shareable, normal memory. */
static pr_t pr_of(uint64_t base, uint64_t limit, int read_only, int execute_never)
{
    pr_t pr = { 0 };
    pr.prbar.reg.base = base >> 6;
    pr.prbar.reg.sh = 3;
    pr.prbar.reg.ro = read_only;
    pr.prbar.reg.xn = execute_never;
    pr.prlar.reg.limit = (limit - 1) >> 6;
    pr.prlar.reg.ai = MT_NORMAL;
    pr.prlar.reg.en = 1;
    return pr;
}

/* Xen's write_protection_region(): select the region, write PRBAR then PRLAR. */
__attribute__((noinline)) static void write_protection_region(const pr_t *pr, unsigned int sel)
{
    WRITE_SYSREG(sel, prselr_el2);
    __asm__ volatile("isb" ::: "memory");
    WRITE_SYSREG(pr->prbar.bits, prbar_el2);
    WRITE_SYSREG(pr->prlar.bits, prlar_el2);
}

/* Xen's context_sync_mpu(): the writes complete, then take effect. */
__attribute__((noinline)) static void context_sync_mpu(void)
{
    __asm__ volatile("dsb sy\n\tisb" ::: "memory");
}

__attribute__((noinline)) static void map_boot_region(unsigned int idx, pr_t pr)
{
    xen_mpumap[idx] = pr;
    set_bit(idx, xen_mpumap_mask);
    write_protection_region(&xen_mpumap[idx], idx);
}

static unsigned int next_free_region(void)
{
    return find_first_zero_bit(xen_mpumap_mask, max_mpu_regions);
}

/* xen_mpumap_update() for a new region: the first free entry, recorded, programmed, synced. */
__attribute__((noinline)) int map_region(uint64_t base, uint64_t limit, int read_only, int execute_never)
{
    unsigned int idx = next_free_region();

    if (idx >= max_mpu_regions)
        return -2; /* -ENOENT: every region is in use */
    xen_mpumap[idx] = pr_of(base, limit, read_only, execute_never);
    xen_mpumap[idx].refcount = 0;
    set_bit(idx, xen_mpumap_mask);
#ifdef SHADOW_TABLE_FIXED
    write_protection_region(&xen_mpumap[idx], idx);
#else
    /* The bug: the free region is looked up again after the entry was marked used. */
    write_protection_region(&xen_mpumap[idx], next_free_region());
#endif
    context_sync_mpu();
    return 0;
}

__attribute__((noinline)) static void enable_mpu(void)
{
    WRITE_SYSREG(READ_SYSREG(sctlr_el2) | 1, sctlr_el2);
    __asm__ volatile("isb" ::: "memory");
}

void compute(void)
{
    max_mpu_regions = READ_SYSREG(mpuir_el2) & 0xff;
    map_boot_region(0, pr_of(0x0, 0x10000, 1, 0));         /* code: read-only, executable */
    map_boot_region(1, pr_of(0x100000, 0x110000, 0, 1));   /* data and stack */
    map_boot_region(2, pr_of(0x200000, 0x201000, 1, 1));   /* a read-only page */
    context_sync_mpu();
    boot_stage = 1;
    enable_mpu();
    boot_stage = 2;
    map_region(0x300000, 0x310000, 0, 1);
    map_region(0x400000, 0x401000, 1, 1);
    boot_stage = 3;
}
