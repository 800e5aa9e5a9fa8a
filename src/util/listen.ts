// Starting a Node server on host:port and learning the port it got (port 0 = any free port).
// Shared by the GDB listener and the map service's HTTP listener, which know nothing else of
// each other.

import type { AddressInfo, Server } from 'node:net';

export function listenOn(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}
