import * as path from "node:path";
import { parseSettings } from "../../src/config/load";
import type { EnvironmentSettings } from "../../src/config/schema";
import { referencedBlock, referencesIn, type TerraformDocument } from "../../src/terraform/document";
import { jsonLeaves } from "./json-leaves";
import { inventoryStackName } from "../../src/config/names";
import { InvalidPropsError } from "../../src/props/prop-problems";
import { InventoryStack } from "../../src/stacks/inventory-stack";
import { synthesizeInMemory } from "../../src/terraform/synthesize-in-memory";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");
export const APP_DIRECTORY = path.join(PROJECT_ROOT, "app");

/** `loadBalancer.authentication` signing people in with an OIDC provider of one's own (its secret in TF_VAR_oidc_client_secret). */
export const OIDC_SIGN_IN = {
  provider: "oidc",
  oidc: {
    issuer: "https://id.example.com",
    authorizationEndpoint: "https://id.example.com/authorize",
    tokenEndpoint: "https://id.example.com/token",
    userInfoEndpoint: "https://id.example.com/userinfo",
    clientId: "inventory",
  },
};

/** Settings as an environment file with only `overrides` (and a state bucket) would give. */
export function settingsFor(environment: string, overrides: Record<string, unknown> = {}): EnvironmentSettings {
  const state = { bucket: "test-state-bucket", ...((overrides.state as object) ?? {}) };
  return parseSettings(environment, { ...overrides, state });
}

/** A synthesized stack's document: every stack has these blocks (`data` only when it reads a data source). */
export type SynthesizedDocument = TerraformDocument & Required<Pick<TerraformDocument, "terraform" | "provider" | "resource" | "output">>;

/** A synthesized Terraform JSON document. */
export interface SynthesizedStack {
  readonly json: string;
  readonly document: SynthesizedDocument;
}

/** The stack of these settings, synthesized in memory as the policy suite does; its text is for cdktf's matchers. */
export function synthStack(settings: EnvironmentSettings): SynthesizedStack {
  const document = synthesizeInMemory(
    (app) => new InventoryStack(app, inventoryStackName(settings.environment), { settings, appDirectory: APP_DIRECTORY }),
  ) as SynthesizedDocument;
  return { json: JSON.stringify(document, null, 2), document };
}

/** The resources of one type as [address name, configuration] pairs. */
export function resourcesOf(document: { resource?: Record<string, Record<string, any>> }, type: string): [string, any][] {
  return Object.entries(document.resource?.[type] ?? {});
}

/** The one resource of a type; fails when there are none or several. */
export function onlyResource(document: { resource?: Record<string, Record<string, any>> }, type: string): [string, any] {
  const found = resourcesOf(document, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0];
}

/** The resource a `${type.name.attribute}` reference points at. */
export function referencedResource(document: TerraformDocument, reference: string): { address: string; config: any } {
  const block = referencedBlock(document, reference);
  if (!block) throw new Error(`${reference} points at no resource`);
  return block;
}

/**
 * Every resource address a resource refers to or names in its depends_on,
 * directly or through the resources it refers to: everything Terraform
 * creates before it.
 */
export function dependenciesOf(document: { resource?: Record<string, Record<string, any>> }, address: string, seen = new Set<string>()): Set<string> {
  const [type, name] = address.split(".");
  const config = document.resource?.[type]?.[name];
  const strings: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") strings.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(config);
  const dependencies = [
    ...strings.flatMap((value) => referencesIn(document, value).map((reference) => reference.block.address)),
    ...((config?.depends_on as string[] | undefined) ?? []),
  ];
  for (const dependency of dependencies) {
    if (dependency.startsWith("data.") || seen.has(dependency)) continue;
    seen.add(dependency);
    dependenciesOf(document, dependency, seen);
  }
  return seen;
}

/**
 * References to an attribute that is itself exactly a reference to something
 * else (`${aws_route_table_association.x.subnet_id}`, which is
 * `${aws_subnet.y.id}`): a value routed through another resource, the way
 * ordering was once carried. Each as `path: reference is value`.
 */
export function passedOnReferences(document: { resource?: Record<string, Record<string, any>> }): string[] {
  const found: string[] = [];
  for (const [at, value] of jsonLeaves(document)) {
    if (typeof value !== "string") continue;
    for (const [reference, type, name, attribute] of value.matchAll(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g)) {
      const carried = document.resource?.[type]?.[name]?.[attribute];
      if (typeof carried === "string" && /^\$\{[^{}]+\}$/.test(carried)) found.push(`${at}: ${reference} is ${carried}`);
    }
  }
  return found;
}

/** Asserts that `build` refuses its props with an InvalidPropsError reading `<Construct> <path>: <prop>: <message>`. */
export function expectRefused(build: () => unknown, construct: string, message: string): void {
  expect(build).toThrow(InvalidPropsError);
  expect(build).toThrow(`${construct}: ${message}`);
}
