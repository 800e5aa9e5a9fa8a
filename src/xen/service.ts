// The map service: the port (mpumap.ts) behind one FIFO lock, with the operations' results
// published to listeners and the last failure kept. Every interface (HTTP API, GDB monitor,
// scenarios, tests) goes through here, so concurrent requests are applied one at a time in
// arrival order, and the MPU is synchronised before the lock is released.
//
// Construction needs only the hardware (and optionally a logger):
//   const service = new MapService(new MachineMpuHardware(machine), { logger });

import { diffShadowAndHardware, readHardware, type Disagreement, type HardwareView } from './diff.js';
import { ListenerList } from './events.js';
import type { MpuHardware } from './hardware.js';
import { DEFAULT_LAYOUT, type XenImageLayout } from './layout.js';
import { FifoLock } from './lock.js';
import { encodeMaxMpuRegions, encodeXenMpumap, encodeXenMpumapMask } from './memoryImage.js';
import { XenMpuMap } from './mpumap.js';
import type { DisableMode } from './programmer.js';
import { regionView, type OperationRequest, type OperationResult, type PortResult, type RegionView } from './result.js';
import type { ShadowEntry } from './shadow.js';

/** The subset of src/log.ts's Logger the service uses. */
export interface ServiceLogger {
  info(message: string): void;
  debug(message: string): void;
  error(message: string): void;
}

export interface MapServiceOptions {
  readonly disableMode?: DisableMode;
  /** Xen's printed lines go to `info` with the console's "(XEN) " prefix. */
  readonly logger?: ServiceLogger;
}

export interface ShadowView {
  readonly maxRegions: number;
  readonly bitmap: bigint;
  /** Entries whose PRLAR.EN is set, in index order. */
  readonly enabled: readonly RegionView[];
}

/** A consistent picture of both sides, taken under the lock. */
export interface RegionsView {
  readonly disableMode: DisableMode;
  readonly shadow: ShadowView;
  readonly hardware: HardwareView;
}

/** The memory images of Xen's variables (see memoryImage.ts). */
export interface ShadowImage {
  readonly xen_mpumap: Uint8Array;
  readonly xen_mpumap_mask: Uint8Array;
  readonly max_mpu_regions: Uint8Array;
}

/** Work run under the lock as one unit (a scenario): requests applied back to back. */
export interface ServiceSession {
  execute(request: OperationRequest): OperationResult;
  /** Shadow against hardware, as they stand inside this session (after its operations). */
  diff(): Disagreement[];
  /**
   * Forgets everything Xen's map code knew (shadow table, boot layout, last failure), as a
   * rebooted Xen would; the caller resets the hardware it programs.
   */
  reset(): void;
}

export class MapService {
  private port: XenMpuMap;
  private readonly lock = new FifoLock();
  private readonly listeners: ListenerList<OperationResult>;
  private sequence = 0;
  private lastFailed: OperationResult | null = null;
  private bootLayout: XenImageLayout | null = null;

