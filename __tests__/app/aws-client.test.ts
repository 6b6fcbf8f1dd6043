import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InstanceMetadataStandIn } from "../support/instance-metadata-stand-in";
import { CLOSED_METADATA_ENDPOINT } from "../../src/system/php-server";
import { requireCommands } from "../support/require-commands";
import { runPhp } from "../support/run-php";
import { SecretsManagerStandIn } from "../support/secrets-manager-stand-in";
import { AWS_SIGV4_VECTORS, sigV4Signature } from "../support/sigv4";
import { makeLoopbackCertificates } from "../../src/system/tls-certificates";

// The app's own AWS client (app/src/SecretsManager.php): SigV4 against AWS's
// published vectors, credentials from the environment or IMDSv2, the secret
// cache. The end-to-end test covers the same client inside the running app.

const REGION = "eu-west-1";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0d2c6a58-7f3e-4b1a-9c55-1e2f3a4b5c6d-Xy12Ab";
const SECRET = { username: "inventory_admin", password: "s3cr3t-Pa55-word" };
const ROLE_CREDENTIALS = {
  accessKeyId: "ASIAROLEEXAMPLE00001",
  secretAccessKey: "roleSecretKeyExample/0123456789abcdefghij",
  sessionToken: "role-session-token-example+/=",
};
const ENV_CREDENTIALS = { accessKeyId: "AKIAENVEXAMPLE000001", secretAccessKey: "envSecretKeyExample/0123456789abcdefghijk" };

let php: string;
let openssl: string;
beforeAll(() => {
  ({ php, openssl } = requireCommands(["php", "openssl"]));
});

describe("SigV4", () => {
  const vectors = AWS_SIGV4_VECTORS;

  it.each(vectors.cases)("the app's signer matches AWS's $name vector", async ({ method, signature }) => {
    const authorization = await runPhp(
      php,
      `$signer = new Inventory\\SigV4Signer(${JSON.stringify(vectors.region)}, ${JSON.stringify(vectors.service)});
       $headers = $signer->sign(${JSON.stringify(method)}, '/', ['Host' => ${JSON.stringify(vectors.host)}], '',
           new Inventory\\AwsCredentials(${JSON.stringify(vectors.accessKeyId)}, ${JSON.stringify(vectors.secretAccessKey)}),
           new DateTimeImmutable('2015-08-30T12:36:00Z'));
       echo $headers['Authorization'];`,
    );
    expect(authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    );
  });

  it.each(vectors.cases)("the stand-ins' verifier matches AWS's $name vector", ({ method, signature }) => {
    expect(
      sigV4Signature({
        method,
        path: "/",
        headers: { host: vectors.host, "x-amz-date": vectors.amzDate },
        signedHeaders: ["host", "x-amz-date"],
        body: "",
        secretAccessKey: vectors.secretAccessKey,
        amzDate: vectors.amzDate,
        region: vectors.region,
        service: vectors.service,
      }),
    ).toBe(signature);
  });

  it("signs the session token along with the request", async () => {
    const headers = JSON.parse(
      await runPhp(
        php,
        `echo json_encode((new Inventory\\SigV4Signer('eu-west-1', 'secretsmanager'))->sign('POST', '/', ['Host' => 'h'], '{}',
            new Inventory\\AwsCredentials('AKID', 'secret', 'the-token')));`,
      ),
    ) as Record<string, string>;
    expect(headers["X-Amz-Security-Token"]).toBe("the-token");
    expect(headers.Authorization).toContain("SignedHeaders=host;x-amz-date;x-amz-security-token,");
  });
});

describe("Secrets Manager's endpoint", () => {
  // The DNS suffix of each partition (AWS SDKs' partitions.json); GovCloud's is the aws partition's.
  it.each([
    ["eu-west-1", "https://secretsmanager.eu-west-1.amazonaws.com"],
    ["cn-north-1", "https://secretsmanager.cn-north-1.amazonaws.com.cn"],
    ["cn-northwest-1", "https://secretsmanager.cn-northwest-1.amazonaws.com.cn"],
    ["us-gov-west-1", "https://secretsmanager.us-gov-west-1.amazonaws.com"],
    ["eusc-de-east-1", "https://secretsmanager.eusc-de-east-1.amazonaws.eu"],
    ["us-iso-east-1", "https://secretsmanager.us-iso-east-1.c2s.ic.gov"],
    ["us-isob-east-1", "https://secretsmanager.us-isob-east-1.sc2s.sgov.gov"],
    ["us-isof-south-1", "https://secretsmanager.us-isof-south-1.csp.hci.ic.gov"],
    ["eu-isoe-west-1", "https://secretsmanager.eu-isoe-west-1.cloud.adc-e.uk"],
  ])("in %s is %s", async (region, endpoint) => {
    expect(await defaultEndpoint(region)).toBe(endpoint);
  });

  it.each(["eu-west-1a", "EU-WEST-1", "eu-west-1.evil.example"])("refuses the region %s, naming the setting", async (region) => {
    await expect(defaultEndpoint(region)).rejects.toThrow(`aws_region '${region}' is not an AWS region name`);
  });

  /** The endpoint the client calls when the settings name none. */
  const defaultEndpoint = (region: string) =>
    runPhp(
      php,
      `$http = new Inventory\\HttpClient(new Inventory\\Deadline(1));
       echo (new Inventory\\SecretsManagerClient(${JSON.stringify(region)}, null, new Inventory\\AwsCredentialProvider($http), $http))->endpoint;`,
    );
});

