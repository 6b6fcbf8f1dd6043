import * as crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { packApp } from "../../src/constructs/boot-script";
import { writeAppSettings, type AppSettings } from "../support/app-settings";
import { InstanceMetadataStandIn } from "../support/instance-metadata-stand-in";
import { LocalMariaDb, sqlString } from "../support/local-mariadb";
import { startPhpServer, type PhpServer } from "../support/php-server";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY } from "../support/run-php";
import { SecretsManagerStandIn } from "../support/secrets-manager-stand-in";
import { makeTestCertificates, type TestCertificates } from "../support/tls-certificates";

// The app as the servers run it, end to end: the archive from the user data,
// unpacked and served by `php -S`; a MariaDB that requires TLS, with a real
// user and password; the password only in a Secrets Manager stand-in that
// checks SigV4; headless Chromium as the person. The tests run in order and
// share the servers: the last one stops the database.

const REGION = "eu-west-1";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-6c1f0e2a-93b4-4d7e-8a51-2b3c4d5e6f70-Qw3rTy";
const AWS_CREDENTIALS = { accessKeyId: "ASIAE2ETESTEXAMPLE01", secretAccessKey: "e2eSecretKeyExample/0123456789abcdefghijk", sessionToken: "e2e-session-token+/=" };
const DB_NAME = "inventory_e2e";
const DB_USER = "inventory_app";
const INSTANCE_ID = "i-0e2e7e5700000000a";
const AVAILABILITY_ZONE = "eu-west-1b";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

const password = () => `Pw-${crypto.randomBytes(12).toString("base64url")}`;
const passwords = { first: password(), rotated: password() };

let tools: Record<string, string>;
let root: string;
let certificates: TestCertificates;
let database: LocalMariaDb | undefined;
let secretsManager: SecretsManagerStandIn | undefined;
let app: PhpServer | undefined;
let browser: Browser | undefined;
// One tab for every browser test, each starting with a navigation: a new page
// costs Chromium a renderer process of its own, seconds of CPU across the suite.
let page: Page;

/** Settings as the boot script writes them, pointed at this test's servers. */
function settings(overrides: Partial<AppSettings> = {}): AppSettings {
  return {
    db_host: database!.host,
    db_port: String(database!.port),
    db_name: DB_NAME,
    db_secret_arn: SECRET_ARN,
    aws_region: REGION,
    db_tls_ca: certificates.caFile,
    secrets_endpoint: secretsManager!.endpoint,
    cache_dir: path.join(root, "cache"),
    instance_id: INSTANCE_ID,
    availability_zone: AVAILABILITY_ZONE,
    ...overrides,
  };
}

/** AWS credentials in the environment, as on a developer's machine. */
const CREDENTIALS_ENV = {
  AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: AWS_CREDENTIALS.sessionToken,
};

/** The app under `php -S`; `env` instead of credentials in the environment, e.g. an instance metadata endpoint. */
async function startApp(name: string, appSettings: AppSettings, env: Record<string, string> = CREDENTIALS_ENV): Promise<PhpServer> {
  const settingsFile = path.join(root, `${name}.ini`);
  writeAppSettings(settingsFile, appSettings);
  return startPhpServer({ php: tools.php, appDirectory: path.join(root, "app"), env: { INVENTORY_APP_SETTINGS: settingsFile, ...env } });
}

async function cleanUp(): Promise<void> {
  const steps = [() => browser?.close(), () => app?.process.stop(), () => secretsManager?.stop(), () => database?.stop()];
  for (const step of steps) await Promise.resolve().then(step).catch((error) => console.error("cleanup:", error));
  if (root) fs.rmSync(root, { recursive: true, force: true });
}

beforeAll(async () => {
  tools = requireCommands(["php", "mariadbd", "mariadb-install-db", "mariadb", "chromium", "openssl", "tar"], { phpExtensions: ["pdo_mysql"] });
  root = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-e2e-"));
  // Chromium starts while the database is made: the slowest two steps, side by side.
  const launching = chromium.launch({ executablePath: tools.chromium, args: CHROMIUM_ARGS });
  launching.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled meanwhile
  try {
    certificates = await makeTestCertificates(path.join(root, "tls"), tools.openssl);
    database = await LocalMariaDb.start({ directory: path.join(root, "mariadb"), commands: tools, tls: certificates });
    // The privileges the app needs: its rows, and CREATE for the table on first use.
    await database.sql(
      `CREATE DATABASE ${DB_NAME};
       CREATE USER ${sqlString(DB_USER)}@'127.0.0.1' IDENTIFIED BY ${sqlString(passwords.first)} REQUIRE SSL;
       GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON ${DB_NAME}.* TO ${sqlString(DB_USER)}@'127.0.0.1';`,
    );
    secretsManager = await SecretsManagerStandIn.start({
      region: REGION,
      secretArn: SECRET_ARN,
      credentials: AWS_CREDENTIALS,
      secret: { username: DB_USER, password: passwords.first },
    });

    // What the boot script unpacks into /var/www/inventory.
    fs.mkdirSync(path.join(root, "app"));
    execFileSync(tools.tar, ["-xzf", "-", "-C", path.join(root, "app")], { input: packApp(APP_DIRECTORY).archive });
    app = await startApp("app", settings());
    browser = await launching;
    page = await browser.newPage();
  } catch (error) {
    await launching.then((launched) => launched.close()).catch(() => undefined);
    await cleanUp();
    throw error;
  }
}, 90_000);

