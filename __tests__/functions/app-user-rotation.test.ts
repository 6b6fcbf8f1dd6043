import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as util from "node:util";
import { createConnection } from "mysql2/promise";
import { APP_PRIVILEGES } from "../../src/functions/app-user-rotation/database-user";
import { connectionOptions, settingsFromEnvironment } from "../../src/functions/app-user-rotation/handler";
import { type ConnectionCredentials, nextUsername, rotate, type RotationEvent, type RotationSettings } from "../../src/functions/app-user-rotation/rotation";
import { LocalMariaDb, sqlString } from "../../src/system/local-mariadb";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY } from "../support/stacks";
import { SecretsManagerModel } from "../support/secrets-manager-model";
import { makeLoopbackCertificates, type LoopbackCertificates } from "../../src/system/tls-certificates";

// The rotation function against a real database: MariaDB on 127.0.0.1 that
// requires TLS (as RDS does), a master user with the rights RDS gives its
// master, and Secrets Manager's versions and labels in memory. Each rotation
// is run as Secrets Manager runs it, step by step; what the database then
// holds is read back as root.

const SCHEMA = "inventory";
const OTHER_SCHEMA = "payroll";
const MASTER_SECRET = "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!db-0f1e2d3c-master-AbCdEf";
const APP_SECRET = "arn:aws:secretsmanager:us-west-2:123456789012:secret:inventory-db-app-user-XyZ123";
const MASTER = { username: "admin", password: `Master-${crypto.randomBytes(9).toString("base64url")}` };

let root: string;
let certificates: LoopbackCertificates;
let database: LocalMariaDb;
let settings: RotationSettings;
let secrets: SecretsManagerModel;
const log: string[] = [];

/** What the function does with the database, pointed at this MariaDB and its CA. */
const connect = (credentials: ConnectionCredentials) => createConnection(connectionOptions(credentials, [fs.readFileSync(certificates.caFile, "utf8")]));
const invoke = (event: RotationEvent) => rotate(event, { secrets, connect, settings, log: (line) => log.push(line) });

/** The app secret's current value. */
const current = () => JSON.parse(secrets.valueOf(APP_SECRET, "AWSCURRENT")!) as { username: string; password: string; [key: string]: unknown };
const previous = () => JSON.parse(secrets.valueOf(APP_SECRET, "AWSPREVIOUS")!) as { username: string; password: string };

/** Connects as `user`, runs `sql`, and returns what MySQL answered: the rows, or the error's code. */
async function asUser(user: { username: string; password: string }, sql: string[], database = SCHEMA): Promise<string[]> {
  const connection = await connect({ host: "127.0.0.1", port: databasePort(), user: user.username, password: user.password, database });
  try {
    const results: string[] = [];
    for (const statement of sql) {
      try {
        const [rows] = await connection.query(statement);
        results.push(Array.isArray(rows) ? JSON.stringify(rows) : "ok");
      } catch (error) {
        results.push((error as { code?: string }).code ?? String(error));
      }
    }
    return results;
  } finally {
    await connection.end();
  }
}
const databasePort = () => database.port;

