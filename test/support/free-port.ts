/** Ports for tests that need one nothing listens on. */
import { createServer, type AddressInfo } from "node:net";

/**
 * A port on 127.0.0.1 where nothing listens: a server's, bound and closed again. Free now, and a
 * connection to it is refused (until something else binds it).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  return port;
}
