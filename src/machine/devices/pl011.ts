// The Arm PL011 UART (PrimeCell UART, DDI0183): what a console driver needs. Characters
// written to UARTDR are transmitted at once and handed to the board's console a line at a
// time; the transmit FIFO is therefore always empty and the receiver never has data. The
// control registers keep what is written so that a driver reading them back sees its own
// settings. No interrupts are raised (the board wires no UART interrupt yet).

import { merge, WordDevice } from './device.js';

const UARTDR = 0x000;
const UARTFR = 0x018;
/** UARTFR: TXFE (transmit FIFO empty, bit 7) and RXFE (receive FIFO empty, bit 4). */
const FR_IDLE = 0x90;
const UARTRIS = 0x03c;
const UARTMIS = 0x040;
/** UARTIMSC: the interrupt mask, which masks the raw status into UARTMIS. */
const UARTIMSC = 0x038;
/** Peripheral and PrimeCell identification (DDI0183 3.3.14-15): a PL011 r1p5. */
const ID_REGISTERS: Readonly<Record<number, number>> = {
  0xfe0: 0x11, 0xfe4: 0x10, 0xfe8: 0x34, 0xfec: 0x00,
  0xff0: 0x0d, 0xff4: 0xf0, 0xff8: 0x05, 0xffc: 0xb1,
};
/** Registers that keep what is written (UARTRSR/ECR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC, DMACR). */
const STORED = new Set([0x004, 0x020, 0x024, 0x028, 0x02c, 0x030, 0x034, UARTIMSC, 0x048]);
/** Longest line kept before it is handed over without its newline. */
const MAX_LINE = 256;

export class Pl011 extends WordDevice {
  private readonly stored = new Map<number, number>();
  private readonly line: number[] = [];

  constructor(private readonly onConsoleLine: (text: string) => void) {
    super();
  }

  reset(): void {
    this.stored.clear();
    this.line.length = 0;
  }

  protected readWord(offset: number): number {
    if (offset === UARTFR) return FR_IDLE;
    // Nothing is ever received and transmission is instant: no raw interrupt status.
    if (offset === UARTDR || offset === UARTRIS || offset === UARTMIS) return 0;
    return ID_REGISTERS[offset] ?? this.stored.get(offset) ?? 0;
  }

  protected writeWord(offset: number, value: number, mask: number): void {
    if (offset === UARTDR) {
      if (mask & 0xff) this.transmit(value & 0xff);
      return;
    }
    // UARTFR, RIS and MIS are read-only, and UARTICR has nothing to clear: no interrupt is ever raised.
    if (STORED.has(offset)) this.stored.set(offset, merge(this.stored.get(offset) ?? 0, value, mask));
  }

  private transmit(byte: number): void {
    // Lines are handed over whole so that log output stays readable.
    if (byte === 0x0a) {
      this.onConsoleLine(String.fromCharCode(...this.line));
      this.line.length = 0;
    } else if (byte !== 0x0d) {
      this.line.push(byte);
      if (this.line.length >= MAX_LINE) this.transmit(0x0a);
    }
  }
}