/** The grants of a user as root sees them, one per line, host part dropped. */
async function grantsOf(username: string): Promise<string[]> {
  const rows = await database.sql(`SHOW GRANTS FOR ${sqlString(username)}@'%'`);
  return rows
    .split("\n")
    .map((line) => line.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, "").replace(/`/g, ""))
    .sort();
}

/** The app's own DDL, as app/src/Database.php runs it on first use and to migrate an old table. */
function appStatements(): { create: string[]; migrate: string } {
  const source = fs.readFileSync(path.join(APP_DIRECTORY, "src", "Database.php"), "utf8");
  const statements = [...source.matchAll(/->exec\('((?:CREATE|ALTER) TABLE[^']+)'\)/g)].map((match) => match[1]);
  const migrate = statements.find((statement) => statement.startsWith("ALTER"));
  if (!migrate || statements.length !== 3) throw new Error(`expected two CREATE TABLE and one ALTER TABLE in Database.php, found ${statements.length}`);
  return { create: statements.filter((statement) => statement !== migrate), migrate };
}

beforeAll(async () => {
  const tools = requireCommands(["mariadbd", "mariadb-install-db", "mariadb", "openssl"]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), "app-user-rotation-"));
  certificates = await makeLoopbackCertificates(path.join(root, "tls"), tools.openssl);
  database = await LocalMariaDb.start({ directory: path.join(root, "mariadb"), commands: tools, tls: certificates });
  // RDS's master user: every privilege on every schema, and the right to grant them.
  await database.sql(
    `CREATE DATABASE ${SCHEMA}; CREATE DATABASE ${OTHER_SCHEMA}; CREATE TABLE ${OTHER_SCHEMA}.salaries (who VARCHAR(20));
     CREATE USER ${sqlString(MASTER.username)}@'%' IDENTIFIED BY ${sqlString(MASTER.password)};
     GRANT ALL PRIVILEGES ON *.* TO ${sqlString(MASTER.username)}@'%' WITH GRANT OPTION;`,
  );
  settings = { host: "127.0.0.1", port: database.port, database: SCHEMA, username: "inventory_app", masterSecretArn: MASTER_SECRET };
  secrets = new SecretsManagerModel();
  secrets.create(MASTER_SECRET, { value: JSON.stringify(MASTER) });
  // The secret as Terraform creates it: no value until the first rotation.
  secrets.create(APP_SECRET);
}, 90_000);

afterAll(async () => {
  await database?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

describe("the first rotation", () => {
  beforeAll(() => secrets.rotate(APP_SECRET, invoke));

  it("gives the secret its first value: the app user, a generated password, and where to connect", () => {
    const value = current();
    expect(value).toEqual({
      engine: "mysql",
      host: "127.0.0.1",
      port: database.port,
      dbname: SCHEMA,
      username: "inventory_app",
      password: expect.stringMatching(/^.{32}$/),
      masterarn: MASTER_SECRET,
    });
    expect(value.password).not.toBe(MASTER.password);
  });

  it("creates the user with exactly the app's privileges on its schema, TLS required, and nothing else", async () => {
    expect(await grantsOf("inventory_app")).toEqual([
      `GRANT ${APP_PRIVILEGES.join(", ")} ON ${SCHEMA}.* TO inventory_app@%`,
      "GRANT USAGE ON *.* TO inventory_app@% REQUIRE SSL",
    ]);
  });

  it("lets the app migrate a table of an older version, make its own, and use its rows, as that user", async () => {
    const { create, migrate } = appStatements();
    // An items table made before edits carried a version.
    await database.sql(`CREATE TABLE ${SCHEMA}.items (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL,
      quantity INT UNSIGNED NOT NULL, store VARCHAR(100) NOT NULL, updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
    const results = await asUser(current(), [
      ...create,
      migrate,
      "INSERT INTO items (name, quantity, store) VALUES ('Socks', 3, 'Seattle')",
      "UPDATE items SET quantity = 4, version = version + 1 WHERE name = 'Socks'",
      "SELECT name, quantity, version FROM items",
      "DELETE FROM items WHERE name = 'Socks'",
      "INSERT INTO app_keys (name, value) VALUES ('csrf', RANDOM_BYTES(32))",
    ]);
    expect(results).toEqual(["ok", "ok", "ok", "ok", "ok", JSON.stringify([{ name: "Socks", quantity: 4, version: 2 }]), "ok", "ok"]);
    expect(await database.sql(`SHOW INDEX FROM ${SCHEMA}.items WHERE Key_name = 'list_order'`)).toContain("list_order");
  });

  it("refuses the user everything else: other schemas, users, grants, dropping, the server's own tables, plain TCP", async () => {
    expect(
      await asUser(current(), [
        `SELECT * FROM ${OTHER_SCHEMA}.salaries`,
        "SELECT user FROM mysql.user",
        "CREATE DATABASE elsewhere",
        "CREATE USER intruder IDENTIFIED BY 'x'",
        `GRANT SELECT ON ${SCHEMA}.* TO admin`,
        "DROP TABLE app_keys",
        "SET GLOBAL max_connections = 1",
      ]),
    ).toEqual([
      "ER_TABLEACCESS_DENIED_ERROR",
      "ER_TABLEACCESS_DENIED_ERROR",
      "ER_DBACCESS_DENIED_ERROR",
      "ER_SPECIFIC_ACCESS_DENIED_ERROR",
      "ER_DBACCESS_DENIED_ERROR",
      "ER_TABLEACCESS_DENIED_ERROR",
      "ER_SPECIFIC_ACCESS_DENIED_ERROR",
    ]);
    const plain = createConnection({ host: "127.0.0.1", port: database.port, user: current().username, password: current().password, database: SCHEMA });
    await expect(plain).rejects.toThrow();
  });

  it("reads the master secret and never writes it", () => {
    expect(secrets.calls.filter((call) => call.includes(MASTER_SECRET))).toEqual([`GetSecretValue ${MASTER_SECRET} AWSCURRENT`]);
    expect(log.join("\n")).not.toContain(current().password);
    expect(log.join("\n")).not.toContain(MASTER.password);
  });
});