afterAll(cleanUp, 60_000);

const get = (pathname: string, init: RequestInit = {}) => fetch(`${app!.url}${pathname}`, { redirect: "manual", ...init });

/** Clicks a submit button and waits for the page the form leads to. */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent("load"), button.click()]);
}

async function cellsOf(row: Locator): Promise<string[]> {
  return (await row.locator("td").allTextContents()).slice(0, 3);
}

async function addItem(page: Page, item: { name: string; quantity: string; store: string }): Promise<void> {
  const form = page.locator('form[action="/items"]');
  await form.locator('input[name="name"]').fill(item.name);
  await form.locator('input[name="quantity"]').fill(item.quantity);
  await form.locator('input[name="store"]').fill(item.store);
  await submit(page, form.getByRole("button", { name: "Add" }));
}

describe("the Inventory app, end to end", () => {
  it("answers /health without asking for the database's secret", async () => {
    const response = await get("/health");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("OK\n");
    expect(response.headers.get("x-inventory-instance-id")).toBe(INSTANCE_ID);
    expect(secretsManager!.served).toBe(0);
  });

  it("reports the database healthy on /health/deep, over verified TLS", async () => {
    const response = await get("/health/deep");
    const body = (await response.json()) as { status: string; database: { status: string; tls_cipher: string | null }; instance_id: string; availability_zone: string };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ status: "ok", database: { status: "ok" }, instance_id: INSTANCE_ID, availability_zone: AVAILABILITY_ZONE });
    expect(body.database.tls_cipher).toMatch(/^TLS_|^ECDHE-|^AES/);
    expect(secretsManager!.served).toBe(1);
    expect(secretsManager!.refusals).toEqual([]);
  });

  it("lets a person add, edit and delete an item in the browser", async () => {
    await page.goto(`${app!.url}/`);
    expect(await page.textContent("#instance-id")).toBe(INSTANCE_ID);
    expect(await page.textContent("#availability-zone")).toBe(AVAILABILITY_ZONE);
    expect(await page.locator("#no-items").isVisible()).toBe(true);

    await addItem(page, { name: "Lamp", quantity: "12", store: "Seattle" });
    const row = page.locator("#items tr", { hasText: "Lamp" });
    expect(await cellsOf(row)).toEqual(["Lamp", "12", "Seattle"]);

    await submit(page, row.getByRole("link", { name: "Edit" }));
    expect(page.url()).toMatch(/\/items\/\d+\/edit$/);
    expect(await page.locator('input[name="quantity"]').inputValue()).toBe("12");
    await page.locator('input[name="quantity"]').fill("7");
    await page.locator('input[name="store"]').fill("Portland");
    await submit(page, page.getByRole("button", { name: "Save" }));
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await cellsOf(row)).toEqual(["Lamp", "7", "Portland"]);
    expect(await database!.sql(`SELECT name, quantity, store FROM ${DB_NAME}.items`)).toBe("Lamp\t7\tPortland");

    await submit(page, row.getByRole("button", { name: "Delete" }));
    expect(await row.count()).toBe(0);
    expect(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items`)).toBe("0");
  });

  it("shows what people type as text, never as markup", async () => {
    await page.goto(`${app!.url}/`);
    const name = `<script>document.title="pwned"</script><img src=x alt="injected">`;
    const store = `O'Brien & "Sons" <b>`;
    await addItem(page, { name, quantity: "1", store });

    const row = page.locator("#items tr", { hasText: "O'Brien" });
    expect(await cellsOf(row)).toEqual([name, "1", store]);
    expect(await page.locator("#items img, #items b").count()).toBe(0);
    expect(await page.title()).toBe("Inventory");

    await submit(page, row.getByRole("link", { name: "Edit" }));
    expect(await page.locator('input[name="name"]').inputValue()).toBe(name);
    expect(await page.locator('input[name="store"]').inputValue()).toBe(store);
  });

  it("refuses form posts without the page's CSRF token, and bad input", async () => {
    const count = () => database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items`);
    const before = await count();
    const home = await get("/");
    const cookie = home.headers.get("set-cookie")!.split(";")[0];
    const token = /name="csrf_token" value="([0-9a-f]{64})"/.exec(await home.text())![1];
    const post = (fields: Record<string, string>, headers: Record<string, string> = { cookie }) =>
      get("/items", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });
    const item = { name: "Forged", quantity: "5", store: "Nowhere" };

    expect((await post(item)).status).toBe(403);
    expect((await post({ ...item, csrf_token: "0".repeat(64) })).status).toBe(403);
    expect((await post({ ...item, csrf_token: token }, {})).status).toBe(403);
    const invalid = await post({ ...item, quantity: "-3", csrf_token: token });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain("Quantity must be a whole number");
    expect(await count()).toBe(before);

    const accepted = await post({ ...item, csrf_token: token });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/");
    expect(Number(await count())).toBe(Number(before) + 1);
  });

  it("keeps the secret cached, and recovers without a restart when the password rotates", async () => {
    const served = secretsManager!.served;
    for (let i = 0; i < 3; i++) expect((await get("/")).status).toBe(200);
    expect(secretsManager!.served).toBe(served);

    // What RDS's rotation does: a new password in the database and in the secret.
    await database!.sql(`ALTER USER ${sqlString(DB_USER)}@'127.0.0.1' IDENTIFIED BY ${sqlString(passwords.rotated)}`);
    secretsManager!.secret = { username: DB_USER, password: passwords.rotated };

    const response = await page.goto(`${app!.url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.locator("#items tr", { hasText: "Forged" }).count()).toBe(1);
    expect(secretsManager!.served).toBe(served + 1);
    expect((await get("/health/deep")).status).toBe(200);
    expect(secretsManager!.served).toBe(served + 1);
  });

  it("refuses a database whose certificate it cannot verify", async () => {
    const untrusting = await startApp("untrusting", settings({ db_tls_ca: certificates.unrelatedCaFile, cache_dir: path.join(root, "cache-untrusting") }));
    try {
      expect((await fetch(`${untrusting.url}/health/deep`)).status).toBe(503);
      expect((await fetch(`${untrusting.url}/`)).status).toBe(503);
      expect(untrusting.process.output).toContain("inventory: database unavailable: SQLSTATE[HY000] [2002]");
    } finally {
      await untrusting.process.stop();
    }
  });

  it("ends a request at its deadline for outbound calls when the instance metadata service is slow: a 503, the call cut off", async () => {
    // Each answer comes after 2 s, within the 3 s per read the app once allowed each call; the three calls
    // for the role's credentials take 6 s, past the 5 s deadline.
    const slow = await InstanceMetadataStandIn.start("inventory-app-role", AWS_CREDENTIALS);
    slow.answerDelayMs = 2_000;
    // Headers at once, then a byte every half second, never finishing: no single read ever times out.
    const stalled = await InstanceMetadataStandIn.start("inventory-app-role", AWS_CREDENTIALS);
    stalled.trickleMs = 500;
    const served = secretsManager!.served;
    const servers: PhpServer[] = [];
    try {
      for (const [name, metadata] of [["slow-metadata", slow], ["stalled-metadata", stalled]] as const) {
        servers.push(await startApp(name, settings({ cache_dir: path.join(root, `cache-${name}`) }), { AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint }));
      }
      // Far more than the deadline, far less than the stalled answer would take.
      const responses = await Promise.all(servers.map((server) => fetch(`${server.url}/`, { signal: AbortSignal.timeout(20_000) })));
      for (const response of responses) {
        expect(response.status).toBe(503);
        expect(await response.text()).toContain("The inventory is unavailable right now.");
      }
      for (const server of servers) expect(server.process.output).toContain("the request's deadline for outbound calls passed");

      // The app hung up on the call under way; for the slow service, after other calls had used up the deadline.
      expect(stalled.abandoned).toEqual(["PUT /latest/api/token"]);
      expect(slow.requests.length).toBeGreaterThanOrEqual(2);
      expect(slow.abandoned).toEqual([slow.requests.at(-1)]);
      expect(secretsManager!.served).toBe(served);
    } finally {
      for (const server of servers) await server.process.stop();
      await Promise.all([slow.stop(), stalled.stop()]);
    }
  }, 40_000);

  it("with the database down: a plain 503 page, /health still 200, /health/deep 503", async () => {
    await database!.stop();

    const response = await page.goto(`${app!.url}/`);
    expect(response?.status()).toBe(503);
    expect(await page.textContent("main")).toContain("The inventory is unavailable right now.");
    expect(await page.textContent("#instance-id")).toBe(INSTANCE_ID);
    const html = await page.content();
    for (const leak of [passwords.first, passwords.rotated, DB_USER, DB_NAME, database!.host, "SQLSTATE", "PDO", "Stack trace", ".php", "Warning"]) {
      expect(html).not.toContain(leak);
    }

    expect((await get("/health")).status).toBe(200);
    const deep = await get("/health/deep");
    expect(deep.status).toBe(503);
    const body = await deep.text();
    expect(JSON.parse(body)).toMatchObject({ status: "unavailable", database: { status: "unavailable" }, instance_id: INSTANCE_ID });
    expect(body).not.toContain(database!.host);

    // The cause is in the server's log, where an operator looks.
    expect(app!.process.output).toMatch(/inventory: database unavailable: SQLSTATE\[HY000\] \[2002\]/);
  });

  it("logged no PHP warning, notice or deprecation along the way", () => {
    expect(app!.process.output).not.toMatch(/PHP (Warning|Notice|Deprecated|Fatal error)/);
  });
});
