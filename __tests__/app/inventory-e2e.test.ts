import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { renderBootScript } from "../../src/aws/boot-script";
import { synthesize } from "../../src/synthesize";
import { createVersionedBucket, putVersion, runFetchApp } from "../support/app-download";
import { AwsEmulator } from "../support/aws-emulator";
import { writeAppSettings, type AppSettings } from "../support/app-settings";
import { InstanceMetadataStandIn } from "../support/instance-metadata-stand-in";
import { LocalMariaDb, sqlString } from "../../src/system/local-mariadb";
import { startPhpServer, type PhpServer } from "../../src/system/php-server";
import { requireCommands } from "../support/require-commands";
import { APP_DIRECTORY } from "../support/run-php";
import { PROJECT_ROOT } from "../support/stacks";
import { SecretsManagerStandIn } from "../support/secrets-manager-stand-in";
import { makeLoopbackCertificates, type LoopbackCertificates } from "../../src/system/tls-certificates";

// The app as the servers run it, end to end: the archive the synthesis writes
// for Terraform to upload, put into S3 in the AWS emulator as a new object
// version, downloaded, checked and unpacked by the boot script's own
// fetch_app (as a server's user data names that version and hash), and
// served by `php -S`; a MariaDB that requires TLS, with a real
// user and password; the password only in a Secrets Manager stand-in that
// checks SigV4; headless Chromium as the person. The tests run in order and
// share the servers: the last one stops the database.

const REGION = "eu-west-1";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-6c1f0e2a-93b4-4d7e-8a51-2b3c4d5e6f70-Qw3rTy";
const AWS_CREDENTIALS = {
  accessKeyId: "ASIAE2ETESTEXAMPLE01",
  secretAccessKey: "e2eSecretKeyExample/0123456789abcdefghijk",
  sessionToken: "e2e-session-token+/=",
};
const DB_NAME = "inventory_e2e";
/** A schema whose items table an earlier version of the app made, before edits carried a version. */
const LEGACY_DB_NAME = "inventory_legacy";
const DB_USER = "inventory_app";
const INSTANCE_ID = "i-0e2e7e5700000000a";
/** Hours a form's token holds on the test's servers (the app's default is 8). */
const FORM_TOKEN_HOURS = 2;
/** A session id as the app issues it: 32 random bytes and their HMAC, in hex. */
const SESSION_ID = /^[0-9a-f]{128}$/;
const AVAILABILITY_ZONE = "eu-west-1b";
/** Items on a page of the list, as app/README.md documents it. */
const PAGE_SIZE = 50;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const password = () => `Pw-${crypto.randomBytes(12).toString("base64url")}`;
const passwords = { first: password(), rotated: password() };

let tools: Record<string, string>;
let root: string;
let certificates: LoopbackCertificates;
let database: LocalMariaDb | undefined;
let secretsManager: SecretsManagerStandIn | undefined;
let s3: AwsEmulator | undefined;
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
    form_token_hours: String(FORM_TOKEN_HOURS),
    // The test's requests come from loopback: loopback stands for the VPC.
    vpc_cidr: "127.0.0.0/8",
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
  const steps = [() => browser?.close(), () => app?.process.stop(), () => secretsManager?.stop(), () => database?.stop(), () => s3?.stop()];
  for (const step of steps)
    await Promise.resolve()
      .then(step)
      .catch((error) => console.error("cleanup:", error));
  if (root) fs.rmSync(root, { recursive: true, force: true });
}