describe("later rotations alternate between two users", () => {
  let first: { username: string; password: string };

  beforeAll(async () => {
    first = current();
    await secrets.rotate(APP_SECRET, invoke);
  });

  it("the second gives the clone user a new password and makes it current; the first stays as it was", async () => {
    expect(current().username).toBe("inventory_app_clone");
    expect(previous()).toEqual(first);
    expect(await grantsOf("inventory_app_clone")).toEqual([
      `GRANT ${APP_PRIVILEGES.join(", ")} ON ${SCHEMA}.* TO inventory_app_clone@%`,
      "GRANT USAGE ON *.* TO inventory_app_clone@% REQUIRE SSL",
    ]);
    // A server still holding the first credentials keeps working until the rotation after next.
    expect(await asUser(first, ["SELECT 1 AS up"])).toEqual([JSON.stringify([{ up: 1 }])]);
    expect(await asUser(current(), ["SELECT COUNT(*) AS items FROM items"])).toEqual([JSON.stringify([{ items: 0 }])]);
  });

  it("the third gives the first user a new password, and takes back what was granted by hand meanwhile", async () => {
    await database.sql(`GRANT DROP ON ${SCHEMA}.* TO 'inventory_app'@'%'; GRANT SELECT ON ${OTHER_SCHEMA}.* TO 'inventory_app'@'%'`);
    const clone = current();
    await secrets.rotate(APP_SECRET, invoke);
    expect(current().username).toBe("inventory_app");
    expect(current().password).not.toBe(first.password);
    expect(await grantsOf("inventory_app")).toEqual([
      `GRANT ${APP_PRIVILEGES.join(", ")} ON ${SCHEMA}.* TO inventory_app@%`,
      "GRANT USAGE ON *.* TO inventory_app@% REQUIRE SSL",
    ]);
    await expect(asUser(first, ["SELECT 1"])).rejects.toThrow(/Access denied/);
    expect(await asUser(clone, ["SELECT 1 AS up"])).toEqual([JSON.stringify([{ up: 1 }])]);
  });
});

