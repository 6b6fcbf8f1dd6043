import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Fn, Testing, TerraformStack, Token } from "cdktf";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { DatabaseAppUser, databaseAppUserNames, databaseAppUserProblems, type DatabaseAppUserProps } from "../../src/constructs/data/database-app-user";
import { inProjectElsewhere, sdkRequires } from "../support/project-elsewhere";
import { expectRefused, onlyResource, PROJECT_ROOT, resourcesOf } from "../support/stacks";

const ACCOUNT = "111122223333";
const MASTER_SECRET = "arn:aws:secretsmanager:us-west-2:111122223333:secret:rds!db-0f1e2d3c-AbCdEf";

/** The app user of a database in two private subnets, from the construct's defaults. */
function synthAppUser(overrides: Partial<DatabaseAppUserProps> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "stack");
  new DatabaseAppUser(stack, "app-user", {
    vpcId: "vpc-0123",
    subnetIds: ["subnet-private1", "subnet-private2"],
    databaseSecurityGroupId: "sg-db",
    database: {
      address: "inventory-db.abc.us-west-2.rds.amazonaws.com",
      port: "3306",
      name: "inventory",
      masterUserSecretArn: MASTER_SECRET,
      instance: { fqn: "aws_db_instance.database" },
    },
    region: "us-west-2",
    accountId: ACCOUNT,
    codeRoot: PROJECT_ROOT,
    ...overrides,
  });
  const json = Testing.synth(stack);
  return { json, document: JSON.parse(json), stack };
}

const statementsOf = (policy: string) => JSON.parse(policy).Statement as any[];

