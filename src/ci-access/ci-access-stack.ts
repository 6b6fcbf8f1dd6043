import type { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GITHUB_ACTIONS_HOST, hasCiAccess, TERRAFORM_CLOUD_AUDIENCE } from "../config/ci-settings";
import { SettingsError } from "../config/load";
import { resourceNames } from "../config/names";
import type { EnvironmentSettings } from "../config/schema";
import { alarmTopicKeyPolicy } from "../constructs/monitoring/alarm-topic";
import { imageParameterArn } from "../constructs/compute/app-release";
import { CiRole } from "./ci-role";
import { databaseParameterGroupName, databaseSubnetGroupName } from "../constructs/data/database";
import { deployPermissions, type EnvironmentScope, planPermissions, workloadBoundary } from "./environment-permissions";
import { logKeyPolicy } from "../constructs/monitoring/log-key";
import { awsPartition, policyDocument } from "../aws/iam-policy";
import { githubActionsSubject, terraformCloudSubject, webIdentityTrust } from "./oidc-trust";
import { webAclLogGroupName as webAclLogGroup } from "../constructs/edge/web-acl";
import { addLocalStateBackend, stateKey } from "../terraform/state-backend";
import { ProjectStack } from "../stacks/project-stack";

/** The purpose of each CI role an environment can have: its name is `Inventory-<purpose>` behind the environment's prefix. */
export const CI_ROLE_PURPOSES = {
  terraformCloudRun: "TFC-Run",
  terraformCloudPlan: "TFC-Plan",
  terraformCloudApply: "TFC-Apply",
  githubPlan: "GHA-Plan",
  githubDeploy: "GHA-Deploy",
} as const;

/** The tags the stack's providers give everything they create. */
const CI_ACCESS_TAGS = { Project: "inventory-ha", ManagedBy: "cdktf", Purpose: "ci-access" };

/** The cdktf stack of the CI roles: `cdktf deploy inventory-ci-access`. */
export const CI_ACCESS_STACK = "inventory-ci-access";

/** A Terraform Cloud workspace that deploys an environment. */
export interface TerraformCloudAccess {
  /** Terraform Cloud or Enterprise host: the token's issuer. */
  readonly host: string;
  readonly organization: string;
  readonly project: string;
  readonly workspace: string;
  readonly audience: string;
  /** A plan-phase role (read only) and an apply-phase role instead of one run role. */
  readonly separatePlanAndApplyRoles: boolean;
  /** The account's provider for the host, when it exists already. @default created by the stack */
  readonly existingProviderArn?: string;
}

/** A GitHub repository that plans an environment in pull requests and deploys it from a branch. */
export interface GithubActionsAccess {
  readonly repository: string;
  readonly deployBranch: string;
  /** GitHub environment of the deploy job; its token's sub names it instead of the branch. @default none */
  readonly deployEnvironment?: string;
  readonly audience: string;
  /** @default created by the stack */
  readonly existingProviderArn?: string;
}

/** One environment's CI access. */
export interface EnvironmentAccess {
  readonly environment: string;
  /** What the environment's roles may touch. */
  readonly scope: EnvironmentScope;
  /** Name of each CI role, from its purpose (`TFC-Run`, `GHA-Deploy`, ...). */
  readonly roleName: (purpose: string) => string;
  readonly region: string;
  /**
   * The alias (after `alias/`) of the alarm topic's KMS key, which this stack
   * creates for the environment: no CI role may create or manage a key (KMS
   * checks a new key's tags over every key of the account). @default none: the
   * environment names its own key (monitoring.notifications.kmsKeyArn)
   */
  readonly alarmTopicKeyAlias?: string;
  /** The alias (after `alias/`) of the key of the environment's log groups (`scope.logGroups`), which this stack creates for the same reason. */
  readonly logKeyAlias: string;
  readonly terraformCloud?: TerraformCloudAccess;
  readonly githubActions?: GithubActionsAccess;
}

export interface CiAccessStackProps {
  /** The one account the roles are created in; the provider refuses credentials of any other. */
  readonly accountId: string;
  /** Region of the provider (IAM is global). */
  readonly region: string;
  readonly environments: readonly EnvironmentAccess[];
}