describe("steps run again or out of turn", () => {
  it("a step Secrets Manager retries changes nothing more", async () => {
    const token = crypto.randomUUID();
    const retried: RotationEvent[] = [];
    await secrets.rotate(
      APP_SECRET,
      async (event) => {
        await invoke(event);
        await invoke(event);
        retried.push(event);
      },
      token,
    );
    expect(retried.map((event) => event.Step)).toEqual(["createSecret", "setSecret", "testSecret", "finishSecret"]);
    expect(secrets.stagesOf(APP_SECRET)[token]).toEqual(["AWSCURRENT", "AWSPENDING"]);
    expect(await asUser(current(), ["SELECT 1 AS up"])).toEqual([JSON.stringify([{ up: 1 }])]);
  });

  it("refuses a token that is not the rotation's, a secret whose rotation is off, and a pending user it does not manage", async () => {
    await expect(invoke({ Step: "setSecret", SecretId: APP_SECRET, ClientRequestToken: crypto.randomUUID() })).rejects.toThrow(/has no stage for rotation/);

    const other = "arn:aws:secretsmanager:us-west-2:123456789012:secret:unrotated-AbC123";
    secrets.create(other, { value: JSON.stringify({ username: "inventory_app", password: "x" }) });
    const [version] = Object.keys(secrets.stagesOf(other));
    await expect(invoke({ Step: "createSecret", SecretId: other, ClientRequestToken: version })).rejects.toThrow(/rotation is not enabled/);

    // A pending value someone put by hand, naming the master user: setSecret must not touch it.
    const tampered = "arn:aws:secretsmanager:us-west-2:123456789012:secret:tampered-AbC123";
    secrets.create(tampered);
    const refused = secrets.rotate(tampered, async (event) => {
      if (event.Step === "createSecret") await secrets.putPendingValue(tampered, event.ClientRequestToken, JSON.stringify({ ...MASTER, host: "127.0.0.1" }));
      else await invoke(event);
    });
    await expect(refused).rejects.toThrow(/the pending user "admin" is not inventory_app or inventory_app_clone/);
    expect(await database.sql("SELECT COUNT(*) FROM mysql.user WHERE user = 'admin'")).toBe("1");
  });

  it("alternates from whichever user is current", () => {
    expect([nextUsername("app", undefined), nextUsername("app", "app"), nextUsername("app", "app_clone"), nextUsername("app", "renamed")]).toEqual([
      "app",
      "app_clone",
      "app",
      "app",
    ]);
  });
});

describe("the function's settings", () => {
  const complete = { DB_HOST: "db.example", DB_PORT: "3306", DB_NAME: "inventory", DB_APP_USERNAME: "inventory_app", DB_MASTER_SECRET_ARN: MASTER_SECRET };

  it("come from its environment", () => {
    expect(settingsFromEnvironment(complete)).toEqual({
      host: "db.example",
      port: 3306,
      database: "inventory",
      username: "inventory_app",
      masterSecretArn: MASTER_SECRET,
    });
  });

  it.each([
    ["DB_HOST", { ...complete, DB_HOST: undefined }, "the rotation function's environment has no DB_HOST"],
    ["DB_PORT", { ...complete, DB_PORT: "mysql" }, 'DB_PORT "mysql" is not a port'],
    ["DB_MASTER_SECRET_ARN", { ...complete, DB_MASTER_SECRET_ARN: "" }, "the rotation function's environment has no DB_MASTER_SECRET_ARN"],
  ])("stop with one line when %s is wrong", (_name, environment, message) => {
    expect(() => settingsFromEnvironment(environment)).toThrow(new Error(message));
  });

  it("connect over TLS only, verifying the server against the RDS certificate authorities by default", () => {
    const options = connectionOptions({ host: "db.example", port: 3306, user: "u", password: "p" });
    expect(options.ssl).toMatchObject({ rejectUnauthorized: true, minVersion: "TLSv1.2" });
    expect(options.ssl.ca.length).toBeGreaterThan(10);
    expect(options.ssl.ca.every((pem) => pem.includes("BEGIN CERTIFICATE"))).toBe(true);
  });

  it("refuse a server whose certificate another authority signed", async () => {
    const refused = createConnection(
      connectionOptions({ host: "127.0.0.1", port: database.port, user: MASTER.username, password: MASTER.password }, [
        fs.readFileSync(certificates.unrelatedCaFile, "utf8"),
      ]),
    );
    await expect(refused).rejects.toThrow(/certificate/);
  });
});

