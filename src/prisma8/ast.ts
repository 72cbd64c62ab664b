/**
 * The classes of Prisma 8's SQL AST that the middleware builds nodes with: the one module of
 * prisma-vault that loads `@prisma/orm-postgres` (an optional peer, present in every Prisma 8 app on
 * PostgreSQL). Everything else in the shell reads nodes by their `kind`.
 */
export {
  AndExpr,
  BinaryExpr,
  CastExpr,
  ColumnRef,
  ExistsExpr,
  FunctionCallExpr,
  ListExpression,
  NotExpr,
  OrExpr,
  ParamRef,
  ProjectionItem,
  SubqueryExpr,
  DerivedTableSource,
  InsertOnConflict,
} from "@prisma/orm-postgres/relational-core/ast";
export type {
  AnyExpression,
  AnyQueryAst,
  DeleteAst,
  InsertAst,
  SelectAst,
  UpdateAst,
} from "@prisma/orm-postgres/relational-core/ast";
