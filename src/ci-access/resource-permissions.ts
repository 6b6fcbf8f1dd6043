/**
 * The IAM actions Terraform's AWS provider (5.100) takes to manage each
 * resource type the inventory stacks synthesize, in the spirit of the `pike`
 * tool: what creating, reading (a refresh, so a plan), updating, tagging and
 * deleting one takes, for the attributes the project's constructs set. A
 * deploy role needs every action of the types its environment synthesizes, a
 * plan role every `read`; __tests__/ci-access/resource-permissions.test.ts
 * holds the CI roles' policies and this table to each other, both ways.
 *
 * Only the inventory stacks count. The CI access stack (its OIDC providers,
 * roles, customer managed policies and their attachments, the alarm topics'
 * keys) and the state bootstrap stack (the state bucket and lock table) are
 * applied by an administrator, never by a CI role, so their types have no
 * entry here unless an inventory stack synthesizes them too.
 */

/** What managing one resource type takes, each list as IAM actions (`ec2:CreateVpc`). */
export interface ResourcePermissions {
  /** Calls of a create, including the provider's waits and reads right after it and what AWS checks besides the call (tags on create, a role passed). */
  readonly create: readonly string[];
  /** Calls of a refresh: what a plan reads. */
  readonly read: readonly string[];
  /** Calls of an in-place change. @default none: every change replaces it */
  readonly update?: readonly string[];
  /** Calls that change its tags alone. @default none: no tags of its own */
  readonly tag?: readonly string[];
  /** Calls of a destroy. */
  readonly delete: readonly string[];
  /** Why an action is there, or why there are none, where it is not obvious. @default none */
  readonly note?: string;
  /** Why no CI role ever manages this type (an environment with CI access does not synthesize it). @default undefined: CI deploys it */
  readonly notDeployedByCi?: string;
}

/** The EC2 tag calls: tags on create are checked as ec2:CreateTags too (ec2:CreateAction names the create call). */
const EC2_TAGS = ["ec2:CreateTags", "ec2:DeleteTags"];
/** Elastic Load Balancing's tag calls, on create (tags in the request) and after. */
const ELB_TAGS = ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"];
const RDS_TAGS = ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"];

/**
 * A function in the VPC (the app user's rotation) and the database leave
 * their network interfaces (`AWS Lambda VPC ENI*`, `RDSNetworkInterface`) in
 * subnets and security groups after they are gone. A destroy of a group or a
 * subnet lists them, waits until Lambda has let go of its own, and deletes
 * them; a refused delete fails the destroy. An interface still attached the
 * provider would detach first, but these are requester-managed: EC2 refuses
 * to detach them for any caller, so no ec2:DetachNetworkInterface is listed.
 */
const LINGERING_INTERFACES = ["ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"];

/** A bucket's configuration resources: each read, written, and on destroy removed with its own Put action (S3 has no Delete* IAM action for them). */
function bucketPart(put: string, get: string): ResourcePermissions {
  return { create: [put, get], read: [get], update: [put], delete: [put] };
}

/** Why the CI roles deploy no part of the database's AWS Backup. */
const NOT_DEPLOYED_WITH_CI_ACCESS =
  "AWS Backup of the database: the settings turn it off with CI access and refuse it on, since the CI access stack creates " +
  "neither its vault keys (no CI role may create a key) nor the role AWS Backup assumes";

/** Actions the CI roles hold that no resource type owns, each with the reason. */
export const ACTIONS_OF_NO_RESOURCE_TYPE: readonly { readonly actions: readonly string[]; readonly reason: string }[] = [
  {
    actions: [
      "s3:ListBucket",
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "dynamodb:DescribeTable",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "kms:Encrypt",
    ],
    reason:
      "Terraform's S3 backend: the state object, its .tflock file, the lock table's items and the state key's use through S3, " + "not resources of the stack",
  },
  {
    actions: ["iam:DetachRolePolicy"],
    reason: "the destroy of an aws_iam_role_policy_attachment an older version of the stack made (with CI access the stack attaches no managed policy now)",
  },
];