beforeAll(async () => {
  tools = requireCommands(["php", "mariadbd", "mariadb-install-db", "mariadb", "chromium", "openssl", "tar", "bash", "aws"], { phpExtensions: ["pdo_mysql"] });
  root = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-e2e-"));
  // Chromium starts while the database is made: the slowest two steps, side by side.
  const launching = chromium.launch({ executablePath: tools.chromium, args: CHROMIUM_ARGS });
  launching.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled meanwhile
  try {
    certificates = await makeLoopbackCertificates(path.join(root, "tls"), tools.openssl);
    database = await LocalMariaDb.start({ directory: path.join(root, "mariadb"), commands: tools, tls: certificates });
    // The privileges the app needs: its rows, CREATE for its tables on first use, and ALTER to
    // add the version column to a table made before edits carried one.
    await database.sql(
      `CREATE DATABASE ${DB_NAME};
       CREATE DATABASE ${LEGACY_DB_NAME};
       CREATE USER ${sqlString(DB_USER)}@'127.0.0.1' IDENTIFIED BY ${sqlString(passwords.first)} REQUIRE SSL;
       GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON ${DB_NAME}.* TO ${sqlString(DB_USER)}@'127.0.0.1';
       GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER ON ${LEGACY_DB_NAME}.* TO ${sqlString(DB_USER)}@'127.0.0.1';`,
    );
    secretsManager = await SecretsManagerStandIn.start({
      region: REGION,
      secretArn: SECRET_ARN,
      credentials: AWS_CREDENTIALS,
      secret: { username: DB_USER, password: passwords.first },
    });

    await installAppAsServersDo();
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

/**
 * The app into root/app the way a server gets it into /var/www/inventory:
 * the default environment synthesized, its archive uploaded to a versioned
 * bucket as Terraform uploads the object's `source`, and the rendered boot
 * script's fetch_app run against that version and the object's hash.
 */
async function installAppAsServersDo(): Promise<void> {
  const [stack] = synthesize({ projectRoot: PROJECT_ROOT, outdir: path.join(root, "cdktf.out"), variables: { INVENTORY_ENV: "default" } });
  const configuration = JSON.parse(fs.readFileSync(path.join(stack.directory, "cdk.tf.json"), "utf8"));
  const object = configuration.resource.aws_s3_object.app_artifact_object;
  const bucket = "inventory-app-e2e";
  s3 = await AwsEmulator.start();
  const versionId = await putVersion(await createVersionedBucket(s3, bucket), bucket, object.key, fs.readFileSync(path.join(stack.directory, object.source)));
  const script = renderBootScript({
    appDirectory: APP_DIRECTORY,
    vpcCidr: "10.0.0.0/16",
    databaseHost: "unused.example.com",
    databasePort: "3306",
    databaseName: DB_NAME,
    databaseSecretArn: SECRET_ARN,
    region: "us-west-2",
    artifact: { bucket, key: object.key, versionId, sha256: object.source_hash },
  });
  const fetched = await runFetchApp({ bash: tools.bash, aws: tools.aws, emulator: s3, script, directory: path.join(root, "app"), scratch: root });
  if (fetched.status !== 0) throw new Error(`fetch_app failed (${fetched.status}): ${fetched.stderr}`);
  await s3.stop();
  s3 = undefined;
}

const get = (pathname: string, init: RequestInit = {}) => fetch(`${app!.url}${pathname}`, { redirect: "manual", ...init });

/** A visit outside the browser: the session cookie the page set and its form fields, by name. */
async function visit(pathname: string, headers: Record<string, string> = {}): Promise<{ cookie: string; fields: Record<string, string>; html: string }> {
  const response = await get(pathname, { headers });
  expect(response.status).toBe(200);
  const html = await response.text();
  const fields = Object.fromEntries([...html.matchAll(/<input [^>]*?name="([^"]+)" value="([^"]*)"/g)].map(([, name, value]) => [name, value]));
  return { cookie: response.headers.get("set-cookie")!.split(";")[0], fields, html };
}

/** Posts a form outside the browser, as another person or an attacker would. */
const post = (pathname: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  get(pathname, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });

/** The form key the servers share, from the database (never from a page). */
async function formKey(): Promise<Buffer> {
  return Buffer.from(await database!.sql(`SELECT HEX(value) FROM ${DB_NAME}.app_keys WHERE name = 'csrf'`), "hex");
}

/** A form token as app/src/Http.php makes one: issued at `issuedAt` (Unix seconds) for a session and user. */
function formToken(key: Buffer, cookie: string, issuedAt: number, user = ""): string {
  const session = cookie.split("=")[1];
  return `${issuedAt}-${crypto.createHmac("sha256", key).update(`form\n${session}\n${user}\n${issuedAt}`).digest("hex")}`;
}

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
    expect(secretsManager!.served).toBe(0);
  });

  it("reports the database healthy on /health/deep, over verified TLS", async () => {
    const response = await get("/health/deep");
    const body = (await response.json()) as {
      status: string;
      database: { status: string; tls_cipher: string | null };
      instance_id: string;
      availability_zone: string;
    };
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ status: "ok", database: { status: "ok" }, instance_id: INSTANCE_ID, availability_zone: AVAILABILITY_ZONE });
    expect(body.database.tls_cipher).toMatch(/^TLS_|^ECDHE-|^AES/);
    expect(secretsManager!.served).toBe(1);
    expect(secretsManager!.refusals).toStrictEqual([]);
  });

  it("tells /health/deep's details only to the VPC: a request the load balancer forwarded gets the status alone", async () => {
    // The ALB adds X-Forwarded-For to every client's request it forwards; its own health checks carry none.
    const forwarded = await get("/health/deep", { headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(forwarded.status).toBe(200);
    expect(await forwarded.text()).toBe('{"status":"ok","database":{"status":"ok"}}\n');

    // A server whose VPC is elsewhere: loopback is then outside it, as the internet is.
    const elsewhere = await startApp("other-vpc", settings({ vpc_cidr: "10.0.0.0/16", cache_dir: path.join(root, "cache-other-vpc") }));
    const unset = await startApp("no-vpc", settings({ vpc_cidr: undefined, cache_dir: path.join(root, "cache-no-vpc") }));
    try {
      for (const server of [elsewhere, unset]) {
        const response = await fetch(`${server.url}/health/deep`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('{"status":"ok","database":{"status":"ok"}}\n');
      }
    } finally {
      await Promise.all([elsewhere.process.stop(), unset.process.stop()]);
    }
  });

  it("names the server on the page, and in headers only when instance_headers turns them on", async () => {
    const page = await get("/");
    expect(await page.text()).toContain(`Served by <b id="instance-id">${INSTANCE_ID}</b> in <b id="availability-zone">${AVAILABILITY_ZONE}</b>`);
    expect(page.headers.get("x-inventory-instance-id")).toBeNull();
    expect(page.headers.get("x-inventory-availability-zone")).toBeNull();
    expect((await get("/health")).headers.get("x-inventory-instance-id")).toBeNull();

    const headed = await startApp("instance-headers", settings({ instance_headers: "true", cache_dir: path.join(root, "cache-instance-headers") }));
    try {
      const response = await fetch(`${headed.url}/health`);
      expect(response.headers.get("x-inventory-instance-id")).toBe(INSTANCE_ID);
      expect(response.headers.get("x-inventory-availability-zone")).toBe(AVAILABILITY_ZONE);
    } finally {
      await headed.process.stop();
    }
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
    const { cookie, fields } = await visit("/");
    const token = fields.csrf_token;
    expect(token).toMatch(/^\d{10}-[0-9a-f]{64}$/);
    const item = { name: "Forged", quantity: "5", store: "Nowhere" };

    expect((await post("/items", item, { cookie })).status).toBe(403);
    expect((await post("/items", { ...item, csrf_token: "0".repeat(64) }, { cookie })).status).toBe(403);
    expect((await post("/items", { ...item, csrf_token: token })).status).toBe(403);
    const invalid = await post("/items", { ...item, quantity: "-3", csrf_token: token }, { cookie });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain("Quantity must be a whole number");
    expect(await count()).toBe(before);

    const accepted = await post("/items", { ...item, csrf_token: token }, { cookie });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/");
    expect(Number(await count())).toBe(Number(before) + 1);
  });

  it("refuses a token it did not sign for the session: a cookie and field pair the attacker chose, another session's token, another user's", async () => {
    const count = () => database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items`);
    const before = await count();
    const item = { name: "Signed in", quantity: "2", store: "Olympia" };
    const visitor = await visit("/");
    const cookieName = visitor.cookie.split("=")[0];

    // What defeats a plain double-submit cookie: the same value in the cookie and the field.
    const chosen = crypto.randomBytes(32).toString("hex");
    expect((await post("/items", { ...item, csrf_token: chosen }, { cookie: `${cookieName}=${chosen}` })).status).toBe(403);
    // A real token, from another session.
    const other = await visit("/");
    expect((await post("/items", { ...item, csrf_token: visitor.fields.csrf_token }, { cookie: other.cookie })).status).toBe(403);
    // Behind the load balancer's sign-in, a token is also bound to the signed-in user.
    const alice = await visit("/", { "x-amzn-oidc-identity": "alice" });
    const asAlice = { ...item, csrf_token: alice.fields.csrf_token };
    expect((await post("/items", asAlice, { cookie: alice.cookie, "x-amzn-oidc-identity": "mallory" })).status).toBe(403);
    expect(await count()).toBe(before);
    expect((await post("/items", asAlice, { cookie: alice.cookie, "x-amzn-oidc-identity": "alice" })).status).toBe(303);
    expect(Number(await count())).toBe(Number(before) + 1);

    // The key stays in the database: neither the page nor the cookie carries it.
    const key = (await database!.sql(`SELECT HEX(value) FROM ${DB_NAME}.app_keys WHERE name = 'csrf'`)).toLowerCase();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    for (const seen of [visitor.html, visitor.cookie, alice.html]) expect(seen.toLowerCase()).not.toContain(key);
    await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE name = 'Signed in'`);
  });

  it("replaces a session id the client chose with one it issues, and keeps one it issued", async () => {
    const issued = await visit("/");
    expect(issued.cookie).toMatch(/^inventory_session=[0-9a-f]{128}$/);
    // The issue's reproduction (a 64-digit id, the old format), a well-formed id with a made-up MAC, and garbage.
    const made = crypto.randomBytes(32).toString("hex");
    for (const chosen of ["a".repeat(64), made + crypto.randomBytes(32).toString("hex"), made + issued.cookie.slice(-64), "x"]) {
      const answered = await visit("/", { cookie: `inventory_session=${chosen}` });
      const id = answered.cookie.split("=")[1];
      expect([chosen, SESSION_ID.test(id), id === chosen]).toEqual([chosen, true, false]);
    }
    const again = await visit("/", { cookie: issued.cookie });
    expect(again.cookie).toBe(issued.cookie);

    // A token signed for a chosen id is refused: the id was never issued. (The test signs with the servers' key,
    // which an attacker does not hold; the app refuses the id before the token.)
    const key = await formKey();
    const chosen = `inventory_session=${"b".repeat(128)}`;
    const item = { name: "Planted", quantity: "1", store: "Yakima" };
    expect((await post("/items", { ...item, csrf_token: formToken(key, chosen, Math.floor(Date.now() / 1000)) }, { cookie: chosen })).status).toBe(403);
    expect(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items WHERE name = 'Planted'`)).toBe("0");
  });

  it(`refuses a form token older than form_token_hours (${FORM_TOKEN_HOURS}) or dated ahead, and one of another session or user`, async () => {
    const item = { name: "Expiring", quantity: "1", store: "Bellingham" };
    const { cookie } = await visit("/");
    const key = await formKey();
    const now = Math.floor(Date.now() / 1000);
    const lifetime = FORM_TOKEN_HOURS * 3600;
    const status = async (token: string, headers: Record<string, string> = {}) =>
      (await post("/items", { ...item, csrf_token: token }, { cookie, ...headers })).status;

    expect(await status(formToken(key, cookie, now - lifetime - 60))).toBe(403);
    expect(await status(formToken(key, cookie, now + 3600))).toBe(403);
    expect(await status(formToken(key, (await visit("/")).cookie, now))).toBe(403);
    expect(await status(formToken(key, cookie, now, "alice"), { "x-amzn-oidc-identity": "mallory" })).toBe(403);
    expect(await status(`${now}-${"0".repeat(64)}`)).toBe(403);
    expect(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items WHERE name = 'Expiring'`)).toBe("0");

    // Within its lifetime, the same token is taken.
    expect(await status(formToken(key, cookie, now - lifetime + 60))).toBe(303);
    expect(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items WHERE name = 'Expiring'`)).toBe("1");
    await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE name = 'Expiring'`);
  });

  it("over HTTPS (X-Forwarded-Proto from the ALB): a __Host- session cookie, HSTS, and no plain-HTTP cookie counts", async () => {
    const https = { "x-forwarded-proto": "https" };
    const secure = await get("/", { headers: https });
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000");
    expect(secure.headers.get("set-cookie")).toMatch(/^__Host-inventory_session=[0-9a-f]{128}; Path=\/; HttpOnly; SameSite=Strict; Secure$/);

    const plain = await get("/");
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    expect(plain.headers.get("set-cookie")).toMatch(/^inventory_session=[0-9a-f]{128}; Path=\/; HttpOnly; SameSite=Strict$/);

    // A cookie without the prefix could have been set over plain HTTP by anyone on the path.
    const overHttp = await visit("/");
    const item = { name: "Over HTTPS", quantity: "1", store: "Everett" };
    expect((await post("/items", { ...item, csrf_token: overHttp.fields.csrf_token }, { cookie: overHttp.cookie, ...https })).status).toBe(403);
    const overHttps = await visit("/", https);
    expect((await post("/items", { ...item, csrf_token: overHttps.fields.csrf_token }, { cookie: overHttps.cookie, ...https })).status).toBe(303);
    await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE name = 'Over HTTPS'`);
  });

  it(`shows the list ${PAGE_SIZE} items a page, and the page links lead through the rest`, async () => {
    const existing = Number(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items`));
    // Sorted after the items the other tests made (store "Zz bulk"), and removed at the end.
    const rows = Array.from({ length: PAGE_SIZE + 7 - existing }, (_, i) => `('Bulk ${String(i).padStart(3, "0")}', ${i}, 'Zz bulk')`);
    await database!.sql(`INSERT INTO ${DB_NAME}.items (name, quantity, store) VALUES ${rows.join(", ")}`);
    try {
      const everything = (await database!.sql(`SELECT name FROM ${DB_NAME}.items ORDER BY store, name, id`)).split("\n");
      expect(everything).toHaveLength(PAGE_SIZE + 7);
      const names = () => page.locator("#items td:first-child").allTextContents();

      await page.goto(`${app!.url}/`);
      const first = await names();
      expect(first).toHaveLength(PAGE_SIZE);
      expect(await page.locator('a[rel="prev"]').count()).toBe(0);
      await submit(page, page.getByRole("link", { name: "Next" }));
      expect(new URL(page.url()).search).toBe("?page=2");
      const second = await names();
      expect([...first, ...second]).toEqual(everything);
      expect(await page.locator('a[rel="next"]').count()).toBe(0);
      await submit(page, page.getByRole("link", { name: "Previous" }));
      expect(await names()).toEqual(first);

      for (const outOfRange of ["3", "0", "-1", "two", "1e3", "2.0", "9999999"]) {
        const response = await get(`/?page=${outOfRange}`);
        expect([outOfRange, response.status]).toEqual([outOfRange, 404]);
        expect(await response.text()).toContain("There is no such page.");
      }
    } finally {
      await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE store = 'Zz bulk'`);
    }
  });

  it("refuses a save from a form opened before someone else's save: 409, and the first save stays", async () => {
    await database!.sql(`INSERT INTO ${DB_NAME}.items (name, quantity, store) VALUES ('Kettle', 3, 'Tacoma')`);
    const id = await database!.sql(`SELECT id FROM ${DB_NAME}.items WHERE name = 'Kettle'`);
    const edit = `/items/${id}/edit`;
    const saveButton = page.getByRole("button", { name: "Save" });
    try {
      // Two people open the same item: one in the browser, one elsewhere with a session of its own.
      await page.goto(`${app!.url}${edit}`);
      const other = await visit(edit);
      expect(other.fields.version).toBe(await page.locator('input[name="version"]').inputValue());

      const first = await post(`/items/${id}`, { ...other.fields, quantity: "9" }, { cookie: other.cookie });
      expect(first.status).toBe(303);

      await page.locator('input[name="quantity"]').fill("4");
      const [second] = await Promise.all([page.waitForResponse((response) => response.request().method() === "POST"), saveButton.click()]);
      expect(second.status()).toBe(409);
      await page.waitForLoadState("load");
      expect(await page.textContent("main")).toContain("Someone else changed this item after you opened it, so your changes were not saved.");
      expect(await database!.sql(`SELECT quantity FROM ${DB_NAME}.items WHERE id = ${id}`)).toBe("9");

      // Opened again, the form shows the first save and saves over it.
      await page.goto(`${app!.url}${edit}`);
      expect(await page.locator('input[name="quantity"]').inputValue()).toBe("9");
      await page.locator('input[name="quantity"]').fill("4");
      await submit(page, saveButton);
      expect(new URL(page.url()).pathname).toBe("/");
      expect(await database!.sql(`SELECT quantity FROM ${DB_NAME}.items WHERE id = ${id}`)).toBe("4");
    } finally {
      await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE id = ${id}`);
    }
  });

  it("refuses a delete from a list opened before someone else's save: 409, and the item stays", async () => {
    await database!.sql(`INSERT INTO ${DB_NAME}.items (name, quantity, store) VALUES ('Toaster', 3, 'Tacoma')`);
    const id = await database!.sql(`SELECT id FROM ${DB_NAME}.items WHERE name = 'Toaster'`);
    try {
      const list = await visit("/");
      const deleteForm = new RegExp(`<form method="post" action="/items/${id}/delete">.*?name="version" value="(\\d+)"`).exec(list.html);
      expect(deleteForm?.[1]).toBe("1");
      const edit = await visit(`/items/${id}/edit`);
      expect((await post(`/items/${id}`, { ...edit.fields, quantity: "9" }, { cookie: edit.cookie })).status).toBe(303);

      const stale = await post(`/items/${id}/delete`, { csrf_token: list.fields.csrf_token, version: "1" }, { cookie: list.cookie });
      expect(stale.status).toBe(409);
      expect(await stale.text()).toContain("Someone else changed this item after you opened it, so it was not deleted.");
      expect(await database!.sql(`SELECT quantity, version FROM ${DB_NAME}.items WHERE id = ${id}`)).toBe("9\t2");
      const unversioned = await post(`/items/${id}/delete`, { csrf_token: list.fields.csrf_token }, { cookie: list.cookie });
      expect(unversioned.status).toBe(422);

      expect((await post(`/items/${id}/delete`, { csrf_token: list.fields.csrf_token, version: "2" }, { cookie: list.cookie })).status).toBe(303);
      expect(await database!.sql(`SELECT COUNT(*) FROM ${DB_NAME}.items WHERE id = ${id}`)).toBe("0");
      expect((await post(`/items/${id}/delete`, { csrf_token: list.fields.csrf_token, version: "2" }, { cookie: list.cookie })).status).toBe(404);
    } finally {
      await database!.sql(`DELETE FROM ${DB_NAME}.items WHERE id = ${id}`);
    }
  });

  it("adds the version column to an items table made before edits carried one, and edits its items", async () => {
    // The table as the app made it before.
    await database!.sql(
      `CREATE TABLE ${LEGACY_DB_NAME}.items (
         id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
         name VARCHAR(100) NOT NULL,
         quantity INT UNSIGNED NOT NULL,
         store VARCHAR(100) NOT NULL,
         updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
       ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
       INSERT INTO ${LEGACY_DB_NAME}.items (name, quantity, store) VALUES ('Ladder', 2, 'Spokane');`,
    );
    const legacy = await startApp("legacy", settings({ db_name: LEGACY_DB_NAME, cache_dir: path.join(root, "cache-legacy") }));
    try {
      await page.goto(`${legacy.url}/`);
      await submit(page, page.locator("#items tr", { hasText: "Ladder" }).getByRole("link", { name: "Edit" }));
      await page.locator('input[name="quantity"]').fill("5");
      await submit(page, page.getByRole("button", { name: "Save" }));
      expect(new URL(page.url()).pathname).toBe("/");
      expect(await database!.sql(`SELECT name, quantity, version FROM ${LEGACY_DB_NAME}.items`)).toBe("Ladder\t5\t2");
      // The list's order has its index, as on a table the app made itself.
      for (const schema of [LEGACY_DB_NAME, DB_NAME]) {
        const columns = await database!.sql(
          `SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS
           WHERE TABLE_SCHEMA = ${sqlString(schema)} AND TABLE_NAME = 'items' AND INDEX_NAME = 'list_order'`,
        );
        expect([schema, columns]).toEqual([schema, "store,name"]);
      }
      expect(legacy.process.output).not.toMatch(/PHP (Warning|Notice|Deprecated|Fatal error)|inventory: /);
    } finally {
      await legacy.process.stop();
    }
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
      expect(untrusting.process.output).toContain(
        "inventory: database unavailable: PDOException SQLSTATE HY000, error 2002: cannot connect to the server or verify its certificate",
      );
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
      for (const [name, metadata] of [
        ["slow-metadata", slow],
        ["stalled-metadata", stalled],
      ] as const) {
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

  it("fails /health when it cannot load its settings, and says the inventory is unavailable", async () => {
    const { db_secret_arn: _missing, ...incomplete } = settings();
    const unconfigured = await startApp("incomplete", incomplete as AppSettings);
    try {
      const health = await fetch(`${unconfigured.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.text()).toBe("Unavailable\n");
      const response = await page.goto(`${unconfigured.url}/`);
      expect(response?.status()).toBe(503);
      expect(await page.textContent("main")).toContain("The inventory is unavailable right now.");
      expect(unconfigured.process.output).toContain("has no db_secret_arn");
    } finally {
      await unconfigured.process.stop();
    }
  });

  it("logs a failed statement as its codes and a fixed description: no statement, value, user, session id, form token or password", async () => {
    const { cookie, fields } = await visit("/");
    const item = { name: "Never-Logged-7f3a", quantity: "5", store: "Read-Only-Store-19c2" };
    const logged = app!.process.output.length;
    // As during a failover: the server refuses writes (error 1290, and a message of its own).
    await database!.sql("SET GLOBAL read_only = ON");
    try {
      expect((await post("/items", { ...item, csrf_token: fields.csrf_token }, { cookie })).status).toBe(503);
    } finally {
      await database!.sql("SET GLOBAL read_only = OFF");
    }
    const log = app!.process.output.slice(logged);
    expect(log).toContain("inventory: database unavailable: PDOException SQLSTATE HY000, error 1290: the server is read-only (a failover under way?)");
    const secrets = [
      item.name,
      item.store,
      "INSERT",
      "--read-only option",
      DB_USER,
      passwords.first,
      passwords.rotated,
      cookie.split("=")[1],
      fields.csrf_token,
    ];
    expect(secrets.filter((secret) => log.includes(secret))).toStrictEqual([]);
  });

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

    // The cause is in the server's log, where an operator looks: its codes and a fixed description, not the driver's words.
    expect(app!.process.output).toContain(
      "inventory: database unavailable: PDOException SQLSTATE HY000, error 2002: cannot connect to the server or verify its certificate",
    );
    expect(app!.process.output).not.toContain("Connection refused");
  });

  it("logged no PHP warning, notice or deprecation along the way", () => {
    expect(app!.process.output).not.toMatch(/PHP (Warning|Notice|Deprecated|Fatal error)/);
  });
});
