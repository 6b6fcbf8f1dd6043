import { withoutSecrets } from "../error-facts";
import { MYSQL_USERNAME, provisionAppUser, type SqlConnection } from "./database-user";

/**
 * Secrets Manager's rotation of the app's database secret, alternating users
 * (AWS's "alternating users" strategy): each rotation gives the other of two
 * users (`inventory_app`, `inventory_app_clone`) a new password and exactly
 * the app's privileges, then makes it current. The user the app servers hold
 * keeps working until the rotation after next, so no server is ever left with
 * a password the database no longer takes. The first rotation creates the
 * secret's first value and the user; the master user's secret is read only
 * here, by the rotation function, never by the app servers.
 */

export const ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** What Secrets Manager sends the function for each step. */
export interface RotationEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** Where the database is and whose it is: the function's settings (its environment). */
export interface RotationSettings {
  readonly host: string;
  readonly port: number;
  /** The app's schema. */
  readonly database: string;
  /** The app's user; its alternate is this name with `_clone`. */
  readonly username: string;
  /** ARN of the RDS-managed secret of the master user. */
  readonly masterSecretArn: string;
}

/** The app secret's value: what the app reads (`username`, `password`) and where it connects. */
export interface AppUserSecret {
  readonly engine: "mysql";
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
  readonly masterarn: string;
}

/** The Secrets Manager operations a rotation uses. */
export interface SecretsApi {
  describeSecret(secretId: string): Promise<{ readonly rotationEnabled: boolean; readonly versions: Readonly<Record<string, readonly string[]>> }>;
  /** The secret string of a version, by stage and optionally id; undefined when there is no such version (ResourceNotFoundException). */
  getSecretString(secretId: string, version: { readonly stage: string; readonly id?: string }): Promise<string | undefined>;
  putPendingValue(secretId: string, token: string, secretString: string): Promise<void>;
  /** Moves AWSCURRENT to `token`, from the version that held it (Secrets Manager marks that one AWSPREVIOUS). */
  makeCurrent(secretId: string, token: string, from: string | undefined): Promise<void>;
  randomPassword(): Promise<string>;
}

/** Credentials to connect with; the connection must use TLS and verify the server. */
export interface ConnectionCredentials {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

export interface Connection extends SqlConnection {
  end(): Promise<void>;
}

export interface RotationDependencies {
  readonly secrets: SecretsApi;
  readonly connect: (credentials: ConnectionCredentials) => Promise<Connection>;
  readonly settings: RotationSettings;
  readonly log?: (message: string) => void;
}

const CLONE_SUFFIX = "_clone";

/** The user a rotation gives the new password: the other one of the two than the current secret's. */
export function nextUsername(base: string, current: string | undefined): string {
  return current === base ? `${base}${CLONE_SUFFIX}` : base;
}

/** Runs one step of a rotation, as Secrets Manager invokes the function. */
export async function rotate(event: RotationEvent, dependencies: RotationDependencies): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
  const log = dependencies.log ?? (() => undefined);
  if (!ROTATION_STEPS.includes(step)) throw new Error(`unknown rotation step ${JSON.stringify(step)}`);

  const { rotationEnabled, versions } = await dependencies.secrets.describeSecret(secretId);
  if (!rotationEnabled) throw new Error(`rotation is not enabled for secret ${secretId}`);
  const stages = versions[token];
  if (!stages) throw new Error(`version ${token} of secret ${secretId} has no stage for rotation`);
  if (stages.includes("AWSCURRENT")) {
    log(`${step}: version ${token} is already AWSCURRENT`);
    return;
  }
  if (!stages.includes("AWSPENDING")) throw new Error(`version ${token} of secret ${secretId} is not AWSPENDING`);

  switch (step) {
    case "createSecret":
      return createSecret(secretId, token, dependencies, log);
    case "setSecret":
      return setSecret(secretId, token, dependencies, log);
    case "testSecret":
      return testSecret(secretId, token, dependencies, log);
    case "finishSecret":
      return finishSecret(secretId, token, versions, dependencies, log);
  }
}

