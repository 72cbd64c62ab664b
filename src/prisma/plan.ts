export * from "./plan/selection.js";
