// Sets up the EL2 MPU the way Xen's head.S does (PRSELR, PRBAR/PRLAR, DSB, ISB, then SCTLR_EL2.M)
// and then takes a permission fault: a store to a read-only region. The vector table records
// ESR_EL2 and FAR_EL2 in x20/x21 and stops on a BRK.
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =vectors
    msr     vbar_el2, x0
    ldr     x0, =0x110000
    mov     sp, x0

    // Region 0: code, [0x0, 0x10000) read-only, executable (PRBAR AP=RO, SH=inner).
    mov     x0, #0
    msr     prselr_el2, x0
    isb
    ldr     x1, =0x00000038
    msr     prbar_el2, x1
    ldr     x2, =0x0000ffcf
    msr     prlar_el2, x2
    // Region 1: data and stack, [0x100000, 0x110000) read-write, execute-never.
    ldr     x1, =0x00100032
    msr     prbar1_el2, x1
    ldr     x2, =0x0010ffcf
    msr     prlar1_el2, x2
    // Region 2: one read-only page at 0x200000.
    ldr     x1, =0x0020003a
    msr     prbar2_el2, x1
    ldr     x2, =0x00200fcf
    msr     prlar2_el2, x2
    dsb     sy
    isb
    mrs     x3, sctlr_el2
    orr     x3, x3, #1            // M: MPU on (background region stays off)
    msr     sctlr_el2, x3
    isb

    .global regions_ready
regions_ready:
    ldr     x4, =0x100000
    mov     x5, #0x1234
    str     x5, [x4]              // allowed: RW region
    ldr     x6, =0x200000
    ldr     x7, [x6]              // allowed: read of the read-only page
    .global fault_here
fault_here:
    str     x5, [x6]              // refused: write to a read-only region
    .global after_fault
after_fault:
    mov     x8, #1
    brk     #0

    .section .vectors, "ax"
    .balign 0x800
vectors:
    .rept 0x200 / 4
    b       .
    .endr
    // Current EL with SPx, synchronous: the data abort lands here.
    .global sync_handler
sync_handler:
    mrs     x20, esr_el2
    mrs     x21, far_el2
    mrs     x22, elr_el2
    brk     #1

    .section .ro_page, "a"
    .quad   0x5a5a5a5a5a5a5a5a