describe("a database that refuses writes (read-only, as during a failover)", () => {
  const failover = "arn:aws:secretsmanager:us-west-2:123456789012:secret:inventory-db-app-user-failover-Fa1l0v";
  /** Everything the function wrote to the console from setSecret on, and what the Lambda runtime would log of the error it threw. */
  const written: string[] = [];
  let thrown: unknown;
  let token: string;

  beforeAll(async () => {
    // RDS's master user cannot write to a read-only instance; MariaDB's ALL PRIVILEGES includes READ_ONLY ADMIN, which could.
    await database.sql(`REVOKE READ_ONLY ADMIN ON *.* FROM ${sqlString(MASTER.username)}@'%'; SET GLOBAL read_only = ON`);
    secrets.create(failover);
    const levels = ["log", "info", "warn", "error", "debug", "trace"] as const;
    const spies = levels.map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        written.push(args.map((arg) => (typeof arg === "string" ? arg : util.inspect(arg, { depth: null, showHidden: true }))).join(" "));
      }),
    );
    try {
      token = crypto.randomUUID();
      // As the handler runs a step: its log is the console.
      await secrets.rotate(
        failover,
        (event) => rotate(event, { secrets, connect, settings, log: (line) => (event.Step === "createSecret" ? undefined : console.log(line)) }),
        token,
      );
    } catch (error) {
      thrown = error;
      // The Lambda runtime logs a thrown error's type, message, stack and every enumerable property.
      written.push(util.inspect(error, { depth: null, showHidden: true }), JSON.stringify(error), String((error as Error).stack));
    } finally {
      for (const spy of spies) spy.mockRestore();
      await database.sql(`SET GLOBAL read_only = OFF; GRANT READ_ONLY ADMIN ON *.* TO ${sqlString(MASTER.username)}@'%'`);
    }
  }, 30_000);

  it("fails setSecret with the server's code and errno and a fixed description", () => {
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(
      "setSecret: the database refused to create or update the app user (code ER_OPTION_PREVENTS_STATEMENT, errno 1290, SQL state HY000)",
    );
    // Nothing of the driver's error rides along: no enumerable field at all (mysql2's has `sql`, `sqlMessage`).
    expect(Object.keys(thrown as object)).toStrictEqual([]);
    expect((thrown as Error).cause).toBeUndefined();
  });

  it("logs no password, statement or parameter: not the new password, not the master's, not the SQL, not the user it names", () => {
    const pending = JSON.parse(secrets.valueOf(failover, "AWSPENDING")!) as { username: string; password: string };
    const everything = written.join("\n");
    expect(everything).toContain("ER_OPTION_PREVENTS_STATEMENT");
    for (const secret of [pending.password, MASTER.password]) expect(everything).not.toContain(secret);
    for (const statement of ["CREATE USER", "ALTER USER", "IDENTIFIED", "REQUIRE SSL", "GRANT", "--read-only"]) expect(everything).not.toContain(statement);
    expect(everything).not.toContain(pending.username);
  });

  it("completes when Secrets Manager retries the step once the database takes writes again", async () => {
    for (const step of ["setSecret", "testSecret", "finishSecret"] as const) await invoke({ Step: step, SecretId: failover, ClientRequestToken: token });
    expect(secrets.stagesOf(failover)[token]).toEqual(["AWSCURRENT", "AWSPENDING"]);
    const value = JSON.parse(secrets.valueOf(failover, "AWSCURRENT")!) as { username: string; password: string };
    expect(await asUser(value, ["SELECT 1 AS up"])).toEqual([JSON.stringify([{ up: 1 }])]);
  });
});
