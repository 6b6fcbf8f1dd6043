import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import dynalite from "dynalite";
import S3rver from "s3rver";

/** The credentials s3rver accepts; dynalite accepts any. */
export const STAND_IN_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/**
 * A local S3 (s3rver) and DynamoDB (dynalite) on 127.0.0.1, on ports the
 * system picks, holding one state bucket and one lock table, for Terraform's
 * S3 backend to run against for real. `stop()` ends both and removes the data.
 */
export class StateServers {
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;

  private constructor(
    private readonly s3Server: S3rver,
    private readonly dynamoServer: ReturnType<typeof dynalite>,
    private readonly directory: string,
    s3Port: number,
    dynamoPort: number,
  ) {
    this.s3Endpoint = `http://127.0.0.1:${s3Port}`;
    this.dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
    // The SDK's own retries: these clients only set up and inspect what
    // Terraform wrote, and a transient loopback error on a busy machine (once,
    // on the lock item put in front of Terraform) must not fail the suite.
    const client = { region: "us-west-2", credentials: STAND_IN_CREDENTIALS, maxAttempts: 3 };
    this.s3 = new S3Client({ ...client, endpoint: this.s3Endpoint, forcePathStyle: true });
    this.dynamodb = new DynamoDBClient({ ...client, endpoint: this.dynamodbEndpoint });
  }

  static async start(bucket: string, lockTable: string): Promise<StateServers> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-s3rver-"));
    const s3Server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
    const s3Address = await s3Server.run();
    const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      dynamoServer.once("error", reject);
      dynamoServer.listen(0, "127.0.0.1", () => resolve());
    });
    const servers = new StateServers(s3Server, dynamoServer, directory, s3Address.port, (dynamoServer.address() as AddressInfo).port);
    await servers.dynamodb.send(
      new CreateTableCommand({
        TableName: lockTable,
        KeySchema: [{ AttributeName: "LockID", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "LockID", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    return servers;
  }

  /** `-backend-config` settings that point the S3 backend at the stand-ins. */
  backendConfig(): Record<string, unknown> {
    return {
      endpoints: { s3: this.s3Endpoint, dynamodb: this.dynamodbEndpoint },
      use_path_style: true,
      access_key: STAND_IN_CREDENTIALS.accessKeyId,
      secret_key: STAND_IN_CREDENTIALS.secretAccessKey,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    };
  }

  async stop(): Promise<void> {
    this.s3.destroy();
    this.dynamodb.destroy();
    await this.s3Server.close();
    await new Promise<void>((resolve) => this.dynamoServer.close(() => resolve()));
    fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
