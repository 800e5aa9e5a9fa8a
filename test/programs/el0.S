// Three exception levels on the board: EL2 sets up an EL1 kernel (its vectors, its stack and
// its MPU) and drops to it with ERET; the kernel calls the hypervisor (HVC, taken to EL2),
// makes a system call of its own (SVC at EL1, taken to EL1 on SP_EL1), then drops to an EL0
// task. The task makes a system call (SVC, taken to EL1 from a lower EL, answered in x0),
// reads memory the EL1 MPU keeps for EL1 (a data abort taken to EL1: ESR_EL1 EC 0x24,
// FAR_EL1), tries an HVC (UNDEFINED at EL0, taken to EL1 with EC 0) and ends with `brk #1`.
// Before it drops to EL0 the kernel asks the MPU with AT what EL0 and EL1 would get (PAR_EL1),
// and leaves SIMD&FP trapped at EL0 (CPACR_EL1.FPEN = 01): the task's first FMOV is taken to
// EL1 (EC 0x07), which enables SIMD&FP and returns to the FMOV, as an RTOS does lazily. It
// also arms its virtual timer through the GICv3 (PPI 27, Group 1): the tick is taken to EL1
// from the task (VBAR_EL1 + 0x480), acknowledged and ended through ICC_IAR1/EOIR1_EL1, and
// the task waits for it before it ends.
// Each handler stores what it saw at `results` (offsets below); a vector nobody should reach
// holds `brk #0xf`, and a check that fails ends with `brk #0xe`.

#define R_EL1_CURRENTEL  0
#define R_HVC_ESR        8
#define R_HVC_ELR        16
#define R_HVC_SPSR       24
#define R_EL1SVC_ESR     32
#define R_EL1SVC_SP      40
#define R_SVC_ESR        48
#define R_SVC_ELR        56
#define R_SVC_SPSR       64
#define R_SVC_SP         72
#define R_SVC_ANSWER     80
#define R_EL0_SP         88
#define R_ABT_ESR        96
#define R_ABT_FAR        104
#define R_ABT_ELR        112
#define R_ABT_X1         120
#define R_UND_ESR        128
#define R_UND_ELR        136
#define R_EL1_SECRET     144
#define R_AT_EL0_SECRET  152
#define R_AT_EL1_SECRET  160
#define R_AT_EL0_CODE_W  168
#define R_FP_ESR         176
#define R_FP_ELR         184
#define R_FP_X3          192
#define R_IRQ_INTID      200
#define R_IRQ_SPSR       208
#define R_IRQ_DONE       216

#define GICD             0xaf000000
#define GICR_RD          0xaf100000
#define GICR_SGI         0xaf110000
#define icc_pmr_el1      s3_0_c4_c6_0
#define icc_iar1_el1     s3_0_c12_c12_0
#define icc_eoir1_el1    s3_0_c12_c12_1
#define icc_igrpen1_el1  s3_0_c12_c12_7

#define EL2_STACK   0x110000
#define EL1_STACK   0x120000
#define EL0_STACK   0x130000
#define SECRET      0x140000        // EL1 only (AP = 0b00)

// The EL1 MPU by encoding, so that any assembler accepts them.
#define prselr_el1  s3_0_c6_c2_1
#define prbar_el1   s3_0_c6_c8_0
#define prlar_el1   s3_0_c6_c8_1

// PRBAR: BASE | SH [5:4] | AP [3:2] | XN [1:0];  PRLAR: LIMIT | AttrIndx [3:1] | EN.
.macro region n, base, limit, ap
    mov     x0, #\n
    msr     prselr_el1, x0
    ldr     x0, =(\base | (\ap << 2))
    msr     prbar_el1, x0
    ldr     x0, =((\limit & ~0x3f) | 1)
    msr     prlar_el1, x0
