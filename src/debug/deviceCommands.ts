// Monitor commands about the interrupt machinery: `monitor gic` (the distributor's and
// redistributor's enables, the CPU interface, and every interrupt that is enabled, pending or
// active) and `monitor timer` (the counter, the next deadline, each timer). What they show is
// read from the models without acting on them: no interrupt is acknowledged by looking.

import type { TimerName } from '../arch/aarch64/registers.js';
import { CTLR_ENABLE_GRP1, GIC_INTIDS, SPURIOUS_INTID } from '../machine/gic/gic.js';
import type { Machine } from '../machine/machine.js';
import { TIMER_INTIDS } from '../machine/timer.js';
import type { MonitorRegistry } from './monitor.js';

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

const TIMER_LABELS: Readonly<Record<TimerName, string>> = {
  'el1-physical': 'EL1 physical (CNTP)',
  'el1-virtual': 'EL1 virtual (CNTV)',
  'el2-physical': 'EL2 physical (CNTHP)',
  'el2-secure-physical': 'Secure EL2 physical (CNTHPS)',
};

function kindOf(intid: number): string {
  return intid < 16 ? 'SGI' : intid < 32 ? 'PPI' : 'SPI';
}

export function gicText(machine: Machine): string {
  const gic = machine.gic;
  const signalled = gic.signalledIntid();
  const lines = [
    `distributor: Group 1 ${gic.distributorEnables & CTLR_ENABLE_GRP1 ? 'enabled' : 'disabled'} (GICD_CTLR ${hex(gic.distributorEnables | 0x50)}); redistributor ${gic.processorSleep ? 'asleep (GICR_WAKER.ProcessorSleep)' : 'awake'}`,
    `CPU interface: IGRPEN1 ${gic.group1Enabled ? 1 : 0}, PMR ${hex(gic.priorityMask)}, BPR1 ${gic.binaryPoint1}, EOImode ${gic.eoiMode}, running priority ${hex(gic.runningPriority())}`,
    `IRQ signalled: ${signalled === SPURIOUS_INTID ? 'no' : `yes, INTID ${signalled}`}; highest pending Group 1: ${gic.highestPending() === SPURIOUS_INTID ? 'none' : gic.highestPending()}`,
  ];
  const rows: string[] = [];
  for (let intid = 0; intid < GIC_INTIDS; intid++) {
    const s = gic.interruptState(intid);
    if (!s.enabled && !s.pending && !s.active) continue;
    const yes = (b: boolean): string => (b ? 'yes' : 'no');
    rows.push(
      `${String(intid).padStart(5)}  ${kindOf(intid)}   ${s.group}      ${yes(s.enabled).padEnd(8)} ${yes(s.pending).padEnd(8)} ${yes(s.active).padEnd(7)} ${hex(s.priority).padEnd(9)} ${(s.edge ? 'edge' : 'level').padEnd(8)} ${intid < 32 ? '' : s.routedHere ? 'this PE' : 'elsewhere'}`.trimEnd(),
    );
  }
  if (rows.length === 0) lines.push('no interrupt is enabled, pending or active');
  else lines.push('INTID  type  group  enabled  pending  active  priority  trigger  route', ...rows);
  return `${lines.join('\n')}\n`;
}

export function timerText(machine: Machine): string {
  const timer = machine.timer;
  const lines = [
    `counter: ${timer.ticks} ticks since reset (one per retired instruction; CNTFRQ_EL0 says 100 MHz); CNTVOFF_EL2 ${hex(timer.readCounter('virtual-offset'))}`,
    `next deadline: ${timer.deadline === Infinity ? 'none (no enabled, unmasked timer will fire)' : `tick ${timer.deadline} (${timer.deadline - timer.ticks} to go)`}`,
    'timer                          CTL   CVAL                PPI  output',
  ];
  for (const [name, label] of Object.entries(TIMER_LABELS) as Array<[TimerName, string]>) {
    const ctl = timer.read(name, 'CTL');
    const firing = (ctl & 0x7n) === 0x5n;
    const state = (ctl & 1n) === 0n ? 'disabled' : firing ? 'high (condition met)' : (ctl & 4n) !== 0n ? 'masked (condition met)' : (ctl & 2n) !== 0n ? 'masked' : 'low (waiting)';
    lines.push(`${label.padEnd(30)} ${hex(ctl).padEnd(5)} ${hex(timer.read(name, 'CVAL')).padEnd(19)} ${String(TIMER_INTIDS[name]).padEnd(4)} ${state}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerDeviceCommands(monitors: MonitorRegistry, machine: Machine): void {
  monitors.add({
    name: 'gic',
    usage: 'gic',
    help: 'the GICv3: group enables, the CPU interface, and every enabled, pending or active interrupt',
    run: (_args, out) => out(gicText(machine)),
  });
  monitors.add({
    name: 'timer',
    usage: 'timer',
    help: 'the generic timer: the counter, the next deadline and each timer',
    run: (_args, out) => out(timerText(machine)),
  });
}
