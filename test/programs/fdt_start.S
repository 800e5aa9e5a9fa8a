// Entry of fdt_walk.c, as a kernel's head is entered by a boot loader: x0 holds the device
// tree's physical address and is passed on untouched; a stack in the data region; once
// boot_main returns, the core waits for interrupts for ever — a boot that ends idle.
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x9, =0x110000
    mov     sp, x9
    bl      boot_main
    .global idle
idle:
    wfi
    b       idle