/**
 * Short-lived credentials for CI, no stored keys: the IAM OIDC identity
 * providers of Terraform Cloud (its host) and GitHub Actions, and per
 * environment the roles their runs assume. Each role trusts tokens of one
 * workspace (Terraform Cloud) or one repository's pull requests or deploy
 * branch (GitHub Actions), and may act only on that environment's resources
 * (src/ci-access/environment-permissions.ts). The outputs are the variables
 * to set in the workspace or repository.
 */
export class CiAccessStack extends ProjectStack {
  /** Role ARNs by environment and purpose (`default` -> `GHA-Deploy` -> arn). */
  readonly roleArns: Record<string, Record<string, string>> = {};

  constructor(scope: Construct, id: string, props: CiAccessStackProps) {
    super(scope, id);
    addLocalStateBackend(this);
    new AwsProvider(this, "aws", {
      region: props.region,
      allowedAccountIds: [props.accountId],
      defaultTags: [{ tags: CI_ACCESS_TAGS }],
    });

    const providers = new Map<string, string>();
    const providerArn = (host: string, audiences: string[], existing: string | undefined): string => {
      const known = providers.get(host);
      if (known) return known;
      const arn =
        existing ??
        new IamOpenidConnectProvider(this, `oidc-${host.replace(/[^A-Za-z0-9]/g, "-")}`, {
          url: `https://${host}`,
          // IAM takes the thumbprint from the host's certificate chain itself when none is given, and for
          // GitHub and Terraform Cloud trusts its own library of root CAs rather than a pinned thumbprint.
          clientIdList: audiences,
          tags: { Name: host },
        }).arn;
      providers.set(host, arn);
      return arn;
    };
    const audiencesOf = (host: string) => [
      ...new Set(
        props.environments.flatMap((environment) => [
          ...(environment.terraformCloud?.host === host ? [environment.terraformCloud.audience] : []),
          ...(host === GITHUB_ACTIONS_HOST && environment.githubActions ? [environment.githubActions.audience] : []),
        ]),
      ),
    ];

    // A provider per other region of an environment, for its keys (KMS keys are regional).
    const regionalProviders = new Map<string, AwsProvider>();
    const providerFor = (region: string) => {
      if (region === props.region) return undefined;
      const known = regionalProviders.get(region);
      if (known) return known;
      const provider = new AwsProvider(this, `aws-${region}`, {
        alias: region,
        region,
        allowedAccountIds: [props.accountId],
        defaultTags: [{ tags: CI_ACCESS_TAGS }],
      });
      regionalProviders.set(region, provider);
      return provider;
    };

    for (const environment of props.environments) {
      const arns: Record<string, string> = {};
      const outputId = environment.environment.replace(/-/g, "_");
      const id = (name: string) => `${environment.environment}-${name}`;
      // The fence of the environment's roles: each role its stack creates carries it (InventoryStack's aspect).
      new IamPolicy(this, id("workload-boundary"), {
        name: environment.scope.workloads.boundaryPolicy,
        description: `Permissions boundary of every role of environment ${environment.environment}: the most its workloads may do`,
        policy: policyDocument(workloadBoundary(environment.scope)),
        tags: { Name: environment.scope.workloads.boundaryPolicy, Environment: environment.environment },
      });
      // The environment's keys: yearly rotation, an alias the environment's stack names it by, a policy of its own.
      const key = (name: string, alias: string, what: string, policy: string) => {
        const provider = providerFor(environment.region);
        const created = new KmsKey(this, id(name), {
          provider,
          description: `Encrypts the ${what} of environment ${environment.environment}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          tags: { Name: `alias/${alias}`, Environment: environment.environment },
        });
        new KmsAlias(this, id(`${name}-alias`), { provider, name: `alias/${alias}`, targetKeyId: created.keyId });
        new KmsKeyPolicy(this, id(`${name}-policy`), { provider, keyId: created.keyId, policy });
      };
      if (environment.alarmTopicKeyAlias)
        key(
          "alarm-topic-key",
          environment.alarmTopicKeyAlias,
          "alarm notifications",
          alarmTopicKeyPolicy(environment.scope.partition, environment.region, props.accountId),
        );
      key(
        "log-key",
        environment.logKeyAlias,
        "log groups",
        logKeyPolicy(environment.scope.partition, environment.region, props.accountId, environment.scope.logGroups),
      );
      const tfc = environment.terraformCloud;
      if (tfc) {
        const trust = (runPhase?: "plan" | "apply") =>
          webIdentityTrust({
            providerArn: providerArn(tfc.host, audiencesOf(tfc.host), tfc.existingProviderArn),
            host: tfc.host,
            audience: tfc.audience,
            subjects: [terraformCloudSubject({ organization: tfc.organization, project: tfc.project, workspace: tfc.workspace, runPhase })],
          });
        const role = (purpose: string, description: string, trustPolicy: string, permissions: ReturnType<typeof planPermissions>) =>
          (arns[purpose] = new CiRole(this, `${environment.environment}-${purpose.toLowerCase()}`, {
            name: environment.roleName(purpose),
            description,
            trustPolicy,
            permissions,
          }).roleArn);
        const variables: Record<string, string> = { TFC_AWS_PROVIDER_AUTH: "true" };
        const workspace = `${tfc.organization}/${tfc.workspace}`;
        if (tfc.separatePlanAndApplyRoles) {
          variables.TFC_AWS_PLAN_ROLE_ARN = role(
            CI_ROLE_PURPOSES.terraformCloudPlan,
            `Plan phase of Terraform Cloud workspace ${workspace}`,
            trust("plan"),
            planPermissions(environment.scope),
          );
          variables.TFC_AWS_APPLY_ROLE_ARN = role(
            CI_ROLE_PURPOSES.terraformCloudApply,
            `Apply phase of Terraform Cloud workspace ${workspace}`,
            trust("apply"),
            deployPermissions(environment.scope),
          );
        } else {
          variables.TFC_AWS_RUN_ROLE_ARN = role(
            CI_ROLE_PURPOSES.terraformCloudRun,
            `Runs of Terraform Cloud workspace ${workspace}`,
            trust(),
            deployPermissions(environment.scope),
          );
        }
        if (tfc.audience !== TERRAFORM_CLOUD_AUDIENCE) variables.TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE = tfc.audience;
        new TerraformOutput(this, `terraform_cloud_${outputId}`, {
          value: { hostname: tfc.host, organization: tfc.organization, project: tfc.project, workspace: tfc.workspace, environment_variables: variables },
          description: `Environment variables to set in Terraform Cloud workspace ${workspace} (category "env") for environment ${environment.environment}`,
        });
      }
      const github = environment.githubActions;
      if (github) {
        const trust = (subject: string) =>
          webIdentityTrust({
            providerArn: providerArn(GITHUB_ACTIONS_HOST, audiencesOf(GITHUB_ACTIONS_HOST), github.existingProviderArn),
            host: GITHUB_ACTIONS_HOST,
            audience: github.audience,
            subjects: [subject],
          });
        const deploySubject = github.deployEnvironment
          ? githubActionsSubject(github.repository, { environment: github.deployEnvironment })
          : githubActionsSubject(github.repository, { branch: github.deployBranch });
        const plan = new CiRole(this, `${environment.environment}-gha-plan`, {
          name: environment.roleName(CI_ROLE_PURPOSES.githubPlan),
          description: `Pull request plans of ${github.repository} for environment ${environment.environment}`,
          trustPolicy: trust(githubActionsSubject(github.repository, { pullRequest: true })),
          permissions: planPermissions(environment.scope),
        });
        const deploy = new CiRole(this, `${environment.environment}-gha-deploy`, {
          name: environment.roleName(CI_ROLE_PURPOSES.githubDeploy),
          description: `Deploys of environment ${environment.environment} from ${github.repository} ${
            github.deployEnvironment ? `environment ${github.deployEnvironment}` : `branch ${github.deployBranch}`
          }`,
          trustPolicy: trust(deploySubject),
          permissions: deployPermissions(environment.scope),
        });
        arns[CI_ROLE_PURPOSES.githubPlan] = plan.roleArn;
        arns[CI_ROLE_PURPOSES.githubDeploy] = deploy.roleArn;
        new TerraformOutput(this, `github_actions_${outputId}`, {
          value: {
            repository: github.repository,
            repository_variables: {
              INVENTORY_ENV: environment.environment,
              AWS_REGION: environment.region,
              AWS_PLAN_ROLE_ARN: plan.roleArn,
              AWS_DEPLOY_ROLE_ARN: deploy.roleArn,
            },
          },
          description:
            `Variables to set in GitHub repository ${github.repository} ` +
            `(Settings > Secrets and variables > Actions > Variables) for environment ${environment.environment}`,
        });
      }
      this.roleArns[environment.environment] = arns;
    }
  }
}

/** What an environment's stack takes from this stack: the boundary its roles carry, the keys its alarm topic and log groups use. */
export interface CiAccessOfEnvironment {
  readonly permissionsBoundaryArn: string;
  /** The alias ARN of the alarm topic's key this stack creates. @default none: the environment names its own key */
  readonly alarmTopicKeyArn?: string;
  /** The alias ARN of the log groups' key this stack creates. */
  readonly logKeyArn: string;
}

/** What an environment with CI access takes from this stack; undefined without CI access. */
export function ciAccessOf(settings: EnvironmentSettings): CiAccessOfEnvironment | undefined {
  if (!hasCiAccess(settings.ci) || !settings.ci.accountId) return undefined;
  const names = resourceNames(settings.namePrefix, settings.names);
  const partition = awsPartition(settings.region);
  return {
    permissionsBoundaryArn: `arn:${partition}:iam::${settings.ci.accountId}:policy/${names.workloadBoundary}`,
    alarmTopicKeyArn: settings.monitoring.notifications.kmsKeyArn
      ? undefined
      : `arn:${partition}:kms:${settings.region}:${settings.ci.accountId}:alias/${names.monitoring.keyAlias}`,
    logKeyArn: `arn:${partition}:kms:${settings.region}:${settings.ci.accountId}:alias/${names.logs.keyAlias}`,
  };
}

/**
 * The stack's props from every environment's settings: undefined when no
 * environment asks for CI access. All environments with CI access must name
 * the same account (one stack, one provider), and at most one existing
 * provider per host.
 */
export function ciAccessProps(environments: readonly EnvironmentSettings[]): CiAccessStackProps | undefined {
  const withAccess = environments.filter((settings) => hasCiAccess(settings.ci));
  if (withAccess.length === 0) return undefined;
  const [first] = withAccess;
  const other = withAccess.find((settings) => settings.ci.accountId !== first.ci.accountId);
  if (other) {
    throw new SettingsError(
      `${other.environment}.json: ci.accountId: ${other.ci.accountId} differs from ${first.environment}.json's ${first.ci.accountId}; ` +
        `the ${CI_ACCESS_STACK} stack creates the roles of one account`,
    );
  }
  const existing = new Map<string, { arn: string; environment: string }>();
  const checkExisting = (settings: EnvironmentSettings, host: string, arn: string | undefined, setting: string) => {
    if (!arn) return;
    const known = existing.get(host);
    if (known && known.arn !== arn) {
      throw new SettingsError(`${settings.environment}.json: ${setting}: ${arn} differs from ${known.environment}.json's ${known.arn} for ${host}`);
    }
    existing.set(host, { arn, environment: settings.environment });
  };
  const accountId = first.ci.accountId!;
  return {
    accountId,
    region: first.region,
    environments: withAccess.map((settings): EnvironmentAccess => {
      const tfc = settings.ci.terraformCloud;
      const github = settings.ci.githubActions;
      if (tfc) checkExisting(settings, settings.state.hostname, tfc.oidcProviderArn, "ci.terraformCloud.oidcProviderArn");
      if (github) checkExisting(settings, GITHUB_ACTIONS_HOST, github.oidcProviderArn, "ci.githubActions.oidcProviderArn");
      const names = resourceNames(settings.namePrefix, settings.names);
      return {
        environment: settings.environment,
        region: settings.region,
        roleName: (purpose: string) => names.ciRole(purpose),
        alarmTopicKeyAlias: settings.monitoring.notifications.kmsKeyArn ? undefined : names.monitoring.keyAlias,
        logKeyAlias: names.logs.keyAlias,
        scope: environmentScope(settings, accountId),
        terraformCloud: tfc && {
          host: settings.state.hostname,
          organization: settings.state.organization!,
          project: tfc.project,
          workspace: tfc.workspace ?? settings.state.workspace ?? `inventory-ha-${settings.environment}`,
          audience: tfc.audience,
          separatePlanAndApplyRoles: tfc.separatePlanAndApplyRoles,
          existingProviderArn: tfc.oidcProviderArn,
        },
        githubActions: github && {
          repository: github.repository,
          deployBranch: github.deployBranch,
          deployEnvironment: github.deployEnvironment,
          audience: github.audience,
          existingProviderArn: github.oidcProviderArn,
        },
      };
    }),
  };
}

/** What an environment's stack creates, as the names and tags its CI roles are scoped to. */
function environmentScope(settings: EnvironmentSettings, accountId: string): EnvironmentScope {
  const names = resourceNames(settings.namePrefix, settings.names);
  const logs = settings.loadBalancer.accessLogs;
  const functions = [names.databaseAppUser.rotationFunction, names.appTier.releaseFunction];
  return {
    partition: awsPartition(settings.region),
    accountId,
    region: settings.region,
    environmentTag: settings.environment,
    projectTag: "inventory-ha",
    // Every role the stack can create, whatever the settings turn on now, so turning one on needs no new access.
    roles: [
      { name: names.appTier.instanceRole, passedTo: "ec2.amazonaws.com" },
      { name: names.network.flowLogRole, passedTo: "vpc-flow-logs.amazonaws.com" },
      { name: names.database.monitoringRole, passedTo: "monitoring.rds.amazonaws.com" },
      { name: names.databaseAppUser.rotationFunction, passedTo: "lambda.amazonaws.com" },
      { name: names.appTier.releaseFunction, passedTo: "lambda.amazonaws.com" },
    ],
    instanceProfile: names.appTier.instanceRole,
    workloads: {
      boundaryPolicy: names.workloadBoundary,
      appServerRole: names.appTier.instanceRole,
      rotationFunction: names.databaseAppUser.rotationFunction,
      releaseFunction: names.appTier.releaseFunction,
      appSecret: names.databaseAppUser.secret,
      flowLogGroup: names.network.flowLogGroup,
      imageParameterArn: imageParameterArn(settings.appTier.imageId, settings.region, accountId),
    },
    // Every CI role the environment can have, whichever its settings create now.
    ciRoles: Object.values(CI_ROLE_PURPOSES).map((purpose) => names.ciRole(purpose)),
    // Lambda's log group of each function: the stack creates it, with its retention and key, before the function.
    logGroups: names.logs.groups,
    functions,
    invokedFunctions: [names.appTier.releaseFunction],
    secrets: [names.databaseAppUser.secret],
    webAcl: { name: names.webAcl, logDeliveryPolicy: `${webAclLogGroup(names.webAcl)}-delivery` },
    loadBalancer: names.loadBalancer.name,
    targetGroup: names.loadBalancer.targetGroupName,
    autoScalingGroup: names.appTier.autoScalingGroup,
    databaseIdentifier: names.database.identifier,
    databaseSubnetGroup: databaseSubnetGroupName(names.database.identifier),
    databaseParameterGroup: databaseParameterGroupName(names.database.identifier, settings.database.engineVersion),
    logBucket: logs.enabled ? (logs.bucketName ? { name: logs.bucketName } : { prefix: names.accessLogBucket.bucketPrefix }) : undefined,
    logBucketForceDestroy: logs.forceDestroy,
    appArtifactBucketPrefix: names.appArtifact.bucketPrefix,
    domain: settings.loadBalancer.domain ? { hostedZoneId: settings.loadBalancer.domain.hostedZoneId } : undefined,
    monitoring: {
      topic: names.monitoring.topic,
      // The alarms are named after what they watch; a NAT gateway per zone, whatever natStrategy is now.
      alarmSubjects: [
        names.loadBalancer.name,
        names.loadBalancer.targetGroupName,
        names.appTier.autoScalingGroup,
        names.database.nameTag,
        ...settings.availabilityZones.map((_, index) => names.network.natGateway(index)),
      ],
      dashboard: names.monitoring.dashboard,
    },
    state:
      settings.state.backend === "s3"
        ? {
            bucket: settings.state.bucket!,
            key: stateKey(settings.state.keyPrefix, settings.environment),
            lockTable: settings.state.lockTable,
            region: settings.state.region,
          }
        : undefined,
  };
}

/**
 * The roles that plan and deploy an environment from its S3 state, for the
 * state key's policy: GitHub Actions' (Terraform Cloud keeps its own state).
 */
export function stateRoleNames(props: CiAccessStackProps | undefined): { plan: string[]; deploy: string[] } {
  const fromS3 = (props?.environments ?? []).filter((environment) => environment.githubActions && environment.scope.state);
  return {
    plan: fromS3.map((environment) => environment.roleName(CI_ROLE_PURPOSES.githubPlan)),
    deploy: fromS3.map((environment) => environment.roleName(CI_ROLE_PURPOSES.githubDeploy)),
  };
}
