export { startKeyServer, KEY_SERVER_TOKEN_ENV } from "./server.js";
export type { KeyServer, KeyServerOptions, KeyServerStats } from "./server.js";
export { Faults } from "./faults.js";
export type { Fault, FaultSettings } from "./faults.js";
