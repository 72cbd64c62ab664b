export { startKeyServer } from "./server.js";
export type { KeyServer, KeyServerStats } from "./server.js";
export { KEY_SERVER_TOKEN_ENV } from "./options.js";
export type { KeyServerOptions } from "./options.js";
export type { Fault, Faults, FaultSettings } from "./faults.js";
