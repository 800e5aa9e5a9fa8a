// An MPU hypervisor's early boot on the board, in the order Xen's does it: probe the ID
// registers, clean a buffer by the line size CTR_EL0 gives, program and enable the EL2 MPU,
// bring up the GICv3 distributor, the redistributor (WAKER handshake) and the CPU interface,
// route IRQs to EL2, arm the Secure EL2 physical timer, sleep in WFI until its interrupt,
// acknowledge it (ICC_IAR1_EL1) and end it (ICC_EOIR1_EL1, EOImode 0), then raise an SGI to
// itself and end that one with EOImode 1 (priority drop, then ICC_DIR_EL1) as Xen runs the GIC.
// Everything observed is stored at `results` (offsets below); it ends with `brk #1`, or
// `brk #0xe` with x0 saying which check failed.

// Offsets in `results`.
#define R_MIDR        0
#define R_MPIDR       8
#define R_PFR0        16
#define R_MMFR0       24
#define R_CTR         32
#define R_DLINE       40
#define R_DC_OPS      48
#define R_GICD_TYPER  56
#define R_GICD_IIDR   64
#define R_GICR_TYPER  72
#define R_WAKER       80
#define R_WAKER_POLLS 88
#define R_CNTFRQ      96
#define R_T_ARMED     104
#define R_T_TAKEN     112
#define R_INTID0      120
#define R_INTID1      128
#define R_IRQS        136
#define R_ELR0        144
#define R_RPR_IN      152
#define R_RPR_AFTER   160
#define R_SPSR0       168
#define R_TIMER_CTL   176

#define GICD          0xaf000000
#define GICR          0xaf100000
#define GICR_SGI      (GICR + 0x10000)
#define TIMER_PPI     26
#define TIMER_TICKS   1000
#define SELF_SGI      3

// Secure EL2 physical timer and GIC CPU interface registers by encoding, so that any
// assembler accepts them.
#define cnthps_tval_el2 s3_4_c14_c5_0
#define cnthps_ctl_el2  s3_4_c14_c5_1
#define icc_iar1_el1    s3_0_c12_c12_0
#define icc_eoir1_el1   s3_0_c12_c12_1
#define icc_bpr1_el1    s3_0_c12_c12_3
#define icc_ctlr_el1    s3_0_c12_c12_4
#define icc_igrpen1_el1 s3_0_c12_c12_7
#define icc_pmr_el1     s3_0_c4_c6_0
#define icc_dir_el1     s3_0_c12_c11_1
#define icc_rpr_el1     s3_0_c12_c11_3
#define icc_sgi1r_el1   s3_0_c12_c11_5
#define icc_sre_el2     s3_4_c12_c9_5

.macro check cond, code
    b.\cond 1f
    mov     x0, #\code
    brk     #0xe