describe("DatabaseAppUser", () => {
  const { json, document } = synthAppUser();
  const [secretName] = onlyResource(document, "aws_secretsmanager_secret");
  const secretArn = `\${aws_secretsmanager_secret.${secretName}.arn}`;
  const [, fn] = onlyResource(document, "aws_lambda_function");
  const [, policy] = onlyResource(document, "aws_iam_role_policy");
  const [, role] = onlyResource(document, "aws_iam_role");

  it("creates the app's secret with no value in the configuration: the first rotation makes it, at once, then every 30 days", () => {
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecret, { name: "inventory-db-app-user", recovery_window_in_days: 7 });
    expect(resourcesOf(document, "aws_secretsmanager_secret_version")).toStrictEqual([]);
    expect(json).not.toMatch(/password"\s*:/);
    expect(json).toHaveResourceWithProperties(SecretsmanagerSecretRotation, {
      secret_id: `\${aws_secretsmanager_secret.${secretName}.id}`,
      rotation_lambda_arn: expect.stringMatching(/^\$\{aws_lambda_function\.[^.]+\.arn\}$/),
      rotation_rules: { automatically_after_days: 30 },
      rotate_immediately: true,
    });
  });

  it("keeps the secret recoverable for secretRecoveryDays, and deletes it at once only in a lab that says so", () => {
    const recoveryWindow = (overrides: Partial<DatabaseAppUserProps>) =>
      (onlyResource(synthAppUser(overrides).document, "aws_secretsmanager_secret")[1] as { recovery_window_in_days: number }).recovery_window_in_days;
    expect(recoveryWindow({ secretRecoveryDays: 30 })).toBe(30);
    expect(recoveryWindow({ secretRecoveryDays: 0, allowImmediateSecretDeletion: true })).toBe(0);
  });

  it("runs the bundled rotation function in the private subnets, in a group of its own, told where the database and the master secret are", () => {
    expect(json).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "inventory-db-app-user-rotation",
      runtime: "nodejs22.x",
      handler: "index.handler",
      vpc_config: { subnet_ids: ["subnet-private1", "subnet-private2"], security_group_ids: [expect.stringMatching(/aws_security_group\./)] },
      environment: {
        variables: {
          DB_HOST: "inventory-db.abc.us-west-2.rds.amazonaws.com",
          DB_PORT: "3306",
          DB_NAME: "inventory",
          DB_APP_USERNAME: "inventory_app",
          DB_MASTER_SECRET_ARN: MASTER_SECRET,
        },
      },
    });
    expect(fn.filename).toMatch(/^assets\/.+\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(fn.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\./), expect.stringMatching(/^aws_cloudwatch_log_group\./)]),
    );
  });

  it("lets the function into the database's group on its port, and out to the database and HTTPS only", () => {
    expect(json).toHaveResourceWithProperties(SecurityGroup, { name: "inventory-db-app-user-rotation", vpc_id: "vpc-0123" });
    const rules = [...resourcesOf(document, "aws_vpc_security_group_ingress_rule"), ...resourcesOf(document, "aws_vpc_security_group_egress_rule")].map(
      ([, rule]) => [rule.security_group_id, rule.from_port, rule.referenced_security_group_id ?? rule.cidr_ipv4],
    );
    const own = expect.stringMatching(/^\$\{aws_security_group\./);
    expect(rules).toEqual([
      ["sg-db", 3306, own],
      [own, 3306, "sg-db"],
      [own, 443, "0.0.0.0/0"],
    ]);
  });

  it("lets Lambda assume the role for this account only, and Secrets Manager invoke the function for this secret of this account only", () => {
    expect(statementsOf(role.assume_role_policy)).toEqual([
      expect.objectContaining({ Principal: { Service: "lambda.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } }),
    ]);
    expect(json).toHaveResourceWithProperties(LambdaPermission, {
      principal: "secretsmanager.amazonaws.com",
      action: "lambda:InvokeFunction",
      source_arn: secretArn,
      source_account: ACCOUNT,
    });
  });

  it("gives the function its secret, the master secret to read, its network interfaces and its log, each scoped as far as IAM allows", () => {
    const ec2 = `arn:aws:ec2:us-west-2:${ACCOUNT}`;
    expect(statementsOf(policy.policy).map((statement) => [statement.Sid, statement.Action, statement.Resource])).toEqual([
      [
        "RotateTheAppSecret",
        ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
        secretArn,
      ],
      ["ReadTheMasterSecret", "secretsmanager:GetSecretValue", MASTER_SECRET],
      ["GeneratePasswords", "secretsmanager:GetRandomPassword", "*"],
      ["WriteItsLog", ["logs:CreateLogStream", "logs:PutLogEvents"], expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:\*$/)],
      [
        "CreateItsNetworkInterfaces",
        "ec2:CreateNetworkInterface",
        [
          `${ec2}:network-interface/*`,
          `${ec2}:subnet/subnet-private1`,
          `${ec2}:subnet/subnet-private2`,
          expect.stringMatching(/^arn:aws:ec2:.*:security-group\/\$\{/),
        ],
      ],
      [
        "ManageItsNetworkInterfaces",
        ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        `${ec2}:network-interface/*`,
      ],
      ["DescribeNetworkInterfaces", ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], "*"],
    ]);
  });

  it("rotates only once the database, its rule for the function, the invoke permission and the way out exist", () => {
    const [, rotation] = onlyResource(document, "aws_secretsmanager_secret_rotation");
    expect(rotation.depends_on).toEqual([
      expect.stringMatching(/^aws_lambda_permission\./),
      "aws_db_instance.database",
      expect.stringMatching(/^aws_vpc_security_group_ingress_rule\./),
    ]);
  });

  it("describes and tags each resource by its name: the secret, the function, its role, policy, group, log group and permission", () => {
    expect(onlyResource(document, "aws_secretsmanager_secret")[1]).toEqual({
      name: "inventory-db-app-user",
      description: "Credentials of the app's MySQL user (inventory_app or inventory_app_clone); made and rotated by inventory-db-app-user-rotation",
      recovery_window_in_days: 7,
      tags: { Name: "inventory-db-app-user" },
    });
    expect(fn).toMatchObject({
      description: "Rotates inventory-db-app-user: creates or updates the app's MySQL user with a new password and the app's privileges",
      architectures: ["arm64"],
      memory_size: 256,
      timeout: 30,
      tags: { Name: "inventory-db-app-user-rotation" },
    });
    expect(role).toMatchObject({
      name: "inventory-db-app-user-rotation",
      description: "The database app user's rotation function: its secret, the master secret, its network interfaces and log",
    });
    expect(policy.name).toBe("rotate-app-user");
    expect(onlyResource(document, "aws_security_group")[1]).toEqual({
      name: "inventory-db-app-user-rotation",
      description: "Database app user rotation: MySQL to the database, HTTPS to Secrets Manager",
      vpc_id: "vpc-0123",
      tags: { Name: "inventory-db-app-user-rotation" },
    });
    expect(resourcesOf(document, "aws_cloudwatch_log_group")).toEqual([
      ["app-user_log-group_C28E7603", { name: "/aws/lambda/inventory-db-app-user-rotation", retention_in_days: 365 }],
    ]);
    expect(onlyResource(document, "aws_lambda_permission")[1].statement_id).toBe("SecretsManagerRotatesTheAppSecret");
  });

  it("writes each rule whole: TCP, described, and made before the one it replaces is destroyed", () => {
    const own = "${aws_security_group.app-user_security-group_4AD5A418.id}";
    const lifecycle = { create_before_destroy: true };
    expect(resourcesOf(document, "aws_vpc_security_group_ingress_rule")).toEqual([
      [
        "app-user_database-from-rotation_157124B4",
        {
          description: "MySQL from the app user's rotation function",
          security_group_id: "sg-db",
          referenced_security_group_id: own,
          ip_protocol: "tcp",
          from_port: 3306,
          to_port: 3306,
          lifecycle,
        },
      ],
    ]);
    expect(resourcesOf(document, "aws_vpc_security_group_egress_rule")).toEqual([
      [
        "app-user_to-database_DF45B502",
        {
          description: "MySQL to the database",
          security_group_id: own,
          referenced_security_group_id: "sg-db",
          ip_protocol: "tcp",
          from_port: 3306,
          to_port: 3306,
          lifecycle,
        },
      ],
      [
        "app-user_to-https_92A18809",
        {
          description: "HTTPS to Secrets Manager",
          security_group_id: own,
          cidr_ipv4: "0.0.0.0/0",
          ip_protocol: "tcp",
          from_port: 443,
          to_port: 443,
          lifecycle,
        },
      ],
    ]);
  });

  it("names the app in its descriptions when given one, and waits for the given way out before the first rotation", () => {
    const named = synthAppUser({ appName: "Inventory", egress: [{ fqn: "aws_nat_gateway.a" }, { fqn: "aws_route.b" }] }).document;
    expect(onlyResource(named, "aws_secretsmanager_secret")[1].description).toBe(
      "Credentials of the Inventory app's MySQL user (inventory_app or inventory_app_clone); made and rotated by inventory-db-app-user-rotation",
    );
    expect(onlyResource(named, "aws_security_group")[1].description).toBe(
      "Inventory database app user rotation: MySQL to the database, HTTPS to Secrets Manager",
    );
    expect(onlyResource(named, "aws_iam_role")[1].description).toBe(
      "The Inventory database app user's rotation function: its secret, the master secret, its network interfaces and log",
    );
    expect(onlyResource(named, "aws_secretsmanager_secret_rotation")[1].depends_on.slice(3)).toEqual(["aws_nat_gateway.a", "aws_route.b"]);
  });

  it("ships its handler with MySQL's client bundled and the AWS SDK left to the runtime, kept in the project's cache as app-user-rotation.zip", () => {
    inProjectElsewhere((elsewhere) => {
      const [, rotation] = onlyResource(synthAppUser({ codeRoot: elsewhere }).document, "aws_lambda_function");
      const cache = path.join(elsewhere, ".cache", "functions");
      expect(fs.readdirSync(cache).sort()).toStrictEqual(["app-user-rotation.inputs.json", "app-user-rotation.zip"]);
      const zip = fs.readFileSync(path.join(cache, "app-user-rotation.zip"));
      expect(crypto.createHash("sha256").update(zip).digest("base64")).toBe(rotation.source_code_hash);
      expect(sdkRequires(zip)).toStrictEqual(['require("@aws-sdk/client-secrets-manager")']);
      expect(zip.toString("latin1")).not.toMatch(/require\("mysql2[/"]/);
    });
  });

  it("gives the function the same code hash on every synthesis of the same sources", () => {
    expect(onlyResource(synthAppUser().document, "aws_lambda_function")[1].source_code_hash).toBe(fn.source_code_hash);
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<DatabaseAppUserProps>, string]>([
      ["a user name MySQL would refuse with _clone", { username: "an_application_user_name_x" + "yz" }, 'username: "an_application_user_name_xyz" must start'],
      ["a rotation AWS refuses", { rotationDays: 0 }, "rotationDays: 0 is not a whole number from 1 to 1000"],
      [
        "no recovery window outside a lab",
        { secretRecoveryDays: 0 },
        "secretRecoveryDays: 0 deletes the secret with no recovery window; use 7 to 30, or set allowImmediateSecretDeletion (a lab setting)",
      ],
      ["a recovery window shorter than 7 days", { secretRecoveryDays: 6 }, "secretRecoveryDays: 6 is not a whole number from 7 to 30"],
      ["a recovery window longer than AWS keeps one", { secretRecoveryDays: 31 }, "secretRecoveryDays: 31 is not a whole number from 7 to 30"],
      ["a retention CloudWatch refuses", { logRetentionDays: 2 }, "logRetentionDays: 2 is not one of"],
      ["no subnet", { subnetIds: [] }, "subnetIds: needs at least one subnet"],
      [
        "a function name Lambda refuses",
        { names: { rotationFunction: "rotate app user" } },
        'names.rotationFunction: the function name "rotate app user" must use',
      ],
      [
        "a secret name Secrets Manager refuses",
        { names: { secret: "inventory db app user" } },
        'names.secret: the secret name "inventory db app user" must use letters, digits and /_+=.@-',
      ],
      ["a port no database listens on", { databasePort: 0 }, "databasePort: 0 is not a whole number from 1 to 65535"],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthAppUser(overrides), "DatabaseAppUser stack/app-user", message);
    });

    it("takes a Terraform reference as the user name as it is: the function refuses a name it cannot manage when it runs", () => {
      const { document } = synthAppUser({ username: Token.asString(Fn.lower("Inventory_App")) });
      expect(onlyResource(document, "aws_lambda_function")[1].environment.variables.DB_APP_USERNAME).toBe('${lower("Inventory_App")}');
    });

    it("finds no problem in props it can build, and every problem of props it cannot, each once", () => {
      const props = {
        username: "inventory_app",
        rotationDays: 30,
        secretRecoveryDays: 7,
        allowImmediateSecretDeletion: false,
        logRetentionDays: 365,
        names: databaseAppUserNames("inventory-db"),
      };
      expect(databaseAppUserProblems(props)).toStrictEqual([]);
      expect(databaseAppUserProblems({ ...props, names: { secret: "a/b_c+d=e.f@g-h", rotationFunction: "a_b-c" } })).toStrictEqual([]);
      expect(databaseAppUserProblems({ ...props, username: "1app", names: { secret: "x:y", rotationFunction: "x.y" } })).toEqual([
        { prop: "username", message: '"1app" must start with a letter and use letters, digits and _ (at most 26, leaving room for _clone)' },
        { prop: "names.secret", message: 'the secret name "x:y" must use letters, digits and /_+=.@-' },
        { prop: "names.rotationFunction", message: 'the function name "x.y" must use letters, digits, - and _' },
      ]);
    });
  });
});