  constructor(
    private readonly hardware: MpuHardware,
    private readonly options: MapServiceOptions = {},
  ) {
    this.port = new XenMpuMap(hardware, options.disableMode !== undefined ? { disableMode: options.disableMode } : {});
    this.listeners = new ListenerList((error) => {
      this.options.logger?.error(`map service listener failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  get maxRegions(): number {
    return this.port.maxRegions;
  }

  get disableMode(): DisableMode {
    return this.port.disableMode;
  }

  /** Switches the disable mode once the requests already queued have been applied. */
  setDisableMode(mode: DisableMode): Promise<void> {
    return this.lock.run(() => {
      this.port.disableMode = mode;
    });
  }

  /** Applies one request under the lock. */
  execute(request: OperationRequest): Promise<OperationResult> {
    return this.lock.run(() => this.executeLocked(request));
  }

  /** Runs `work` with the lock held: its requests are not interleaved with anyone else's. */
  exclusive<T>(work: (session: ServiceSession) => T | Promise<T>): Promise<T> {
    return this.lock.run(() =>
      work({
        execute: (request) => this.executeLocked(request),
        diff: () => diffShadowAndHardware(this.port.shadow, readHardware(this.hardware)),
        reset: () => {
          this.port = new XenMpuMap(this.hardware, { disableMode: this.port.disableMode });
          this.lastFailed = null;
          this.bootLayout = null;
        },
      }),
    );
  }

  boot(layout: XenImageLayout = DEFAULT_LAYOUT): Promise<OperationResult> {
    return this.execute({ op: 'boot', layout });
  }

  /** The layout of the last successful boot (free-init and after-init default to it). */
  get currentLayout(): XenImageLayout {
    return this.bootLayout ?? DEFAULT_LAYOUT;
  }

  /** Listens to every completed operation; returns the function that stops listening. */
  onOperation(listener: (result: OperationResult) => void): () => void {
    return this.listeners.add(listener);
  }

  /** The last refused operation: request, rc, messages, conflicting region. */
  lastFailure(): OperationResult | null {
    return this.lastFailed;
  }

  /** Shadow and hardware, read under the lock (hardware for display only). */
  regions(): Promise<RegionsView> {
    return this.lock.run(() => ({ disableMode: this.port.disableMode, shadow: this.shadowView(), hardware: readHardware(this.hardware) }));
  }

  /** Every disagreement between the shadow and the programmed registers. */
  diff(): Promise<Disagreement[]> {
    return this.lock.run(() => diffShadowAndHardware(this.port.shadow, readHardware(this.hardware)));
  }

  /** The shadow as Xen lays it out in memory, taken under the lock. */
  shadowImage(): Promise<ShadowImage> {
    return this.lock.run(() => {
      const snapshot = this.port.shadow.snapshot();
      return {
        xen_mpumap: encodeXenMpumap(snapshot.entries),
        xen_mpumap_mask: encodeXenMpumapMask(snapshot.bitmap),
        max_mpu_regions: encodeMaxMpuRegions(snapshot.maxRegions),
      };
    });
  }

  /** The shadow entries as they stand right now (tests, property checks). */
  shadowEntries(): { readonly entries: readonly ShadowEntry[]; readonly bitmap: bigint; readonly maxRegions: number } {
    return this.port.shadow.snapshot();
  }

  private shadowView(): ShadowView {
    const shadow = this.port.shadow;
    return {
      maxRegions: shadow.maxRegions,
      bitmap: shadow.bitmap,
      enabled: shadow.enabledIndices().map((i) => regionView(i, shadow.entry(i))),
    };
  }

  private executeLocked(request: OperationRequest): OperationResult {
    const outcome = this.dispatch(request);
    const result: OperationResult = { ...outcome, sequence: ++this.sequence, request };
    if (request.op === 'boot' && result.rc === 0) this.bootLayout = request.layout;
    if (result.rc !== 0) this.lastFailed = result;
    const logger = this.options.logger;
    if (logger !== undefined) {
      for (const line of result.messages) logger.info(`(XEN) ${line}`);
      logger.debug(`map service #${result.sequence} ${request.op}: rc ${result.rc}${result.errno === null ? '' : ` (${result.errno})`}`);
    }
    this.listeners.emit(result);
    return result;
  }

  private dispatch(request: OperationRequest): PortResult {
    const port = this.port;
    switch (request.op) {
      case 'update':
        return port.xenMpumapUpdate(request.base, request.limit, request.flags);
      case 'map':
        return port.mapPagesToXen(request.virt, request.mfn, request.nr, request.flags);
      case 'destroy':
        return port.destroyXenMappings(request.start, request.end);
      case 'modify':
        return port.modifyXenMappings(request.start, request.end, request.flags);
      case 'ioremap':
        return port.ioremapAttr(request.start, request.len, request.flags);
      case 'destroy-containing':
        return port.destroyXenMappingContaining(request.addr);
      case 'boot':
        return port.enableBootCpuMm(request.layout);
      case 'free-init':
        return port.freeInitMemory(request.layout);
      case 'after-init':
        return port.modifyAfterInitMappings(request.layout);
    }
  }
}