describe("GetSecretValue", () => {
  let secretsManager: SecretsManagerStandIn;
  let metadata: InstanceMetadataStandIn;

  beforeAll(async () => {
    metadata = await InstanceMetadataStandIn.start("inventory-app-role", ROLE_CREDENTIALS);
  });
  afterAll(async () => {
    await metadata?.stop();
  });
  afterEach(async () => {
    await secretsManager?.stop();
  });

  const getSecret = (secretId: string, env: Record<string, string>) =>
    runPhp(
      php,
      `$http = new Inventory\\HttpClient(new Inventory\\Deadline(5));
       $client = new Inventory\\SecretsManagerClient(${JSON.stringify(REGION)}, ${JSON.stringify(secretsManager.endpoint)},
           new Inventory\\AwsCredentialProvider($http), $http);
       echo $client->getSecretString(${JSON.stringify(secretId)});`,
      { AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.endpoint, ...env },
    );

  it("signs with the instance role's credentials from IMDSv2 when the environment has none", async () => {
    secretsManager = await SecretsManagerStandIn.start({ region: REGION, secretArn: SECRET_ARN, credentials: ROLE_CREDENTIALS, secret: SECRET });
    const before = metadata.requests.length;

    expect(JSON.parse(await getSecret(SECRET_ARN, {}))).toEqual(SECRET);
    expect(secretsManager.refusals).toStrictEqual([]);
    expect(metadata.requests.slice(before)).toEqual([
      "PUT /latest/api/token",
      "GET /latest/meta-data/iam/security-credentials/",
      "GET /latest/meta-data/iam/security-credentials/inventory-app-role",
    ]);
  });

  it("prefers credentials from the environment and then never asks the metadata service", async () => {
    secretsManager = await SecretsManagerStandIn.start({ region: REGION, secretArn: SECRET_ARN, credentials: ENV_CREDENTIALS, secret: SECRET });
    const before = metadata.requests.length;

    const secret = await getSecret(SECRET_ARN, { AWS_ACCESS_KEY_ID: ENV_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_CREDENTIALS.secretAccessKey });
    expect(JSON.parse(secret)).toEqual(SECRET);
    expect(metadata.requests.length).toBe(before);
  });

  it("fails at once when there are no credentials anywhere", async () => {
    secretsManager = await SecretsManagerStandIn.start({ region: REGION, secretArn: SECRET_ARN, credentials: ROLE_CREDENTIALS, secret: SECRET });
    const started = Date.now();
    await expect(getSecret(SECRET_ARN, { AWS_EC2_METADATA_SERVICE_ENDPOINT: CLOSED_METADATA_ENDPOINT })).rejects.toThrow(
      `PUT ${CLOSED_METADATA_ENDPOINT}/latest/api/token failed`,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(secretsManager.served).toBe(0);
  });

  it("over HTTPS, takes the secret only from an endpoint whose certificate it can verify", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-https-"));
    try {
      const certificates = await makeLoopbackCertificates(directory, openssl);
      secretsManager = await SecretsManagerStandIn.start({
        region: REGION,
        secretArn: SECRET_ARN,
        credentials: ENV_CREDENTIALS,
        secret: SECRET,
        tls: certificates,
      });
      expect(secretsManager.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      // OpenSSL's default trust store, which the client relies on, is the file SSL_CERT_FILE names.
      const env = { AWS_ACCESS_KEY_ID: ENV_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_CREDENTIALS.secretAccessKey };

      expect(JSON.parse(await getSecret(SECRET_ARN, { ...env, SSL_CERT_FILE: certificates.caFile }))).toEqual(SECRET);
      await expect(getSecret(SECRET_ARN, { ...env, SSL_CERT_FILE: certificates.unrelatedCaFile })).rejects.toThrow(/certificate verify failed/);
      expect(secretsManager.served).toBe(1);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("reports AWS's error without the secret when the request is refused", async () => {
    secretsManager = await SecretsManagerStandIn.start({ region: REGION, secretArn: SECRET_ARN, credentials: ROLE_CREDENTIALS, secret: SECRET });

    const wrongArn = getSecret(SECRET_ARN.replace("Xy12Ab", "Zz99Zz"), {});
    await expect(wrongArn).rejects.toThrow(/HTTP 400 ResourceNotFoundException/);
    await expect(wrongArn).rejects.not.toThrow(SECRET.password);

    const wrongKey = getSecret(SECRET_ARN, { AWS_ACCESS_KEY_ID: ENV_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_CREDENTIALS.secretAccessKey });
    await expect(wrongKey).rejects.toThrow(/UnrecognizedClientException/);
    expect(secretsManager.served).toBe(0);
  });
});

describe("DatabaseSecret cache", () => {
  let secretsManager: SecretsManagerStandIn;
  let cacheDir: string;

  beforeAll(async () => {
    secretsManager = await SecretsManagerStandIn.start({ region: REGION, secretArn: SECRET_ARN, credentials: ENV_CREDENTIALS, secret: SECRET });
    cacheDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inventory-secret-cache-")), "cache");
  });
  afterAll(async () => {
    await secretsManager?.stop();
    if (cacheDir) fs.rmSync(path.dirname(cacheDir), { recursive: true, force: true });
  });

  /**
   * Runs `calls` in one PHP process, as one request's worker would, and returns
   * the usernames it got: current(), or refresh() with the credentials the
   * previous call returned (or current()'s), as after MySQL refused them.
   */
  const use = async (...calls: Array<"current" | "refresh">) =>
    JSON.parse(
      await runPhp(
        php,
        `$http = new Inventory\\HttpClient(new Inventory\\Deadline(5));
         $secret = new Inventory\\DatabaseSecret(${JSON.stringify(SECRET_ARN)}, ${JSON.stringify(cacheDir)},
             new Inventory\\SecretsManagerClient(${JSON.stringify(REGION)}, ${JSON.stringify(secretsManager.endpoint)}, ` +
          `new Inventory\\AwsCredentialProvider($http), $http));
         $last = null;
         echo json_encode(array_map(function ($call) use ($secret, &$last) {
             $last = $call === 'current' ? $secret->current() : $secret->refresh($last ?? $secret->current());
             return $last->username;
         }, ${JSON.stringify(calls)}));`,
        { AWS_ACCESS_KEY_ID: ENV_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ENV_CREDENTIALS.secretAccessKey },
      ),
    ) as string[];

  it("fetches once, then serves later requests from a file only its owner can read", async () => {
    expect(await use("current")).toEqual([SECRET.username]);
    expect(await use("current", "current")).toEqual([SECRET.username, SECRET.username]);
    expect(secretsManager.served).toBe(1);

    expect(fs.statSync(cachedCopy()).mode & 0o777).toBe(0o600);
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  /** The one cached copy (beside it: its lock file). */
  const cachedCopy = () => {
    const copies = fs.readdirSync(cacheDir).filter((name) => name.endsWith(".json"));
    expect(copies).toHaveLength(1);
    return path.join(cacheDir, copies[0]);
  };
  const editCachedCopy = (change: Record<string, unknown>) => {
    const file = cachedCopy();
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), ...change }));
  };
  const now = () => Math.floor(Date.now() / 1000);

  it("refresh() fetches again and replaces the cached copy", async () => {
    secretsManager.secret = { username: "rotated_user", password: "n3w-Pa55-word" };
    const served = secretsManager.served;

    expect(await use("current", "refresh", "current")).toEqual([SECRET.username, "rotated_user", "rotated_user"]);
    expect(secretsManager.served).toBe(served + 1);
    cachedCopy();
  });

  it("takes no copy dated in the future", async () => {
    editCachedCopy({ fetched_at: now() + 3600, username: "planted_user" });
    const served = secretsManager.served;

    expect(await use("current")).toEqual([secretsManager.secret.username]);
    expect(secretsManager.served).toBe(served + 1);
  });

  it("when the copy expires, fetches it once however many workers need it at the same time", async () => {
    editCachedCopy({ fetched_at: now() - 3600 });
    const served = secretsManager.served;
    secretsManager.answerDelayMs = 500; // the first worker's call is still on its way when the others want the secret
    try {
      const workers = await Promise.all(Array.from({ length: 4 }, () => use("current")));
      expect(workers).toEqual(Array(4).fill([secretsManager.secret.username]));
    } finally {
      secretsManager.answerDelayMs = 0;
    }
    expect(secretsManager.served).toBe(served + 1);
  });

  it("after MySQL refuses the password, fetches once for all workers, and not again at once if nothing changed", async () => {
    secretsManager.secret = { username: "rotated_again", password: "an0ther-Pa55-word" };
    const served = secretsManager.served;
    secretsManager.answerDelayMs = 500;
    try {
      const workers = await Promise.all(Array.from({ length: 4 }, () => use("refresh")));
      expect(workers).toEqual(Array(4).fill(["rotated_again"]));
    } finally {
      secretsManager.answerDelayMs = 0;
    }
    expect(secretsManager.served).toBe(served + 1);

    // Refused again: Secrets Manager was asked a moment ago and would hand back the same password.
    expect(await use("refresh")).toEqual(["rotated_again"]);
    expect(secretsManager.served).toBe(served + 1);
  });
});
