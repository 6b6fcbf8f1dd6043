/**
 * What the project's functions may say about an error they did not make: its
 * kind, never its words. A mysql2 error carries the statement it ran as an
 * enumerable `sql` (with the values filled in: a new password), and its
 * message can quote that statement; an AWS SDK error's message can echo the
 * request. The Lambda runtime logs a thrown error with its message and every
 * enumerable property, so a function throws, in place of such an error, a new
 * one with a fixed description and these facts only.
 */

/** Names and codes as AWS and MySQL give them: letters, digits, `_` and `.`; anything else is not repeated. */
const CODE = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;
/** MySQL's SQLSTATE: five letters or digits. */
const SQL_STATE = /^[A-Z0-9]{5}$/;

/** The error's name, code, errno, SQL state and HTTP status, those it has, as `name X, code Y, ...`; never its message or other fields. */
export function errorFacts(error: unknown): string {
  const fields = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const metadata = (typeof fields.$metadata === "object" && fields.$metadata !== null ? fields.$metadata : {}) as Record<string, unknown>;
  const facts = [
    typeof fields.name === "string" && CODE.test(fields.name) && fields.name !== "Error" ? `name ${fields.name}` : undefined,
    typeof fields.code === "string" && CODE.test(fields.code) ? `code ${fields.code}` : undefined,
    Number.isInteger(fields.errno) ? `errno ${String(fields.errno)}` : undefined,
    typeof fields.sqlState === "string" && SQL_STATE.test(fields.sqlState) ? `SQL state ${fields.sqlState}` : undefined,
    Number.isInteger(metadata.httpStatusCode) ? `HTTP status ${String(metadata.httpStatusCode)}` : undefined,
  ].filter((fact) => fact !== undefined);
  return facts.length > 0 ? facts.join(", ") : "no code";
}

/**
 * An error in place of `error`: `description` (fixed text of the caller's) and `error`'s facts, with `error`'s name when
 * it is a code (callers tell AWS's errors apart by name), and nothing else of it: no message, no cause, no other field.
 */
export function withoutSecrets(error: unknown, description: string): Error {
  const safe = new Error(`${description} (${errorFacts(error)})`);
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && CODE.test(name) && name !== "Error") safe.name = name;
  return safe;
}
