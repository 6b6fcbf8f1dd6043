import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Database } from "../../src/constructs/data/database";
import { addStateBackend } from "../../src/terraform/state-backend";

export interface DatabaseInAVpcProps {
  /** Region of the VPC. @default "eu-central-1" */
  readonly region?: string;
}

/**
 * The Multi-AZ MySQL database alone, in a VPC that already exists: its id,
 * two private subnets and the network its clients connect from are Terraform
 * variables. The database's group lets MySQL in from that network only;
 * everything else is the construct's defaults (MySQL 8.4, encrypted, TLS only,
 * the master password kept by RDS in Secrets Manager).
 */
export class DatabaseInAVpcExample extends TerraformStack {
  constructor(scope: Construct, id: string, props: DatabaseInAVpcProps = {}) {
    super(scope, id);
    const region = props.region ?? "eu-central-1";
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Example: id } }] });
    // State in a file beside cdktf.json; addStateBackend takes S3 or Terraform Cloud settings as well.
    addStateBackend(this, { backend: "local", environment: id });

    const vpcId = new TerraformVariable(this, "vpc_id", { type: "string", description: "The VPC the database goes in" });
    const subnetIds = new TerraformVariable(this, "private_subnet_ids", {
      type: "list(string)",
      description: "Private subnets of the VPC, in two zones or more",
      validation: [{ condition: "${length(var.private_subnet_ids) >= 2}", errorMessage: "RDS needs subnets in two zones or more." }],
    });
    const clientCidr = new TerraformVariable(this, "client_cidr", { type: "string", description: "The network MySQL clients connect from" });

    const group = new SecurityGroup(this, "database-group", {
      name: "example-db",
      description: "Example database: MySQL from the client network only",
      vpcId: vpcId.stringValue,
      tags: { Name: "example-db" },
    });
    new VpcSecurityGroupIngressRule(this, "mysql-from-clients", {
      securityGroupId: group.id,
      description: "MySQL from the client network",
      ipProtocol: "tcp",
      fromPort: 3306,
      toPort: 3306,
      cidrIpv4: clientCidr.stringValue,
    });

    const database = new Database(this, "database", {
      subnetIds: subnetIds.listValue,
      securityGroupId: group.id,
      region,
      // The account, from the group's owner: the Enhanced Monitoring role trusts RDS for this database of this account only.
      accountId: group.ownerId,
      names: { identifier: "example-db", nameTag: "example-db", monitoringRole: "example-db-monitoring" },
      // An example is there to be destroyed again.
      deletionProtection: false,
      skipFinalSnapshot: true,
    });

    new TerraformOutput(this, "endpoint", { value: database.endpoint, description: "address:port of the database" });
    new TerraformOutput(this, "secret_arn", { value: database.masterUserSecretArn, description: "Secrets Manager secret of the master user" });
  }
}
