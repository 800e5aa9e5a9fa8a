// The GDB signal numbers the board's stops are reported with (GDB's own numbering, the same on
// every host): SIGINT for Ctrl-C, SIGTRAP for breakpoints and watchpoints, SIGILL for an
// undefined instruction, SIGSEGV for an abort.

export const SIGINT = 2;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGSEGV = 11;
