/**
 * The modes of a migration (DESIGN.md §11), shared by its options, its report, its checkpoint and the
 * CLI, which checks `--mode` against them.
 */

/**
 * Every mode of DESIGN.md §11.
 *
 * @example MIGRATION_MODES.includes("rekey") // true
 */
export const MIGRATION_MODES = ["index", "encrypt", "rekey", "rotate", "decrypt", "verify"] as const;
/**
 * What a migration does: `"index"`, `"encrypt"`, `"rekey"`, `"rotate"`, `"decrypt"` or `"verify"`
 * (see {@link MigrateOptions.mode}).
 *
 * @example const mode: MigrationMode = "rotate";
 */
export type MigrationMode = (typeof MIGRATION_MODES)[number];
