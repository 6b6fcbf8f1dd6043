/**
 * The SQL that makes the app's database user what the app needs and nothing
 * more: its rows, and CREATE and ALTER for its own tables (made on first use,
 * and the one-time migration that adds a column), on its own schema only.
 * No GRANT OPTION, no other schema, no global privilege, TLS required.
 */

/** What the app may do on its schema (app/README.md, "Tables"). */
export const APP_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER"] as const;

/** MySQL user names the rotation manages: a letter, then letters, digits and _, at most 32 (MySQL's limit). */
export const MYSQL_USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
/** A schema name the app can have: a letter, then letters, digits and _, at most 64. */
export const MYSQL_SCHEMA = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The part of a database connection the statements need: a query with `?` (values) and `??` (identifiers) placeholders. */
export interface SqlConnection {
  query(sql: string, values?: unknown[]): Promise<unknown>;
}

/** The statements, in order, that create or update `username` with `password` and exactly the app's privileges on `schema`. */
export function appUserStatements(username: string, schema: string): { readonly sql: string; readonly values: (password: string) => unknown[] }[] {
  if (!MYSQL_USERNAME.test(username)) throw new Error(`${JSON.stringify(username)} is not a user name the rotation manages`);
  if (!MYSQL_SCHEMA.test(schema)) throw new Error(`${JSON.stringify(schema)} is not a schema name`);
  return [
    // From any host: the security groups decide who reaches the database, and the app servers' addresses change.
    { sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ? REQUIRE SSL", values: (password) => [username, password] },
    // An existing user (every rotation after the first) gets the new password, and TLS stays required.
    { sql: "ALTER USER ?@'%' IDENTIFIED BY ? REQUIRE SSL", values: (password) => [username, password] },
    // Whatever was granted by hand since is taken back: the user has the app's privileges and no others.
    { sql: "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'", values: () => [username] },
    { sql: `GRANT ${APP_PRIVILEGES.join(", ")} ON ??.* TO ?@'%'`, values: () => [schema, username] },
  ];
}

/** Creates or updates the app's user over a connection of a user allowed to manage users (the master user). */
export async function provisionAppUser(connection: SqlConnection, user: { readonly username: string; readonly password: string; readonly schema: string }) {
  for (const statement of appUserStatements(user.username, user.schema)) await connection.query(statement.sql, statement.values(user.password));
}
