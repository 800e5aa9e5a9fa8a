// The device table: every model a board description may put behind a `device` range, by the
// name its `model` key uses, with what each needs from the board (the console a UART prints
// to). Adding a device is one file and one entry here.

import type { Device } from './device.js';
import { Pl011 } from './pl011.js';
import { PlainRegisters } from './plain.js';

/** What devices are connected to on the board. */
export interface DeviceContext {
  /** Lines a UART transmits. */
  readonly console: (line: string) => void;
}

interface DeviceModel {
  /** Smallest range the model's registers fit in (0: any size). */
  readonly minimumSize: number;
  readonly create: (size: number, context: DeviceContext) => Device;
}

export const DEVICE_MODELS = {
  plain: { minimumSize: 0, create: (size) => new PlainRegisters(size) },
  pl011: { minimumSize: 0x1000, create: (_size, context) => new Pl011(context.console) },
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