export const RESOURCE_PERMISSIONS: Readonly<Record<string, ResourcePermissions>> = {
  // ---------------------------------------------------------------- network
  aws_vpc: {
    // The provider reads the VPC's default security group, route table and network ACL ids after a create.
    create: [
      "ec2:CreateVpc",
      "ec2:CreateTags",
      "ec2:ModifyVpcAttribute",
      "ec2:DescribeVpcs",
      "ec2:DescribeVpcAttribute",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeRouteTables",
      "ec2:DescribeNetworkAcls",
    ],
    read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeSecurityGroups", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls"],
    // network.ipv6 turned on or off: the Amazon-provided /56.
    update: ["ec2:ModifyVpcAttribute", "ec2:AssociateVpcCidrBlock", "ec2:DisassociateVpcCidrBlock"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteVpc", "ec2:DescribeVpcs"],
  },
  aws_default_security_group: {
    // With CI access the stack adopts it through a provider without default tags: no tag call at all.
    create: ["ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
    read: ["ec2:DescribeSecurityGroups"],
    update: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
    delete: [],
    note:
      "AWS creates the group with the VPC, untagged; Terraform adopts it (revokes its default rules) and on destroy only forgets it. " +
      "The deploy role's RevokeDefaultSecurityGroupRules allows the revokes on untagged groups only.",
  },
  aws_subnet: {
    create: ["ec2:CreateSubnet", "ec2:CreateTags", "ec2:ModifySubnetAttribute", "ec2:DescribeSubnets"],
    read: ["ec2:DescribeSubnets"],
    update: ["ec2:ModifySubnetAttribute", "ec2:AssociateSubnetCidrBlock", "ec2:DisassociateSubnetCidrBlock"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteSubnet", ...LINGERING_INTERFACES],
  },
  aws_internet_gateway: {
    create: ["ec2:CreateInternetGateway", "ec2:CreateTags", "ec2:AttachInternetGateway", "ec2:DescribeInternetGateways"],
    read: ["ec2:DescribeInternetGateways"],
    update: ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway"],
    tag: EC2_TAGS,
    delete: ["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", "ec2:DescribeInternetGateways"],
  },
  aws_eip: {
    create: ["ec2:AllocateAddress", "ec2:CreateTags", "ec2:DescribeAddresses"],
    read: ["ec2:DescribeAddresses"],
    tag: EC2_TAGS,
    // The NAT gateway's association is still in state at a destroy: the provider disassociates before it releases.
    delete: ["ec2:DisassociateAddress", "ec2:ReleaseAddress"],
  },
  aws_nat_gateway: {
    create: ["ec2:CreateNatGateway", "ec2:CreateTags", "ec2:DescribeNatGateways"],
    read: ["ec2:DescribeNatGateways"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteNatGateway", "ec2:DescribeNatGateways"],
  },
  aws_route_table: {
    create: ["ec2:CreateRouteTable", "ec2:CreateTags", "ec2:DescribeRouteTables"],
    read: ["ec2:DescribeRouteTables"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteRouteTable", "ec2:DescribeRouteTables"],
  },
  aws_route: {
    create: ["ec2:CreateRoute", "ec2:DescribeRouteTables"],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:ReplaceRoute"],
    delete: ["ec2:DeleteRoute"],
  },
  aws_route_table_association: {
    create: ["ec2:AssociateRouteTable", "ec2:DescribeRouteTables"],
    read: ["ec2:DescribeRouteTables"],
    update: ["ec2:ReplaceRouteTableAssociation"],
    delete: ["ec2:DisassociateRouteTable"],
  },
  aws_security_group: {
    // The provider revokes the allow-all egress rule AWS gives a new group; the stack's rules are resources of their own.
    create: ["ec2:CreateSecurityGroup", "ec2:CreateTags", "ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupEgress"],
    read: ["ec2:DescribeSecurityGroups"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteSecurityGroup", ...LINGERING_INTERFACES],
  },
  aws_vpc_security_group_ingress_rule: {
    create: ["ec2:AuthorizeSecurityGroupIngress", "ec2:CreateTags", "ec2:DescribeSecurityGroupRules"],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules"],
    tag: EC2_TAGS,
    delete: ["ec2:RevokeSecurityGroupIngress"],
  },
  aws_vpc_security_group_egress_rule: {
    create: ["ec2:AuthorizeSecurityGroupEgress", "ec2:CreateTags", "ec2:DescribeSecurityGroupRules"],
    read: ["ec2:DescribeSecurityGroupRules"],
    update: ["ec2:ModifySecurityGroupRules"],
    tag: EC2_TAGS,
    delete: ["ec2:RevokeSecurityGroupEgress"],
  },
  aws_flow_log: {
    create: ["ec2:CreateFlowLogs", "ec2:CreateTags", "iam:PassRole", "ec2:DescribeFlowLogs"],
    read: ["ec2:DescribeFlowLogs"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteFlowLogs"],
  },

  // ---------------------------------------------------------------- load balancer
  aws_lb: {
    create: [
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "iam:CreateServiceLinkedRole",
    ],
    read: ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeTags"],
    update: [
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:SetIpAddressType",
    ],
    tag: ELB_TAGS,
    delete: ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers", "ec2:DescribeNetworkInterfaces"],
  },
  aws_lb_target_group: {
    create: [
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
    ],
    read: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTags"],
    update: ["elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes"],
    tag: ELB_TAGS,
    delete: ["elasticloadbalancing:DeleteTargetGroup"],
  },
  aws_lb_listener: {
    // A listener whose action signs people in with Cognito is also checked for cognito-idp:DescribeUserPoolClient on its
    // pool; with CI access the settings refuse Cognito sign-in, so no CI role needs it.
    create: [
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeListenerAttributes",
    ],
    read: ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeTags"],
    update: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes"],
    tag: ELB_TAGS,
    delete: ["elasticloadbalancing:DeleteListener"],
  },
  aws_wafv2_web_acl: {
    create: ["wafv2:CreateWebACL", "wafv2:TagResource", "wafv2:GetWebACL"],
    read: ["wafv2:GetWebACL", "wafv2:ListTagsForResource"],
    update: ["wafv2:UpdateWebACL"],
    tag: ["wafv2:TagResource", "wafv2:UntagResource"],
    delete: ["wafv2:DeleteWebACL", "wafv2:GetWebACL"],
  },
  aws_wafv2_web_acl_association: {
    // WAF checks that the caller may set the load balancer's web ACL.
    create: ["wafv2:AssociateWebACL", "elasticloadbalancing:SetWebAcl", "wafv2:GetWebACLForResource"],
    read: ["wafv2:GetWebACLForResource"],
    delete: ["wafv2:DisassociateWebACL", "elasticloadbalancing:SetWebAcl"],
  },
  aws_wafv2_web_acl_logging_configuration: {
    // Logging to CloudWatch Logs is a log delivery: WAF creates it with the caller's logs: permissions.
    create: ["wafv2:PutLoggingConfiguration", "logs:CreateLogDelivery", "wafv2:GetLoggingConfiguration"],
    read: ["wafv2:GetLoggingConfiguration"],
    update: ["wafv2:PutLoggingConfiguration", "logs:CreateLogDelivery", "logs:DeleteLogDelivery"],
    delete: ["wafv2:DeleteLoggingConfiguration", "logs:DeleteLogDelivery"],
  },
  aws_fis_experiment_template: {
    notDeployedByCi: "the zone rehearsal: off by default with CI access, refused when turned on (the CI roles hold no AWS FIS permission)",
    // The template names its role (passed to FIS) and its log group, whose delivery FIS sets up with the caller's logs: permissions.
    create: [
      "fis:CreateExperimentTemplate",
      "fis:TagResource",
      "fis:GetExperimentTemplate",
      "iam:PassRole",
      "logs:CreateLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:PutResourcePolicy",
    ],
    read: ["fis:GetExperimentTemplate", "fis:ListTagsForResource"],
    update: ["fis:UpdateExperimentTemplate", "iam:PassRole", "logs:CreateLogDelivery"],
    tag: ["fis:TagResource", "fis:UntagResource"],
    delete: ["fis:DeleteExperimentTemplate"],
  },
  aws_cognito_user_pool: {
    notDeployedByCi: "Cognito sign-in: the settings refuse it with CI access (the CI roles hold no Cognito permission)",
    create: ["cognito-idp:CreateUserPool", "cognito-idp:SetUserPoolMfaConfig", "cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig"],
    read: ["cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig"],
    update: ["cognito-idp:UpdateUserPool", "cognito-idp:SetUserPoolMfaConfig"],
    tag: ["cognito-idp:TagResource", "cognito-idp:UntagResource"],
    delete: ["cognito-idp:DeleteUserPool"],
  },
  aws_cognito_user_pool_client: {
    notDeployedByCi: "Cognito sign-in: the settings refuse it with CI access (the CI roles hold no Cognito permission)",
    create: ["cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient"],
    read: ["cognito-idp:DescribeUserPoolClient"],
    update: ["cognito-idp:UpdateUserPoolClient"],
    delete: ["cognito-idp:DeleteUserPoolClient"],
  },
  aws_cognito_user_pool_domain: {
    notDeployedByCi: "Cognito sign-in: the settings refuse it with CI access (the CI roles hold no Cognito permission)",
    create: ["cognito-idp:CreateUserPoolDomain", "cognito-idp:DescribeUserPoolDomain"],
    read: ["cognito-idp:DescribeUserPoolDomain"],
    update: ["cognito-idp:UpdateUserPoolDomain"],
    delete: ["cognito-idp:DeleteUserPoolDomain", "cognito-idp:DescribeUserPoolDomain"],
  },
  aws_route53_record: {
    create: ["route53:GetHostedZone", "route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"],
    read: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
    update: ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    delete: ["route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListResourceRecordSets"],
  },
  aws_acm_certificate: {
    create: ["acm:RequestCertificate", "acm:AddTagsToCertificate", "acm:DescribeCertificate"],
    read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
    tag: ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
    delete: ["acm:DeleteCertificate"],
    notDeployedByCi:
      "ACM checks a request's tags as acm:AddTagsToCertificate on every certificate of the account, so with CI access the settings " +
      "ask for loadBalancer.certificateArn, a certificate an administrator requested",
  },
  aws_acm_certificate_validation: {
    create: ["acm:DescribeCertificate"],
    read: ["acm:DescribeCertificate"],
    delete: [],
    note: "Waits for the certificate to be issued; a destroy only forgets it.",
    notDeployedByCi: "it validates the certificate the stack requests, which it does not with CI access (aws_acm_certificate)",
  },

  // ---------------------------------------------------------------- app tier
  aws_launch_template: {
    create: ["ec2:CreateLaunchTemplate", "ec2:CreateTags", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
    // update_default_version: each new version is made the default.
    update: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
    tag: EC2_TAGS,
    delete: ["ec2:DeleteLaunchTemplate"],
  },
  aws_autoscaling_group: {
    // Auto Scaling checks that whoever gives a group its launch template may launch from it (ec2:RunInstances) and pass
    // its instance profile's role; the provider waits for the group's capacity to be healthy in the target group.
    create: [
      "autoscaling:CreateAutoScalingGroup",
      "autoscaling:CreateOrUpdateTags",
      "autoscaling:EnableMetricsCollection",
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeScalingActivities",
      "elasticloadbalancing:DescribeTargetHealth",
      "ec2:RunInstances",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
    ],
    read: ["autoscaling:DescribeAutoScalingGroups"],
    update: [
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:AttachLoadBalancerTargetGroups",
      "autoscaling:DetachLoadBalancerTargetGroups",
      "autoscaling:EnableMetricsCollection",
      "autoscaling:DisableMetricsCollection",
      "ec2:RunInstances",
      "iam:PassRole",
    ],
    tag: ["autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags"],
    // Drained to zero first, then deleted.
    delete: [
      "autoscaling:UpdateAutoScalingGroup",
      "autoscaling:DeleteAutoScalingGroup",
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeScalingActivities",
    ],
  },
  aws_autoscaling_policy: {
    create: ["autoscaling:PutScalingPolicy", "autoscaling:DescribePolicies"],
    read: ["autoscaling:DescribePolicies"],
    update: ["autoscaling:PutScalingPolicy"],
    delete: ["autoscaling:DeletePolicy"],
  },
  aws_iam_role: {
    create: ["iam:CreateRole", "iam:TagRole", "iam:GetRole"],
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
    // The trust policy is Terraform's at creation only (iam:UpdateAssumeRolePolicy is fenced off): a new trust replaces the role.
    update: ["iam:UpdateRole", "iam:UpdateRoleDescription", "iam:PutRolePermissionsBoundary"],
    tag: ["iam:TagRole", "iam:UntagRole"],
    delete: ["iam:ListInstanceProfilesForRole", "iam:DeleteRole"],
  },
  aws_iam_role_policy: {
    create: ["iam:PutRolePolicy", "iam:GetRolePolicy"],
    read: ["iam:GetRolePolicy"],
    update: ["iam:PutRolePolicy"],
    delete: ["iam:DeleteRolePolicy"],
  },
  aws_iam_instance_profile: {
    create: ["iam:CreateInstanceProfile", "iam:TagInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"],
    read: ["iam:GetInstanceProfile"],
    update: ["iam:RemoveRoleFromInstanceProfile", "iam:AddRoleToInstanceProfile"],
    tag: ["iam:TagInstanceProfile", "iam:UntagInstanceProfile"],
    delete: ["iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
  },
  aws_lambda_function: {
    // Lambda checks that whoever puts a function in a VPC may see its subnets and security groups.
    create: [
      "lambda:CreateFunction",
      "lambda:TagResource",
      "iam:PassRole",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:ListVersionsByFunction",
    ],
    read: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:ListTags"],
    update: ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:GetFunctionConfiguration", "iam:PassRole"],
    tag: ["lambda:TagResource", "lambda:UntagResource"],
    delete: ["lambda:DeleteFunction"],
  },
  aws_lambda_permission: {
    create: ["lambda:AddPermission", "lambda:GetPolicy"],
    read: ["lambda:GetPolicy"],
    delete: ["lambda:RemovePermission"],
  },
  aws_lambda_invocation: {
    create: ["lambda:InvokeFunction"],
    read: [],
    update: ["lambda:InvokeFunction"],
    delete: [],
    note: "Invokes the function at create and at each change of its input; nothing to read, and a destroy only forgets it (lifecycle_scope CREATE_ONLY).",
  },
  aws_s3_bucket: {
    create: ["s3:CreateBucket", "s3:PutBucketTagging", "s3:ListBucket"],
    // The provider reads every part of a bucket's configuration, whichever the stack sets.
    read: [
      "s3:ListBucket",
      "s3:GetBucketAcl",
      "s3:GetBucketCORS",
      "s3:GetBucketWebsite",
      "s3:GetBucketVersioning",
      "s3:GetAccelerateConfiguration",
      "s3:GetBucketRequestPayment",
      "s3:GetBucketLogging",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:GetBucketObjectLockConfiguration",
      "s3:GetBucketPolicy",
      "s3:GetBucketTagging",
    ],
    tag: ["s3:PutBucketTagging"],
    // force_destroy (the app artifact's bucket, and the log bucket when accessLogs.forceDestroy): every version deleted first.
    delete: ["s3:DeleteBucket", "s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"],
  },
  aws_s3_bucket_lifecycle_configuration: bucketPart("s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
  aws_s3_bucket_ownership_controls: bucketPart("s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
  aws_s3_bucket_policy: {
    create: ["s3:PutBucketPolicy", "s3:GetBucketPolicy"],
    read: ["s3:GetBucketPolicy"],
    update: ["s3:PutBucketPolicy"],
    delete: ["s3:DeleteBucketPolicy"],
  },
  aws_s3_bucket_public_access_block: bucketPart("s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
  aws_s3_bucket_server_side_encryption_configuration: bucketPart("s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"),
  aws_s3_bucket_versioning: bucketPart("s3:PutBucketVersioning", "s3:GetBucketVersioning"),
  aws_s3_object: {
    // The provider's default tags make every upload a tagged one.
    create: ["s3:PutObject", "s3:PutObjectTagging", "s3:GetObject", "s3:GetObjectTagging"],
    read: ["s3:GetObject", "s3:GetObjectTagging"],
    update: ["s3:PutObject", "s3:PutObjectTagging"],
    tag: ["s3:PutObjectTagging", "s3:DeleteObjectTagging"],
    // In a versioned bucket the provider deletes every version of the key.
    delete: ["s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"],
  },

  // ---------------------------------------------------------------- database
  aws_db_subnet_group: {
    create: ["rds:CreateDBSubnetGroup", "rds:AddTagsToResource", "rds:DescribeDBSubnetGroups"],
    read: ["rds:DescribeDBSubnetGroups", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBSubnetGroup"],
    tag: RDS_TAGS,
    delete: ["rds:DeleteDBSubnetGroup"],
  },
  aws_db_parameter_group: {
    create: ["rds:CreateDBParameterGroup", "rds:AddTagsToResource", "rds:ModifyDBParameterGroup", "rds:DescribeDBParameterGroups"],
    read: ["rds:DescribeDBParameterGroups", "rds:DescribeDBParameters", "rds:ListTagsForResource"],
    // A parameter taken out of the group is reset to the family's default.
    update: ["rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup"],
    tag: RDS_TAGS,
    delete: ["rds:DeleteDBParameterGroup"],
  },
  aws_db_instance: {
    // manage_master_user_password: RDS creates, tags and rotates the master secret, and deletes it with the database,
    // with the caller's secretsmanager: permissions. CreateDBInstance names the engine's default option group; a
    // destroy writes the final snapshot (rds:CreateDBSnapshot); the monitoring role is passed to RDS.
    create: [
      "rds:CreateDBInstance",
      "rds:AddTagsToResource",
      "rds:DescribeDBInstances",
      "iam:PassRole",
      "iam:CreateServiceLinkedRole",
      "secretsmanager:CreateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:RotateSecret",
      "secretsmanager:DescribeSecret",
    ],
    read: ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
    update: ["rds:ModifyDBInstance", "rds:DescribeDBInstances", "iam:PassRole"],
    tag: RDS_TAGS,
    delete: ["rds:DeleteDBInstance", "rds:CreateDBSnapshot", "rds:DescribeDBInstances", "secretsmanager:DeleteSecret"],
  },
  aws_secretsmanager_secret: {
    create: ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret"],
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    update: ["secretsmanager:UpdateSecret"],
    tag: ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
    delete: ["secretsmanager:DeleteSecret"],
  },
  aws_secretsmanager_secret_rotation: {
    // RotateSecret also asks the caller for lambda:InvokeFunction on the rotation function.
    create: ["secretsmanager:RotateSecret", "lambda:InvokeFunction", "secretsmanager:DescribeSecret"],
    read: ["secretsmanager:DescribeSecret"],
    update: ["secretsmanager:RotateSecret", "lambda:InvokeFunction"],
    delete: ["secretsmanager:CancelRotateSecret"],
  },

  // ---------------------------------------------------------------- database backups (AWS Backup)
  aws_backup_vault: {
    // A vault with a customer managed key: AWS Backup checks that the caller may let it use the key (grants).
    create: [
      "backup:CreateBackupVault",
      "backup:TagResource",
      "backup-storage:MountCapsule",
      "kms:CreateGrant",
      "kms:DescribeKey",
      "kms:GenerateDataKey",
      "kms:Decrypt",
      "kms:RetireGrant",
      "backup:DescribeBackupVault",
      "backup:ListTags",
    ],
    read: ["backup:DescribeBackupVault", "backup:ListTags"],
    tag: ["backup:TagResource", "backup:UntagResource"],
    delete: ["backup:DeleteBackupVault"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_backup_vault_lock_configuration: {
    create: ["backup:PutBackupVaultLockConfiguration", "backup:DescribeBackupVault"],
    read: ["backup:DescribeBackupVault"],
    delete: ["backup:DeleteBackupVaultLockConfiguration"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_backup_plan: {
    create: ["backup:CreateBackupPlan", "backup:TagResource", "backup:GetBackupPlan", "backup:ListTags"],
    read: ["backup:GetBackupPlan", "backup:ListTags"],
    update: ["backup:UpdateBackupPlan"],
    tag: ["backup:TagResource", "backup:UntagResource"],
    delete: ["backup:DeleteBackupPlan"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_backup_selection: {
    // The selection names the role AWS Backup assumes: the caller passes it.
    create: ["backup:CreateBackupSelection", "iam:PassRole", "backup:GetBackupSelection"],
    read: ["backup:GetBackupSelection"],
    delete: ["backup:DeleteBackupSelection"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_backup_restore_testing_plan: {
    create: ["backup:CreateRestoreTestingPlan", "backup:TagResource", "backup:GetRestoreTestingPlan", "backup:ListTags"],
    read: ["backup:GetRestoreTestingPlan", "backup:ListTags"],
    update: ["backup:UpdateRestoreTestingPlan"],
    tag: ["backup:TagResource", "backup:UntagResource"],
    delete: ["backup:DeleteRestoreTestingPlan"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_backup_restore_testing_selection: {
    create: ["backup:CreateRestoreTestingSelection", "iam:PassRole", "backup:GetRestoreTestingSelection"],
    read: ["backup:GetRestoreTestingSelection"],
    update: ["backup:UpdateRestoreTestingSelection", "iam:PassRole"],
    delete: ["backup:DeleteRestoreTestingSelection"],
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },
  aws_iam_role_policy_attachment: {
    create: ["iam:AttachRolePolicy", "iam:ListAttachedRolePolicies"],
    read: ["iam:ListAttachedRolePolicies"],
    delete: ["iam:DetachRolePolicy"],
    note: "AWS Backup's role, with AWS's two service-role policies for Backup (CKV_AWS_274's reviewed list says why).",
    notDeployedByCi: NOT_DEPLOYED_WITH_CI_ACCESS,
  },

  // ---------------------------------------------------------------- logs and monitoring
  aws_cloudwatch_log_group: {
    create: ["logs:CreateLogGroup", "logs:TagResource", "logs:PutRetentionPolicy", "logs:DescribeLogGroups"],
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    // kms_key_id set on a group that exists is AssociateKmsKey, taken off DisassociateKmsKey.
    update: ["logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey"],
    tag: ["logs:TagResource", "logs:UntagResource"],
    delete: ["logs:DeleteLogGroup"],
    note: "A key (kms_key_id) is used by CloudWatch Logs as itself, as the key's policy allows; the caller needs no kms: action.",
  },
  aws_cloudwatch_log_resource_policy: {
    create: ["logs:PutResourcePolicy", "logs:DescribeResourcePolicies"],
    read: ["logs:DescribeResourcePolicies"],
    update: ["logs:PutResourcePolicy"],
    delete: ["logs:DeleteResourcePolicy"],
  },
  aws_cloudwatch_metric_alarm: {
    create: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:DescribeAlarms"],
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    update: ["cloudwatch:PutMetricAlarm"],
    tag: ["cloudwatch:TagResource", "cloudwatch:UntagResource"],
    delete: ["cloudwatch:DeleteAlarms"],
  },
  aws_cloudwatch_dashboard: {
    create: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard"],
    read: ["cloudwatch:GetDashboard"],
    update: ["cloudwatch:PutDashboard"],
    delete: ["cloudwatch:DeleteDashboards"],
  },
  aws_sns_topic: {
    create: ["sns:CreateTopic", "sns:TagResource", "sns:SetTopicAttributes", "sns:GetTopicAttributes"],
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    update: ["sns:SetTopicAttributes"],
    tag: ["sns:TagResource", "sns:UntagResource"],
    delete: ["sns:DeleteTopic"],
  },
  aws_sns_topic_policy: {
    create: ["sns:SetTopicAttributes", "sns:GetTopicAttributes"],
    read: ["sns:GetTopicAttributes"],
    update: ["sns:SetTopicAttributes"],
    // The topic's default policy is put back.
    delete: ["sns:SetTopicAttributes"],
  },
  aws_sns_topic_subscription: {
    // The provider looks a subscription up in the topic's list (sns:ListSubscriptionsByTopic) only when it expects it
    // confirmed at once: not the stack's email and https ones, which their owners confirm.
    create: ["sns:Subscribe", "sns:GetSubscriptionAttributes"],
    read: ["sns:GetSubscriptionAttributes"],
    update: ["sns:SetSubscriptionAttributes"],
    delete: ["sns:Unsubscribe"],
  },
  aws_kms_key: {
    create: [
      "kms:CreateKey",
      "kms:TagResource",
      "kms:EnableKeyRotation",
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListResourceTags",
    ],
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    update: ["kms:UpdateKeyDescription", "kms:EnableKeyRotation", "kms:DisableKeyRotation", "kms:PutKeyPolicy"],
    tag: ["kms:TagResource", "kms:UntagResource"],
    delete: ["kms:ScheduleKeyDeletion"],
    notDeployedByCi:
      "KMS checks a new key's tags over every key of the account, so with CI access the CI access stack creates the log groups' key " +
      "and the alarm topic's (or monitoring.notifications.kmsKeyArn names one)",
  },
  aws_kms_alias: {
    create: ["kms:CreateAlias", "kms:ListAliases"],
    read: ["kms:ListAliases"],
    update: ["kms:UpdateAlias"],
    delete: ["kms:DeleteAlias"],
    notDeployedByCi: "the alias of the log groups' or the alarm topic's key, which the CI access stack creates with CI access (aws_kms_key)",
  },
  aws_kms_key_policy: {
    create: ["kms:PutKeyPolicy", "kms:GetKeyPolicy"],
    read: ["kms:GetKeyPolicy"],
    update: ["kms:PutKeyPolicy"],
    delete: ["kms:PutKeyPolicy"],
    note: "A destroy puts the key's default policy back.",
    notDeployedByCi: "the policy of the log groups' or the alarm topic's key, which the CI access stack creates with CI access (aws_kms_key)",
  },
};