.endm

    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =vectors_el2
    msr     vbar_el2, x0
    ldr     x0, =EL2_STACK
    mov     sp, x0
    ldr     x20, =results

    // ---- The EL1 kernel's world: vectors, stacks, MPU ----
    ldr     x0, =vectors_el1
    msr     vbar_el1, x0
    ldr     x0, =EL1_STACK
    msr     sp_el1, x0
    ldr     x0, =EL0_STACK
    msr     sp_el0, x0
    region  0, 0x000000, 0x0fffff, 0b11   // code: read-only, EL1 and EL0
    region  1, 0x100000, 0x13ffff, 0b01   // data and stacks: read/write, EL1 and EL0
    region  2, SECRET, SECRET + 0x3f, 0b00 // the kernel's own: read/write at EL1, nothing at EL0
    region  3, GICD, 0xaf1fffff, 0b00   // the GIC's distributor and redistributor: the kernel's
    mov     x0, #1                      // SCTLR_EL1.M
    msr     sctlr_el1, x0
    dsb     sy
    isb
    mov     x0, #(1 << 31)              // HCR_EL2.RW: EL1 is AArch64; no TGE, no VM, no TSC
    msr     hcr_el2, x0
    isb

    ldr     x0, =el1_entry
    msr     elr_el2, x0
    mov     x0, #0x3c5                  // EL1h, DAIF masked
    msr     spsr_el2, x0
    eret

