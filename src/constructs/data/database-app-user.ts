import * as path from "node:path";
import { Construct } from "constructs";
import { AssetType, type ITerraformDependable, TerraformAsset, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { functionBundle } from "../../aws/function-bundle";
import { awsPartition, fromSource, type PolicyStatementProps, policyDocument, servicePrincipalTrust } from "../../aws/iam-policy";
import { choiceProblem, integerProblem, nameProblem, type PropProblem, refuseProblems, regionPropProblem } from "../../props/prop-problems";
import { appPhrase } from "../../props/app-phrase";
import { LOG_RETENTION_DAYS } from "../network/network";
import { encryptedWith, functionLogGroupName, type LogEncryption } from "../monitoring/log-key";

/** The rotation function's runtime: Node.js 22, which provides the AWS SDK for JavaScript v3 the function uses. */
export const ROTATION_RUNTIME = { name: "nodejs22.x", nodeMajor: 22 } as const;
/** Days between rotations Secrets Manager accepts, as [min, max]. */
export const ROTATION_DAYS = [1, 1000] as const;
/** Days Secrets Manager may keep a deleted secret recoverable, as [min, max]; 0 (deletion at once) is the only value below. */
export const SECRET_RECOVERY_DAYS = [7, 30] as const;
/** The app user's name leaves room for `_clone` within MySQL's 32 characters. */
export const APP_USERNAME = /^[A-Za-z][A-Za-z0-9_]{0,25}$/;

/** Names of the app user's resources. */
export interface DatabaseAppUserNames {
  /** The Secrets Manager secret the app reads. */
  readonly secret: string;
  /** The rotation function, its role and its security group. */
  readonly rotationFunction: string;
}

/** The lab's names, from the database's identifier. */
export function databaseAppUserNames(identifier: string): DatabaseAppUserNames {
  return { secret: `${identifier}-app-user`, rotationFunction: `${identifier}-app-user-rotation` };
}

export interface DatabaseAppUserProps {
  /** VPC of the database. */
  readonly vpcId: string;
  /** Private subnets the rotation function runs in; they reach Secrets Manager through NAT. */
  readonly subnetIds: readonly string[];
  /** What must exist before the first rotation can reach Secrets Manager from those subnets (`Network.privateEgressEstablished`). @default none */
  readonly egress?: readonly ITerraformDependable[];
  /** The database's security group: the function is let in on the database port. */
  readonly databaseSecurityGroupId: string;
  /** The port the database's group lets clients in on (`SecurityGroups`' `databasePort`), for the function's rules. @default 3306 */
  readonly databasePort?: number;
  /** The database: where the function connects, and the master secret it manages users with. */
  readonly database: {
    readonly address: string;
    readonly port: string;
    /** The app's schema. */
    readonly name: string;
    /** ARN of the RDS-managed secret of the master user. */
    readonly masterUserSecretArn: string;
    /** The database instance, which must be available before the first rotation (its address alone is known earlier). */
    readonly instance: ITerraformDependable;
  };
  /** Region (one of `AWS_REGIONS`). */
  readonly region: string;
  /**
   * The folder the function is bundled from: it holds `src/functions/app-user-rotation/` and the `node_modules/` with
   * esbuild, and the bundle is cached under its `.cache/functions/` (this project's root; the stack passes it).
   */
  readonly codeRoot: string;
  /** The account (a reference such as `Network.accountId`): Lambda and Secrets Manager act for it only. */
  readonly accountId: string;
  /** The app's MySQL user; the rotation alternates it with `<username>_clone`. @default "inventory_app" */
  readonly username?: string;
  /** Days between password rotations. @default 30 */
  readonly rotationDays?: number;
  /** Days a deleted secret stays recoverable (7 to 30), so a destroy by mistake does not lose the app's credentials at once. @default 7 */
  readonly secretRecoveryDays?: number;
  /**
   * Let `secretRecoveryDays` be 0: a lab environment destroyed and made again within a week, which a recovery window
   * would block (the secret's name stays taken until the window ends). @default false
   */
  readonly allowImmediateSecretDeletion?: boolean;
  /** Days CloudWatch Logs keeps the function's log (one of `LOG_RETENTION_DAYS`). @default 365 */
  readonly logRetentionDays?: number;
  /**
   * The KMS key that encrypts the function's log group, and what it must wait for.
   * @default none: CloudWatch Logs' own encryption
   */
  readonly logEncryption?: LogEncryption;
  /**
   * The app served, named in the resources' descriptions ("Credentials of the Inventory app's MySQL user ...").
   * @default none: "Credentials of the app's MySQL user ..."
   */
  readonly appName?: string;
  /** Names. @default `databaseAppUserNames("inventory-db")` */
  readonly names?: Partial<DatabaseAppUserNames>;
}

/** What each optional prop is when left out (the settings schema reads these). */
export const DATABASE_APP_USER_DEFAULTS = {
  username: "inventory_app",
  rotationDays: 30,
  secretRecoveryDays: 7,
  allowImmediateSecretDeletion: false,
  logRetentionDays: 365,
  databasePort: 3306,
} as const satisfies Partial<DatabaseAppUserProps>;

/** Problems with the props AWS or MySQL would refuse. */
export function databaseAppUserProblems(props: {
  readonly username: string;
  readonly rotationDays: number;
  readonly secretRecoveryDays: number;
  readonly allowImmediateSecretDeletion: boolean;
  readonly logRetentionDays: number;
  readonly names: DatabaseAppUserNames;
}): PropProblem[] {
  return [
    Token.isUnresolved(props.username) || APP_USERNAME.test(props.username)
      ? undefined
      : { prop: "username", message: `"${props.username}" must start with a letter and use letters, digits and _ (at most 26, leaving room for _clone)` },
    integerProblem("rotationDays", props.rotationDays, ...ROTATION_DAYS),
    props.secretRecoveryDays === 0 && !props.allowImmediateSecretDeletion
      ? {
          prop: "secretRecoveryDays",
          message:
            `0 deletes the secret with no recovery window; use ${SECRET_RECOVERY_DAYS[0]} to ${SECRET_RECOVERY_DAYS[1]}, ` +
            "or set allowImmediateSecretDeletion (a lab setting)",
        }
      : props.secretRecoveryDays === 0
        ? undefined
        : integerProblem("secretRecoveryDays", props.secretRecoveryDays, ...SECRET_RECOVERY_DAYS),
    choiceProblem("logRetentionDays", props.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
    nameProblem("names.secret", "secret name", props.names.secret, 512, /^[A-Za-z0-9/_+=.@-]+$/, "letters, digits and /_+=.@-"),
    // The function name is also its role's and its security group's.
    nameProblem("names.rotationFunction", "function name", props.names.rotationFunction, 64, /^[A-Za-z0-9_-]+$/, "letters, digits, - and _"),
  ].filter((problem) => problem !== undefined);
}

/** The bundled rotation function of this project (src/functions/app-user-rotation). */
function rotationFunctionCode(codeRoot: string) {
  return functionBundle({
    root: codeRoot,
    entry: path.join("src", "functions", "app-user-rotation", "handler.ts"),
    name: "app-user-rotation",
    nodeMajor: ROTATION_RUNTIME.nodeMajor,
    // The runtime provides the AWS SDK v3; MySQL's client (mysql2) and the RDS certificates are bundled.
    external: ["@aws-sdk/*"],
  });
}

/**
 * The app's own database user, its credentials never the master's: a Secrets
 * Manager secret the app servers read, and a rotation function that makes its
 * value. Secrets Manager generates the password (GetRandomPassword), so it is
 * in no configuration and no Terraform state; the function, the only reader of
 * the master secret, creates the user with exactly the app's privileges on its
 * schema (src/functions/app-user-rotation), at once and then every
 * `rotationDays`, alternating two users so that servers holding the previous
 * password keep working. The function runs in the private subnets, allowed
 * into the database's group on its port and out to HTTPS only.
 */
export class DatabaseAppUser extends Construct {
  /** ARN of the secret the app reads (`username`, `password`). */
  readonly secretArn: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleName: string;
  readonly securityGroupId: string;
  /** The first rotation: what the secret's first value waits for. */
  readonly rotation: ITerraformDependable;

  constructor(scope: Construct, id: string, props: DatabaseAppUserProps) {
    super(scope, id);
    const names: DatabaseAppUserNames = { ...databaseAppUserNames("inventory-db"), ...props.names };
    const username = props.username ?? DATABASE_APP_USER_DEFAULTS.username;
    const rotationDays = props.rotationDays ?? DATABASE_APP_USER_DEFAULTS.rotationDays;
    const secretRecoveryDays = props.secretRecoveryDays ?? DATABASE_APP_USER_DEFAULTS.secretRecoveryDays;
    const allowImmediateSecretDeletion = props.allowImmediateSecretDeletion ?? DATABASE_APP_USER_DEFAULTS.allowImmediateSecretDeletion;
    const logRetentionDays = props.logRetentionDays ?? DATABASE_APP_USER_DEFAULTS.logRetentionDays;
    refuseProblems(this, [
      Token.isUnresolved(props.subnetIds) || props.subnetIds.length > 0 ? undefined : { prop: "subnetIds", message: "needs at least one subnet" },
      regionPropProblem("region", props.region),
      ...databaseAppUserProblems({ username, rotationDays, secretRecoveryDays, allowImmediateSecretDeletion, logRetentionDays, names }),
      integerProblem("databasePort", props.databasePort ?? DATABASE_APP_USER_DEFAULTS.databasePort, 1, 65535),
    ]);

    const secret = new SecretsmanagerSecret(this, "secret", {
      name: names.secret,
      description:
        `Credentials of the ${appPhrase(props.appName, "app")}'s MySQL user ` +
        `(${username} or ${username}_clone); made and rotated by ${names.rotationFunction}`,
      // A destroy by mistake leaves the credentials recoverable for the window; the name stays taken meanwhile, so an
      // environment destroyed and made again within it needs the lab's allowImmediateSecretDeletion and 0.
      recoveryWindowInDays: secretRecoveryDays,
      tags: { Name: names.secret },
    });
    const account = props.accountId;
    const ec2 = (resource: string) => `arn:${awsPartition(props.region)}:ec2:${props.region}:${account}:${resource}`;

    const group = new SecurityGroup(this, "security-group", {
      name: names.rotationFunction,
      description: `${appPhrase(props.appName, "database app user rotation", true)}: MySQL to the database, HTTPS to Secrets Manager`,
      vpcId: props.vpcId,
      tags: { Name: names.rotationFunction },
    });
    // A number in the rules, as the database group's own rules have it: a reviewer and the policy checks read the port.
    const port = props.databasePort ?? DATABASE_APP_USER_DEFAULTS.databasePort;
    const createBeforeDestroy = { createBeforeDestroy: true };
    new VpcSecurityGroupEgressRule(this, "to-database", {
      lifecycle: createBeforeDestroy,
      securityGroupId: group.id,
      description: "MySQL to the database",
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: props.databaseSecurityGroupId,
    });
    // Secrets Manager's endpoint, reached through the NAT gateways.
    new VpcSecurityGroupEgressRule(this, "to-https", {
      lifecycle: createBeforeDestroy,
      securityGroupId: group.id,
      description: "HTTPS to Secrets Manager",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    const databaseRule = new VpcSecurityGroupIngressRule(this, "database-from-rotation", {
      lifecycle: createBeforeDestroy,
      securityGroupId: props.databaseSecurityGroupId,
      description: "MySQL from the app user's rotation function",
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: group.id,
    });

    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: functionLogGroupName(names.rotationFunction),
      retentionInDays: logRetentionDays,
      ...encryptedWith(props.logEncryption),
    });

    const role = new IamRole(this, "role", {
      name: names.rotationFunction,
      description: `The ${appPhrase(props.appName, "database app user")}'s rotation function: its secret, the master secret, its network interfaces and log`,
      // Lambda assumes it only for functions of this account (aws:SourceAccount).
      assumeRolePolicy: servicePrincipalTrust("lambda.amazonaws.com", fromSource(account)),
    });
    const statements: PolicyStatementProps[] = [
      {
        sid: "RotateTheAppSecret",
        actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
        resources: [secret.arn],
      },
      { sid: "ReadTheMasterSecret", actions: ["secretsmanager:GetSecretValue"], resources: [props.database.masterUserSecretArn] },
      // GetRandomPassword concerns no secret: the Service Authorization Reference gives it no resource type.
      { sid: "GeneratePasswords", actions: ["secretsmanager:GetRandomPassword"], resources: ["*"] },
      { sid: "WriteItsLog", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${logGroup.arn}:*`] },
      // Lambda makes the function's network interfaces in its subnets with its group, with this role.
      {
        sid: "CreateItsNetworkInterfaces",
        actions: ["ec2:CreateNetworkInterface"],
        resources: [ec2("network-interface/*"), ...props.subnetIds.map((subnet) => ec2(`subnet/${subnet}`)), ec2(`security-group/${group.id}`)],
      },
      {
        sid: "ManageItsNetworkInterfaces",
        actions: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        resources: [ec2("network-interface/*")],
      },
      // Describe calls of EC2 have no resource type: their resource can only be `*`.
      { sid: "DescribeNetworkInterfaces", actions: ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], resources: ["*"] },
    ];
    const policy = new IamRolePolicy(this, "policy", { name: "rotate-app-user", role: role.id, policy: policyDocument(statements) });

    const code = rotationFunctionCode(props.codeRoot);
    const asset = new TerraformAsset(this, "code", { path: code.zipFile, type: AssetType.FILE });
    const rotationFunction = new LambdaFunction(this, "function", {
      functionName: names.rotationFunction,
      description: `Rotates ${names.secret}: creates or updates the app's MySQL user with a new password and the app's privileges`,
      role: role.arn,
      runtime: ROTATION_RUNTIME.name,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: code.sha256,
      timeout: 30,
      memorySize: 256,
      vpcConfig: { subnetIds: [...props.subnetIds], securityGroupIds: [group.id] },
      environment: {
        variables: {
          DB_HOST: props.database.address,
          DB_PORT: props.database.port,
          DB_NAME: props.database.name,
          DB_APP_USERNAME: username,
          DB_MASTER_SECRET_ARN: props.database.masterUserSecretArn,
        },
      },
      tags: { Name: names.rotationFunction },
      dependsOn: [
        // Lambda creates the function's network interfaces with the role at creation (InvalidParameterValueException:
        // The provided execution role does not have permissions to call CreateNetworkInterface on EC2).
        policy,
        // The log group with its retention, before Lambda would make one that keeps logs forever.
        logGroup,
      ],
    });
    const permission = new LambdaPermission(this, "secrets-manager-invokes", {
      statementId: "SecretsManagerRotatesTheAppSecret",
      action: "lambda:InvokeFunction",
      functionName: rotationFunction.functionName,
      principal: "secretsmanager.amazonaws.com",
      // Only for this secret of this account (aws:SourceArn, aws:SourceAccount).
      sourceArn: secret.arn,
      sourceAccount: account,
    });

    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: secret.id,
      rotationLambdaArn: rotationFunction.arn,
      rotationRules: { automaticallyAfterDays: rotationDays },
      // The first rotation runs at once: it gives the secret its first value and creates the user.
      rotateImmediately: true,
      dependsOn: [
        // Secrets Manager invokes the function (AccessDeniedException without the permission).
        permission,
        // The function connects to the database, which must accept it: available, and its group letting the function in.
        props.database.instance,
        databaseRule,
        // ... and calls Secrets Manager through the NAT gateways.
        ...(props.egress ?? []),
      ],
    });

    this.secretArn = secret.arn;
    this.functionName = rotationFunction.functionName;
    this.functionArn = rotationFunction.arn;
    this.roleName = role.name;
    this.securityGroupId = group.id;
  }
}