async function createSecret(secretId: string, token: string, { secrets, settings }: RotationDependencies, log: (message: string) => void) {
  if (await secrets.getSecretString(secretId, { stage: "AWSPENDING", id: token })) {
    log(`createSecret: version ${token} already has a value`);
    return;
  }
  const currentText = await secrets.getSecretString(secretId, { stage: "AWSCURRENT" });
  const current = currentText === undefined ? undefined : parseSecret(currentText, "AWSCURRENT");
  const value: AppUserSecret = {
    engine: "mysql",
    host: settings.host,
    port: settings.port,
    dbname: settings.database,
    username: nextUsername(settings.username, current?.username),
    password: await secrets.randomPassword(),
    masterarn: settings.masterSecretArn,
  };
  await secrets.putPendingValue(secretId, token, JSON.stringify(value));
  log(`createSecret: version ${token} for user ${value.username}${current ? "" : " (the secret's first value)"}`);
}

async function setSecret(secretId: string, token: string, { secrets, settings, connect }: RotationDependencies, log: (message: string) => void) {
  const pending = await pendingSecret(secretId, token, secrets, settings);
  const masterText = await secrets.getSecretString(settings.masterSecretArn, { stage: "AWSCURRENT" });
  if (masterText === undefined) throw new Error(`the master secret ${settings.masterSecretArn} has no current value`);
  const master = parseSecret(masterText, "the master secret");
  await onDatabase("setSecret: the database refused to create or update the app user", async () => {
    const connection = await connect({ host: settings.host, port: settings.port, user: master.username, password: master.password });
    try {
      await provisionAppUser(connection, { username: pending.username, password: pending.password, schema: settings.database });
    } finally {
      await connection.end();
    }
  });
  log(`setSecret: user ${pending.username} has the new password and the app's privileges on ${settings.database}`);
}

async function testSecret(secretId: string, token: string, { secrets, settings, connect }: RotationDependencies, log: (message: string) => void) {
  const pending = await pendingSecret(secretId, token, secrets, settings);
  await onDatabase("testSecret: the pending user could not connect and query", async () => {
    const connection = await connect({
      host: settings.host,
      port: settings.port,
      user: pending.username,
      password: pending.password,
      database: settings.database,
    });
    try {
      await connection.query("SELECT 1");
    } finally {
      await connection.end();
    }
  });
  log(`testSecret: user ${pending.username} connects to ${settings.database}`);
}

async function finishSecret(
  secretId: string,
  token: string,
  versions: Readonly<Record<string, readonly string[]>>,
  { secrets }: RotationDependencies,
  log: (message: string) => void,
) {
  const current = Object.entries(versions).find(([, stages]) => stages.includes("AWSCURRENT"))?.[0];
  await secrets.makeCurrent(secretId, token, current);
  log(`finishSecret: version ${token} is AWSCURRENT${current ? `, ${current} AWSPREVIOUS` : ""}`);
}

/**
 * Runs work on the database; when it fails, throws in place of the driver's error one that says what failed and the
 * server's code and errno only (`withoutSecrets`): mysql2 attaches the statement, new password filled in, as `sql`.
 */
async function onDatabase(description: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw withoutSecrets(error, description);
  }
}

/** The pending value, checked: a user of the two this rotation manages, for this database. */
async function pendingSecret(secretId: string, token: string, secrets: SecretsApi, settings: RotationSettings): Promise<AppUserSecret> {
  const text = await secrets.getSecretString(secretId, { stage: "AWSPENDING", id: token });
  if (text === undefined) throw new Error(`version ${token} of secret ${secretId} has no value: createSecret did not run`);
  const pending = parseSecret(text, "AWSPENDING") as AppUserSecret;
  const allowed = [settings.username, `${settings.username}${CLONE_SUFFIX}`];
  if (!allowed.includes(pending.username)) throw new Error(`the pending user ${JSON.stringify(pending.username)} is not ${allowed.join(" or ")}`);
  if (pending.host !== settings.host) throw new Error(`the pending value is for host ${JSON.stringify(pending.host)}, not ${settings.host}`);
  return pending;
}

function parseSecret(text: string, what: string): { readonly username: string; readonly password: string } & Partial<AppUserSecret> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || !MYSQL_USERNAME.test(username) || typeof password !== "string" || password === "")
    throw new Error(`${what} has no username and password`);
  return value as AppUserSecret;
}
