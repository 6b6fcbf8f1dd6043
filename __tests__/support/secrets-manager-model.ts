import * as crypto from "node:crypto";
import { ROTATION_STEPS, type RotationEvent, type SecretsApi } from "../../src/functions/app-user-rotation/rotation";

/**
 * Secrets Manager's versions and staging labels, in memory, as its API
 * reference describes them, for the rotation function's steps: RotateSecret
 * registers the rotation's token as an AWSPENDING version without a value and
 * invokes the steps in order; PutSecretValue gives a registered version its
 * value once; moving AWSCURRENT marks the version that held it AWSPREVIOUS.
 * moto keeps versions too, but cannot register a token without a value
 * before the first step, nor run a function to do the steps: the function's
 * calls to the real API are checked against moto in the same suite.
 */
interface Version {
  value?: string;
  readonly stages: Set<string>;
}

class NotFound extends Error {}

export class SecretsManagerModel implements SecretsApi {
  private readonly secrets = new Map<string, { rotationEnabled: boolean; versions: Map<string, Version> }>();
  /** Every call, for assertions: what the function asked for, in order. */
  readonly calls: string[] = [];

  /** A secret with a current value (the master secret RDS keeps), or none (the app secret before its first rotation). */
  create(secretId: string, options: { readonly value?: string; readonly rotationEnabled?: boolean } = {}): void {
    const versions = new Map<string, Version>();
    if (options.value !== undefined) versions.set(crypto.randomUUID(), { value: options.value, stages: new Set(["AWSCURRENT"]) });
    this.secrets.set(secretId, { rotationEnabled: options.rotationEnabled ?? false, versions });
  }

  /** The value of a stage, for assertions. */
  valueOf(secretId: string, stage: string): string | undefined {
    return [...this.secret(secretId).versions.values()].find((version) => version.stages.has(stage))?.value;
  }

  stagesOf(secretId: string): Record<string, string[]> {
    return Object.fromEntries([...this.secret(secretId).versions].map(([id, version]) => [id, [...version.stages].sort()]));
  }

  /** RotateSecret: a new token registered as AWSPENDING, then each step invoked, stopping at the first that fails. */
  async rotate(secretId: string, invoke: (event: RotationEvent) => Promise<void>, token: string = crypto.randomUUID()): Promise<string> {
    const secret = this.secret(secretId);
    secret.rotationEnabled = true;
    const inProgress = [...secret.versions.values()].some((version) => version.stages.has("AWSPENDING") && !version.stages.has("AWSCURRENT"));
    if (inProgress) throw new Error("InvalidRequestException: A previous rotation isn't complete. That rotation will be reattempted.");
    this.moveStage(secretId, "AWSPENDING", token);
    for (const step of ROTATION_STEPS) await invoke({ Step: step, SecretId: secretId, ClientRequestToken: token });
    return token;
  }

  async describeSecret(secretId: string) {
    this.calls.push(`DescribeSecret ${secretId}`);
    const secret = this.secret(secretId);
    const versions: Record<string, string[]> = {};
    for (const [id, version] of secret.versions) if (version.stages.size > 0) versions[id] = [...version.stages];
    return Promise.resolve({ rotationEnabled: secret.rotationEnabled, versions });
  }

  async getSecretString(secretId: string, version: { readonly stage: string; readonly id?: string }) {
    this.calls.push(`GetSecretValue ${secretId} ${version.stage}${version.id ? ` ${version.id}` : ""}`);
    const found = version.id
      ? this.secret(secretId).versions.get(version.id)
      : [...this.secret(secretId).versions.values()].find((candidate) => candidate.stages.has(version.stage));
    if (!found || !found.stages.has(version.stage) || found.value === undefined) return Promise.resolve(undefined);
    return Promise.resolve(found.value);
  }

  async putPendingValue(secretId: string, token: string, secretString: string) {
    this.calls.push(`PutSecretValue ${secretId} ${token} AWSPENDING`);
    const existing = this.secret(secretId).versions.get(token);
    if (existing?.value !== undefined && existing.value !== secretString)
      throw new Error("ResourceExistsException: You can't modify an existing version, you can only create a new version.");
    this.moveStage(secretId, "AWSPENDING", token);
    this.secret(secretId).versions.get(token)!.value = secretString;
    return Promise.resolve();
  }

  async makeCurrent(secretId: string, token: string, from: string | undefined) {
    this.calls.push(`UpdateSecretVersionStage ${secretId} AWSCURRENT ${from ?? "(none)"} -> ${token}`);
    const versions = this.secret(secretId).versions;
    const holder = [...versions].find(([, version]) => version.stages.has("AWSCURRENT"))?.[0];
    if (holder !== from)
      throw new Error(`InvalidParameterException: The parameter RemoveFromVersionId can't be ${from ?? "empty"}: AWSCURRENT is on ${holder ?? "no version"}`);
    if (!versions.get(token)) throw new NotFound(`ResourceNotFoundException: no version ${token}`);
    if (holder) this.moveStage(secretId, "AWSPREVIOUS", holder);
    this.moveStage(secretId, "AWSCURRENT", token);
    return Promise.resolve();
  }

  async randomPassword() {
    this.calls.push("GetRandomPassword");
    return Promise.resolve(crypto.randomBytes(24).toString("base64url").slice(0, 32));
  }

  private moveStage(secretId: string, stage: string, to: string): void {
    const versions = this.secret(secretId).versions;
    for (const version of versions.values()) version.stages.delete(stage);
    if (!versions.has(to)) versions.set(to, { stages: new Set() });
    versions.get(to)!.stages.add(stage);
  }

  private secret(secretId: string) {
    const secret = this.secrets.get(secretId);
    if (!secret) throw new NotFound(`ResourceNotFoundException: Secrets Manager can't find the specified secret ${secretId}`);
    return secret;
  }
}
