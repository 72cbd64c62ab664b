import { existsSync } from "node:fs";
import { join } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Classes of the runtime, the same object whichever copy of prisma-vault tests against them. */
const BUILT_INS = [
  "Error",
  "TypeError",
  "Date",
  "Promise",
  "AbortSignal",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "Uint8Array",
  "Uint32Array",
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "**/generated/", ...peersUnlessInstalled()] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A dropped promise in crypto code is a data-loss bug.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // DESIGN.md §9: no decision may depend on `instanceof` of a class prisma-vault defines, or on module
    // identity. A config loaded through tsx, or a CommonJS app, holds another copy of every class, and an
    // object of that copy fails `instanceof` (it once let `migrate decrypt` write a failure object over a
    // ciphertext). Test brands or shapes instead (isVaultError, isOpened, isKeyRouter); the built-ins of
    // the one runtime are fine.
    files: ["src/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: `BinaryExpression[operator="instanceof"]:not([right.type="Identifier"][right.name=/^(${BUILT_INS.join("|")})$/])`,
          message:
            "instanceof works only within one copy of prisma-vault: test a brand or a shape (isVaultError, isOpened, isKeyRouter).",
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // CI's helper scripts (scripts/*.js), and the docs test's prelude: ES modules run by Node.
    files: ["scripts/**/*.js", "test/docs/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", AbortController: "readonly" } },
  },
  {
    // Prisma 8's ORM in test/prisma8 is typed by the emitted contract.d.ts, which imports a package the
    // release candidate does not publish (@internal/target-postgres): the tests run on the untyped
    // contract, whose rows and callbacks are `any`.
    files: ["test/prisma8/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // prisma-vault-native's loader and scripts: CommonJS for Node, as npm runs them.
    files: ["native/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);

// bench/peers has its own dependencies (Prisma 6.15, prisma-field-encryption), which CI never installs:
// without them its imports are unresolved and typed rules fail, so it is linted only where installed.
function peersUnlessInstalled() {
  return existsSync(join(import.meta.dirname, "bench/peers/node_modules")) ? [] : ["bench/peers/"];
}