el1_entry:
    mrs     x0, currentel
    str     x0, [x20, #R_EL1_CURRENTEL]
    hvc     #0x12                       // to EL2, back after it
    svc     #0x56                       // at EL1: stays at EL1, current EL with SP_EL1
    ldr     x0, =SECRET
    mov     x1, #0x5ec
    str     x1, [x0]
    ldr     x1, [x0]
    str     x1, [x20, #R_EL1_SECRET]

    at      s1e0r, x0                   // EL0 may not read the secret: PAR_EL1.F = 1
    isb
    mrs     x1, par_el1
    str     x1, [x20, #R_AT_EL0_SECRET]
    at      s1e1r, x0                   // EL1 may: PAR_EL1 holds the address
    isb
    mrs     x1, par_el1
    str     x1, [x20, #R_AT_EL1_SECRET]
    ldr     x0, =_start
    at      s1e0w, x0                   // the code is read-only
    isb
    mrs     x1, par_el1
    str     x1, [x20, #R_AT_EL0_CODE_W]
    mov     x0, #(1 << 20)              // CPACR_EL1.FPEN = 01: SIMD&FP trapped at EL0 only
    msr     cpacr_el1, x0
    isb

    ldr     x0, =GICD
    mov     w1, #0x13                   // GICD_CTLR: ARE, EnableGrp1, EnableGrp0
    str     w1, [x0]
    ldr     x0, =GICR_RD
    str     wzr, [x0, #0x14]            // GICR_WAKER: awake
    ldr     x0, =GICR_SGI
    mov     w1, #-1
    str     w1, [x0, #0x80]             // GICR_IGROUPR0: every SGI and PPI in Group 1
    mov     w1, #(1 << 27)
    str     w1, [x0, #0x100]            // GICR_ISENABLER0: PPI 27, the virtual timer
    mov     x0, #0xf0
    msr     icc_pmr_el1, x0
    mov     x0, #1
    msr     icc_igrpen1_el1, x0
    mrs     x0, cntvct_el0
    add     x0, x0, #100                // a tick 100 counts from now: while the task runs
    msr     cntv_cval_el0, x0
    mov     x0, #1                      // ENABLE, not masked
    msr     cntv_ctl_el0, x0

    ldr     x0, =el0_entry
    msr     elr_el1, x0
    msr     spsr_el1, xzr               // EL0t, nothing masked
    eret

el0_entry:
    mov     x0, sp
    str     x0, [x20, #R_EL0_SP]
    mov     x0, #0
    svc     #0x34
    str     x0, [x20, #R_SVC_ANSWER]
    ldr     x0, =SECRET
    mov     x1, #0x77
    ldr     x1, [x0]                    // refused: the handler skips it, x1 keeps 0x77
    str     x1, [x20, #R_ABT_X1]
    mov     x2, #0x1234
    fmov    d0, x2                      // trapped to EL1, then retried with SIMD&FP enabled
    fmov    x3, d0
    str     x3, [x20, #R_FP_X3]
wait_tick:
    ldr     x3, [x20, #R_IRQ_DONE]      // the kernel's tick handler sets it
    cbz     x3, wait_tick
    hvc     #0                          // UNDEFINED at EL0
    .global el0_done
el0_done:
    brk     #1

// ---- EL2: an HVC from EL1 ----
el2_sync_lower:
    mrs     x9, esr_el2
    str     x9, [x20, #R_HVC_ESR]
    mrs     x9, elr_el2
    str     x9, [x20, #R_HVC_ELR]
    mrs     x9, spsr_el2
    str     x9, [x20, #R_HVC_SPSR]
    eret

// ---- EL1: its own SVC ----
el1_sync_same:
    mrs     x9, esr_el1
    str     x9, [x20, #R_EL1SVC_ESR]
    mov     x9, sp
    str     x9, [x20, #R_EL1SVC_SP]
    eret

// ---- EL1: whatever EL0 raised ----
el1_sync_lower:
    stp     x9, x10, [sp, #-16]!
    mrs     x9, esr_el1
    lsr     x10, x9, #26
    cmp     x10, #0x15
    b.eq    el1_svc
    cmp     x10, #0x24
    b.eq    el1_data_abort
    cmp     x10, #0x07
    b.eq    el1_fp_trap
    cbz     x10, el1_undefined
    mov     x0, x10
    brk     #0xe
el1_svc:
    str     x9, [x20, #R_SVC_ESR]
    mrs     x10, elr_el1
    str     x10, [x20, #R_SVC_ELR]
    mrs     x10, spsr_el1
    str     x10, [x20, #R_SVC_SPSR]
    mov     x10, sp
    str     x10, [x20, #R_SVC_SP]
    mov     x0, #0x600d                 // the system call's answer
    b       el1_return
el1_data_abort:
    str     x9, [x20, #R_ABT_ESR]
    mrs     x10, far_el1
    str     x10, [x20, #R_ABT_FAR]
    mrs     x10, elr_el1
    str     x10, [x20, #R_ABT_ELR]
    b       el1_skip
el1_fp_trap:
    str     x9, [x20, #R_FP_ESR]
    mrs     x10, elr_el1                // the trapped instruction: returned to, not skipped
    str     x10, [x20, #R_FP_ELR]
    mov     x10, #(3 << 20)             // CPACR_EL1.FPEN = 11
    msr     cpacr_el1, x10
    b       el1_return
el1_undefined:
    str     x9, [x20, #R_UND_ESR]
    mrs     x10, elr_el1
    str     x10, [x20, #R_UND_ELR]
el1_skip:
    mrs     x10, elr_el1                // return past the instruction that faulted
    add     x10, x10, #4
    msr     elr_el1, x10
el1_return:
    ldp     x9, x10, [sp], #16
    eret

// ---- EL1: the timer's IRQ, taken from the task ----
el1_irq_lower:
    stp     x9, x10, [sp, #-16]!
    mrs     x9, icc_iar1_el1            // acknowledge: the INTID
    str     x9, [x20, #R_IRQ_INTID]
    mrs     x10, spsr_el1
    str     x10, [x20, #R_IRQ_SPSR]
    msr     cntv_ctl_el0, xzr           // served: the timer off, so its level drops
    msr     icc_eoir1_el1, x9
    mov     x10, #1
    str     x10, [x20, #R_IRQ_DONE]
    ldp     x9, x10, [sp], #16
    eret

// Vector tables: synchronous from the current EL with SP_ELx at +0x200, from a lower AArch64
// EL at +0x400; every other entry is a vector nobody should reach.
    .section .vectors, "ax"
    .balign 0x800
vectors_el2:
    .rept 0x400 / 4
    brk     #0xf
    .endr
    b       el2_sync_lower
    .rept (0x800 - 0x404) / 4
    brk     #0xf
    .endr
vectors_el1:
    .rept 0x200 / 4
    brk     #0xf
    .endr
    b       el1_sync_same
    .rept (0x400 - 0x204) / 4
    brk     #0xf
    .endr
    b       el1_sync_lower
    .rept (0x480 - 0x404) / 4
    brk     #0xf
    .endr
    b       el1_irq_lower
    .rept (0x800 - 0x484) / 4
    brk     #0xf
    .endr

    .section .data
    .balign 64
    .global results
results:
    .fill 32, 8, 0
