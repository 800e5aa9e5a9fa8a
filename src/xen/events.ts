// The list of listeners told about every completed operation (the HTTP API's event stream,
// the debugger's "catch" feature). A listener that throws does not disturb the operation or
// the other listeners; its error is handed to the `onListenerError` callback, never dropped.

export type Listener<T> = (event: T) => void;

export class ListenerList<T> {
  private readonly listeners = new Set<Listener<T>>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
