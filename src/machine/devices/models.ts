// The device table: every model a board description may put behind a `device` range, by the
// name its `model` key uses, with what each needs from the board (the console a UART prints
// to, the interrupt controller the GIC frames show). Adding a device is one file and one
// entry here.

import { GicDistributor } from '../gic/distributor.js';
import type { Gic } from '../gic/gic.js';
import { GicRedistributor, REDISTRIBUTOR_FRAME } from '../gic/redistributor.js';
import type { Device } from './device.js';
import { Pl011 } from './pl011.js';
import { PlainRegisters } from './plain.js';

/** What devices are connected to on the board. */
export interface DeviceContext {
  /** Lines a UART transmits. */
  readonly console: (line: string) => void;
  /** The interrupt controller the GIC frames are views of. */
  readonly gic: Gic;
}

interface DeviceModel {
  /** Smallest range the model's registers fit in (0: any size). */
  readonly minimumSize: number;
  /** At most one range of this model on a board (its registers are the board's one instance). */
  readonly single: boolean;
  readonly create: (size: number, context: DeviceContext) => Device;
}

export const DEVICE_MODELS = {
  plain: { minimumSize: 0, single: false, create: (size) => new PlainRegisters(size) },
  pl011: { minimumSize: 0x1000, single: false, create: (_size, context) => new Pl011(context.console) },
  'gicv3-dist': { minimumSize: 0x1_0000, single: true, create: (_size, context) => new GicDistributor(context.gic) },
  'gicv3-redist': { minimumSize: REDISTRIBUTOR_FRAME, single: true, create: (_size, context) => new GicRedistributor(context.gic) },
} as const satisfies Record<string, DeviceModel>;

export type DeviceModelName = keyof typeof DEVICE_MODELS;

export const DEVICE_MODEL_NAMES = Object.keys(DEVICE_MODELS) as DeviceModelName[];

export function isDeviceModelName(name: string): name is DeviceModelName {
  return Object.hasOwn(DEVICE_MODELS, name);
}

export function createDevice(model: DeviceModelName, size: number, context: DeviceContext): Device {
  const entry: DeviceModel = DEVICE_MODELS[model];
  return entry.create(size, context);
}
