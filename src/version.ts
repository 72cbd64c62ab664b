/**
 * This copy of prisma-vault's version, as in package.json (a test keeps them equal). A constant, not a
 * read of package.json: it must work where there is no file system (Workers) and in every bundle.
 */
export const VERSION = "0.3.0";
