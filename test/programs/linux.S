// Linux entry for the test programs under qemu-aarch64: call compute(), write RESULT_BYTES bytes
// from RESULT_SYMBOL to stdout, exit. Both are defined on the compiler command line.
    .text
    .global _start
_start:
    bl      compute
    mov     x0, #1
    ldr     x1, =RESULT_SYMBOL
    mov     x2, #RESULT_BYTES
    mov     x8, #64
    svc     #0
    mov     x0, #0
    mov     x8, #93
    svc     #0