1:
.endm

    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =vectors
    msr     vbar_el2, x0
    ldr     x0, =0x110000
    mov     sp, x0
    ldr     x20, =results

    // ---- What the PE is ----
    mrs     x0, midr_el1
    str     x0, [x20, #R_MIDR]
    mrs     x0, mpidr_el1
    str     x0, [x20, #R_MPIDR]
    mrs     x0, id_aa64pfr0_el1
    str     x0, [x20, #R_PFR0]
    ubfx    x1, x0, #24, #4             // GIC: system register interface
    cmp     x1, #1
    check   hs, 1
    mrs     x0, id_aa64mmfr0_el1
    str     x0, [x20, #R_MMFR0]
    ubfx    x1, x0, #48, #4             // MSA 0b1111: PMSA (Armv8-R)
    cmp     x1, #0xf
    check   eq, 2

    // ---- Cache maintenance by the line size CTR_EL0 gives (Xen's dcache_line_size) ----
    mrs     x0, ctr_el0
    str     x0, [x20, #R_CTR]
    ubfx    x1, x0, #16, #4             // DminLine: log2 of words
    mov     x2, #4
    lsl     x2, x2, x1
    str     x2, [x20, #R_DLINE]
    ldr     x3, =buffer
    add     x4, x3, #0x1000
    mov     x5, #0
2:  dc      civac, x3
    add     x3, x3, x2
    add     x5, x5, #1
    cmp     x3, x4
    b.lo    2b
    dsb     sy
    str     x5, [x20, #R_DC_OPS]

    // ---- The EL2 MPU: code, data and stack, the GIC frames ----
    ldr     x0, =0xff000004eeaa4400     // Xen's MAIR_EL2: index 4 Device-nGnRE, 7 Normal WB
    msr     mair_el2, x0
    mov     x0, #0
    msr     prselr_el2, x0
    isb
    ldr     x1, =0x00000038             // [0x0, 0x10000) read-only, executable
    msr     prbar_el2, x1
    ldr     x2, =0x0000ffcf
    msr     prlar_el2, x2
    ldr     x1, =0x00100032             // [0x100000, 0x110000) read-write, execute-never
    msr     prbar1_el2, x1
    ldr     x2, =0x0010ffcf
    msr     prlar1_el2, x2
    ldr     x1, =(GICD | 0x22)          // GICD: device, read-write, execute-never
    msr     prbar2_el2, x1
    ldr     x2, =(GICD + 0xffc0) | 0x9
    msr     prlar2_el2, x2
    ldr     x1, =(GICR | 0x22)          // GICR window
    msr     prbar3_el2, x1
    ldr     x2, =(GICR + 0xfffc0) | 0x9
    msr     prlar3_el2, x2
    dsb     sy
    isb
    mrs     x0, sctlr_el2
    orr     x0, x0, #1                  // M
    msr     sctlr_el2, x0
    isb

    // ---- GICv3 distributor ----
    ldr     x10, =GICD
    add     x1, x10, #0xf, lsl #12
    ldr     w0, [x1, #0xfe8]            // GICD_PIDR2.ArchRev
    ubfx    w0, w0, #4, #4
    cmp     w0, #3
    check   eq, 3
    mov     w0, #0x10                   // disabled, ARE kept
    str     w0, [x10, #0x0]
    ldr     w0, [x10, #0x4]
    str     x0, [x20, #R_GICD_TYPER]
    ldr     w0, [x10, #0x8]
    str     x0, [x20, #R_GICD_IIDR]
    mov     w0, #0x13                   // ARE | EnableGrp1 | EnableGrp0
    str     w0, [x10, #0x0]

    // ---- The redistributor: find it, wake it ----
    ldr     x11, =GICR
    add     x1, x11, #0xf, lsl #12
    ldr     w0, [x1, #0xfe8]            // GICR_PIDR2.ArchRev
    ubfx    w0, w0, #4, #4
    cmp     w0, #3
    check   eq, 4
    ldr     x0, [x11, #0x8]             // GICR_TYPER (64-bit)
    str     x0, [x20, #R_GICR_TYPER]
    tbz     x0, #4, fail_last           // Last
    lsr     x0, x0, #32                 // its affinity must be this PE's
    mrs     x1, mpidr_el1
    and     x1, x1, #0xffffff
    cmp     x0, x1
    check   eq, 5
    ldr     w0, [x11, #0x14]            // GICR_WAKER: clear ProcessorSleep...
    bic     w0, w0, #2
    str     w0, [x11, #0x14]
    mov     x5, #0
3:  add     x5, x5, #1                  // ...and wait for ChildrenAsleep to clear
    ldr     w0, [x11, #0x14]
    tbnz    w0, #2, 3b
    str     x5, [x20, #R_WAKER_POLLS]
    str     x0, [x20, #R_WAKER]

    // ---- SGIs and PPIs: Group 1, priorities, the timer PPI level-sensitive and enabled ----
    ldr     x12, =GICR_SGI
    mov     w0, #-1
    str     w0, [x12, #0x80]            // GICR_IGROUPR0
    ldr     w0, =0xa0a0a0a0
    str     w0, [x12, #0x400 + 0]       // SGIs 0..3
    strb    w0, [x12, #0x400 + TIMER_PPI]
    str     wzr, [x12, #0xc04]          // GICR_ICFGR1: PPIs level-sensitive
    ldr     w0, =(1 << TIMER_PPI) | (1 << SELF_SGI)
    str     w0, [x12, #0x100]           // GICR_ISENABLER0

    // ---- The CPU interface, through system registers ----
    mrs     x0, icc_sre_el2
    orr     x0, x0, #1                  // SRE
    msr     icc_sre_el2, x0
    isb
    msr     icc_bpr1_el1, xzr
    mov     x0, #0xf0
    msr     icc_pmr_el1, x0
    msr     icc_ctlr_el1, xzr           // EOImode 0: EOIR1 also deactivates
    mov     x0, #1
    msr     icc_igrpen1_el1, x0
    isb

    // ---- IRQs to EL2, the timer armed, sleep until it fires ----
    mrs     x0, hcr_el2
    orr     x0, x0, #(1 << 4)           // IMO
    msr     hcr_el2, x0
    isb
    mrs     x0, cntfrq_el0
    str     x0, [x20, #R_CNTFRQ]
    mrs     x0, cntpct_el0
    str     x0, [x20, #R_T_ARMED]
    mov     x0, #TIMER_TICKS
    msr     cnthps_tval_el2, x0
    mov     x0, #1                      // ENABLE, not masked
    msr     cnthps_ctl_el2, x0
    isb
    msr     daifclr, #2                 // PSTATE.I clear
    .global wait_for_timer
wait_for_timer:
    wfi
    .global after_wfi
after_wfi:
    ldr     x0, [x20, #R_IRQS]
    cbz     x0, wait_for_timer
    mrs     x0, icc_rpr_el1
    str     x0, [x20, #R_RPR_AFTER]

    // ---- An SGI to this PE, ended as Xen ends interrupts: EOImode 1 ----
    mov     x0, #2                      // EOImode
    msr     icc_ctlr_el1, x0
    isb
    ldr     x0, =(SELF_SGI << 24) | 1   // INTID 3, target list: Aff0 0
    msr     icc_sgi1r_el1, x0
    isb
4:  ldr     x0, [x20, #R_IRQS]
    cmp     x0, #2
    b.lo    4b
    msr     daifset, #2
    .global boot_done
boot_done:
    brk     #1

fail_last:
    mov     x0, #6
    brk     #0xe

    .section .vectors, "ax"
    .balign 0x800
vectors:
    .rept 0x280 / 4
    brk     #0xf                        // anything but an IRQ from EL2 with SP_EL2
    .endr
    // Current EL with SP_ELx, IRQ.
    .global irq_handler
irq_handler:
    stp     x9, x10, [sp, #-16]!
    stp     x11, x12, [sp, #-16]!
    mrs     x9, icc_iar1_el1            // acknowledge
    ldr     x10, [x20, #R_IRQS]
    cbnz    x10, 5f
    // The first one: the timer.
    str     x9, [x20, #R_INTID0]
    mrs     x11, cntpct_el0
    str     x11, [x20, #R_T_TAKEN]
    mrs     x11, elr_el2
    str     x11, [x20, #R_ELR0]
    mrs     x11, spsr_el2
    str     x11, [x20, #R_SPSR0]
    mrs     x11, icc_rpr_el1
    str     x11, [x20, #R_RPR_IN]
    mrs     x11, cnthps_ctl_el2
    str     x11, [x20, #R_TIMER_CTL]
    msr     cnthps_ctl_el2, xzr         // the timer stops asserting its PPI
    b       6f
5:  str     x9, [x20, #R_INTID1]
6:  add     x10, x10, #1
    str     x10, [x20, #R_IRQS]
    msr     icc_eoir1_el1, x9           // priority drop (and deactivation with EOImode 0)
    mrs     x11, icc_ctlr_el1
    tbz     x11, #1, 7f
    msr     icc_dir_el1, x9             // EOImode 1: deactivation is separate
7:  isb
    ldp     x11, x12, [sp], #16
    ldp     x9, x10, [sp], #16
    eret

    .section .data
    .balign 64
    .global results
results:
    .fill 32, 8, 0
    .balign 64
buffer:
    .fill 0x1000, 1, 0
