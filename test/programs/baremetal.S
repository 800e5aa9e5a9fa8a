// Bare-metal entry for integer.c on mpustub: a stack in the data region, call compute(), stop.
    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =0x110000
    mov     sp, x0
    bl      compute
    .global done
done:
    brk     #0
