/** Loopback networking helpers of the tests (they only ever talk to 127.0.0.0/8). */
import * as net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel chose it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
