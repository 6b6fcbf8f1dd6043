import type { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resourceNames } from "../config/names";
import { projectRoot } from "../config/project-root";
import type { EnvironmentSettings } from "../config/schema";
import { commonTags } from "../config/tags";
import { AccessLogBucket } from "../constructs/edge/access-log-bucket";
import { AppArtifact } from "../constructs/compute/app-artifact";
import { AppDomain } from "../constructs/edge/app-domain";
import { AppScaling } from "../constructs/compute/app-scaling";
import { AppTier } from "../constructs/compute/app-tier";
import { Database } from "../constructs/data/database";
import { DatabaseAppUser } from "../constructs/data/database-app-user";
import { DatabaseBackups } from "../constructs/data/database-backups";
import { LoadBalancer } from "../constructs/edge/load-balancer";
import { type LogEncryption, LogKey } from "../constructs/monitoring/log-key";
import { Monitoring } from "../constructs/monitoring/monitoring";
import { Network } from "../constructs/network/network";
import { SecurityGroups } from "../constructs/network/security-groups";
import { SessionManagerPolicy } from "../constructs/compute/session-manager-policy";
import { SignIn } from "../constructs/edge/sign-in";
import { WebAcl } from "../constructs/edge/web-acl";
import { ZoneRehearsal } from "../constructs/resilience/zone-rehearsal";
import { addStateBackend } from "../terraform/state-backend";
import { applyPermissionsBoundary } from "../ci-access/permissions-boundary";
import { ciAccessOf } from "../ci-access/ci-access-stack";
import { ProjectStack } from "./project-stack";

export interface InventoryStackProps {
  /** The environment's validated settings. */
  readonly settings: EnvironmentSettings;
  /** Folder of the Inventory app the servers boot (the repo's `app/`). */
  readonly appDirectory: string;
  /** Folder the Lambda functions are bundled from (their sources in `src/functions/`, esbuild in `node_modules/`). @default the project's root */
  readonly codeRoot?: string;
}

/**
 * One environment of the Inventory app: the lab's whole highly available
 * topology, wired from the settings. Data flows one way: settings -> this
 * stack -> each construct's props; constructs meet only through the typed
 * attributes passed here.
 */
export class InventoryStack extends ProjectStack {
  readonly network: Network;
  readonly securityGroups: SecurityGroups;
  readonly loadBalancer: LoadBalancer;
  /** The load balancer's access log bucket, when `loadBalancer.accessLogs.enabled`. */
  readonly accessLogBucket?: AccessLogBucket;
  /** The load balancer's WAF web ACL, when `loadBalancer.waf.enabled`. */
  readonly webAcl?: WebAcl;
  readonly appTier: AppTier;
  /** The app's archive in S3, which the servers download as they boot. */
  readonly appArtifact: AppArtifact;
  /** The app's own name, its certificate and record, when `loadBalancer.domain` is set. */
  readonly domain?: AppDomain;
  readonly database: Database;
  /** The app's own database user: its secret and the function that rotates it. */
  readonly databaseAppUser: DatabaseAppUser;
  readonly monitoring: Monitoring;
  /** AWS Backup of the database, its restore tests and alarms, when `database.backups.enabled`. */
  readonly databaseBackups?: DatabaseBackups;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id);
    const { settings } = props;
    const names = resourceNames(settings.namePrefix, settings.names);
    const tags = commonTags(settings);
    // The lab's app, as the descriptions of its resources name it ("Private subnets of the Inventory database").
    const appName = "Inventory";
    const codeRoot = props.codeRoot ?? projectRoot();

    new AwsProvider(this, "aws", {
      region: settings.region,
      defaultTags: [{ tags }],
    });
    addStateBackend(this, { ...settings.state, environment: settings.environment });
    // Deployed by CI roles: every role carries the boundary the CI access stack owns, and the topic its key.
    const ciAccess = ciAccessOf(settings);
    if (ciAccess) applyPermissionsBoundary(this, ciAccess.permissionsBoundaryArn);
    // The log groups' key: a second key, not the alarm topic's. The topic's key can be one the settings name
    // (monitoring.notifications.kmsKeyArn), whose policy this project does not write; and a key per purpose keeps
    // each key policy to one service and its context (CloudWatch alarms publishing, CloudWatch Logs for these
    // groups only), so access to read the logs is never access to the notifications. It costs $1 a month.
    // No CI role may create a key, so with CI access the CI access stack creates it.
    const logEncryption: LogEncryption = ciAccess
      ? { kmsKeyArn: ciAccess.logKeyArn }
      : new LogKey(this, "log-key", {
          region: settings.region,
          alias: names.logs.keyAlias,
          // The rehearsal's log group only when it is on: turning it on rewrites the key policy.
          logGroupNames: [...names.logs.groups, ...(settings.zoneResilience.rehearsal.enabled ? [names.zoneRehearsal.logGroup] : [])],
        }).encryption;

    const network = new Network(this, "network", {
      vpcCidr: settings.network.vpcCidr,
      availabilityZones: settings.availabilityZones,
      region: settings.region,
      publicSubnetCidrs: settings.network.publicSubnetCidrs,
      privateSubnetCidrs: settings.network.privateSubnetCidrs,
      natStrategy: settings.network.natStrategy,
      ipv6: settings.network.ipv6,
      flowLogs: settings.network.flowLogs.enabled,
      flowLogRetentionDays: settings.network.flowLogs.retentionDays,
      flowLogEncryption: logEncryption,
      names: names.network,
      // A deploy role tags only what it creates (docs/ci-access.md): the default group AWS creates stays untagged.
      untaggedProvider: ciAccess ? new AwsProvider(this, "aws-untagged", { alias: "untagged", region: settings.region }) : undefined,
    });

    const securityGroups = new SecurityGroups(this, "security-groups", {
      vpcId: network.vpcId,
      clientCidrs: settings.loadBalancer.ingressCidrs,
      clientIpv6Cidrs: network.ipv6 ? settings.loadBalancer.ingressIpv6Cidrs : undefined,
      appName,
      names: names.securityGroups,
    });
    const { app: appGroup, database: databaseGroup } = securityGroups;
    if (settings.database.ingressFrom === "app-security-group") {
      databaseGroup.allowFrom(appGroup, securityGroups.databasePort, "Traffic from App servers");
    } else {
      // The rule keeps the address of the App group's rule: the lab's move to it replaces this one, the new rule first.
      databaseGroup.allowFromCidr(settings.network.vpcCidr, securityGroups.databasePort, "MySQL from anywhere in the VPC (the lab's starting point)", {
        id: "database-from-app",
      });
    }

    const lb = settings.loadBalancer;
    const accessLogBucket = lb.accessLogs.enabled
      ? new AccessLogBucket(this, "access-logs", {
          region: settings.region,
          accountId: network.accountId,
          bucketName: lb.accessLogs.bucketName,
          ...names.accessLogBucket,
          retentionDays: lb.accessLogs.retentionDays,
          forceDestroy: lb.accessLogs.forceDestroy,
        })
      : undefined;
    const auth = lb.authentication;
    const signIn =
      auth.provider === "none"
        ? undefined
        : new SignIn(this, "sign-in", {
            provider: auth.provider === "oidc" ? { type: "oidc", ...auth.oidc! } : { type: "cognito", ...auth.cognito! },
            sessionTimeoutSeconds: auth.sessionTimeoutSeconds,
            userPoolName: names.userPool,
          });
    const domain = lb.domain ? new AppDomain(this, "domain", { ...lb.domain, certificateArn: lb.certificateArn }) : undefined;
    const loadBalancer = new LoadBalancer(this, "load-balancer", {
      vpcId: network.vpcId,
      subnetIds: network.publicSubnetIds,
      internetConnectivity: network.internetConnectivityEstablished,
      securityGroupId: securityGroups.loadBalancer.securityGroupId,
      ipAddressType: network.ipv6 ? "dualstack" : "ipv4",
      ...names.loadBalancer,
      healthCheck: lb.healthCheck,
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
      certificateArn: domain?.certificateArn ?? lb.certificateArn,
      sslPolicy: lb.sslPolicy,
      deletionProtection: lb.deletionProtection,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      signIn: signIn?.action,
      accessLogBucket,
      zonalShift: settings.zoneResilience.zonalShift,
      crossZone: settings.zoneResilience.crossZone,
      slowStartSeconds: settings.zoneResilience.slowStartSeconds,
    });
    domain?.pointAt(loadBalancer);

    const webAcl = lb.waf.enabled
      ? new WebAcl(this, "web-acl", {
          name: names.webAcl,
          loadBalancerArn: loadBalancer.arn,
          region: settings.region,
          accountId: network.accountId,
          rateLimits: lb.waf.rateLimits,
          logRetentionDays: lb.waf.logRetentionDays,
          logEncryption,
          appName,
        })
      : undefined;

    const { appUser, backups, ...db } = settings.database;
    const database = new Database(this, "database", {
      subnetIds: network.privateSubnetIds,
      securityGroupId: databaseGroup.securityGroupId,
      region: settings.region,
      accountId: network.accountId,
      ...db,
      appName,
      names: names.database,
    });
    const databaseAppUser = new DatabaseAppUser(this, "database-app-user", {
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      egress: network.privateEgressEstablished,
      databaseSecurityGroupId: databaseGroup.securityGroupId,
      database: {
        address: database.address,
        port: database.port,
        name: db.databaseName,
        masterUserSecretArn: database.masterUserSecretArn,
        instance: database.instance,
      },
      region: settings.region,
      codeRoot,
      accountId: network.accountId,
      username: appUser.username,
      rotationDays: appUser.rotationDays,
      secretRecoveryDays: appUser.secretRecoveryDays,
      allowImmediateSecretDeletion: appUser.allowImmediateSecretDeletion,
      logEncryption,
      appName,
      names: names.databaseAppUser,
    });

    const appArtifact = new AppArtifact(this, "app-artifact", { appDirectory: props.appDirectory, ...names.appArtifact });
    const { app: appSettings, ...app } = settings.appTier;
    const appTier = new AppTier(this, "app-tier", {
      subnetIds: network.privateSubnetIds,
      securityGroupId: appGroup.securityGroupId,
      targetGroupArn: loadBalancer.targetGroupArn,
      region: settings.region,
      accountId: network.accountId,
      ...app,
      desiredCapacityFromScalingPolicy: app.scaling.policy !== "none",
      launchBeforeTerminate: settings.zoneResilience.launchBeforeTerminate,
      boot: {
        appDirectory: props.appDirectory,
        vpcCidr: settings.network.vpcCidr,
        databaseHost: database.address,
        databasePort: database.port,
        databaseName: db.databaseName,
        // The app's own user's secret: the app servers cannot read the master's.
        databaseSecretArn: databaseAppUser.secretArn,
        artifact: { bucket: appArtifact.bucketName, key: appArtifact.objectKey, versionId: appArtifact.versionId, sha256: appArtifact.sha256 },
        ...appSettings,
      },
      artifactObjectsArn: appArtifact.readableObjectsArn,
      instanceTags: tags,
      releaseCodeRoot: codeRoot,
      releaseLogEncryption: logEncryption,
      appName,
      names: names.appTier,
    });
    // Session Manager instead of SSH, with only the actions it needs.
    new SessionManagerPolicy(this, "session-manager", { roleName: appTier.roleName, accountId: network.accountId, region: settings.region });

    if (app.scaling.policy !== "none") {
      new AppScaling(this, "app-scaling", {
        name: names.scalingPolicy,
        autoScalingGroupName: appTier.autoScalingGroupName,
        metric: app.scaling.policy,
        targetValue: app.scaling.targetValue,
        loadBalancer: { arnSuffix: loadBalancer.arnSuffix, targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix },
      });
    }

    const monitoring = new Monitoring(this, "monitoring", {
      region: settings.region,
      names: names.monitoring,
      notifications: { ...settings.monitoring.notifications, kmsKeyArn: settings.monitoring.notifications.kmsKeyArn ?? ciAccess?.alarmTopicKeyArn },
      thresholds: settings.monitoring.alarms,
      watched: {
        loadBalancer: { dimension: loadBalancer.arnSuffix, name: names.loadBalancer.name },
        targetGroup: { dimension: loadBalancer.targetGroupArnSuffix, name: names.loadBalancer.targetGroupName },
        autoScalingGroup: { dimension: appTier.autoScalingGroupName, name: names.appTier.autoScalingGroup },
        database: {
          dimension: database.identifier,
          name: names.database.nameTag,
          instanceClass: db.instanceClass,
          allocatedStorageGiB: db.allocatedStorageGiB,
        },
        natGateways: network.natGatewayIds.map((id, index) => ({ dimension: id, name: names.network.natGateway(index) })),
      },
    });

    const backupCopy = backups.copyRegion
      ? {
          region: backups.copyRegion,
          provider: new AwsProvider(this, "aws-backup-copy", { alias: "backup_copy", region: backups.copyRegion, defaultTags: [{ tags }] }),
          retentionDays: backups.copyRetentionDays,
        }
      : undefined;
    this.databaseBackups = backups.enabled
      ? new DatabaseBackups(this, "database-backups", {
          region: settings.region,
          accountId: network.accountId,
          database: { arn: database.arn, subnetGroupName: database.subnetGroupName, securityGroupId: securityGroups.database.securityGroupId },
          alarmTopicArn: monitoring.topic.topicArn,
          names: names.databaseBackups,
          appName,
          ...backups,
          copy: backupCopy,
          restoreTesting: backups.restoreTesting.enabled && backups.restoreTesting,
        })
      : undefined;

    // A release stops replacing servers once an alarm of these is in ALARM.
    const refreshAlarms = new Set(app.instanceRefresh.alarms);
    appTier.failRefreshOnAlarms(monitoring.alarms.filter((alarm) => refreshAlarms.has(alarm.signal)).map(({ alarm }) => alarm));

    const rehearsal = settings.zoneResilience.rehearsal;
    const stopSignals = new Set(rehearsal.stopAlarms);
    const zoneRehearsal = rehearsal.enabled
      ? new ZoneRehearsal(this, "zone-rehearsal", {
          environment: settings.environment,
          region: settings.region,
          accountId: network.accountId,
          availabilityZones: settings.availabilityZones,
          vpcId: network.vpcId,
          autoScalingGroup: { name: appTier.autoScalingGroupName, arn: appTier.autoScalingGroupArn },
          database: { arn: database.arn, multiAz: db.multiAz },
          stopAlarms: monitoring.alarms.filter((alarm) => stopSignals.has(alarm.signal)).map(({ alarm }) => alarm),
          durationMinutes: rehearsal.durationMinutes,
          logRetentionDays: rehearsal.logRetentionDays,
          logEncryption,
          names: names.zoneRehearsal,
        })
      : undefined;

    this.network = network;
    this.securityGroups = securityGroups;
    this.loadBalancer = loadBalancer;
    this.webAcl = webAcl;
    this.accessLogBucket = accessLogBucket;
    this.appTier = appTier;
    this.appArtifact = appArtifact;
    this.domain = domain;
    this.database = database;
    this.databaseAppUser = databaseAppUser;
    this.monitoring = monitoring;

    const output = (outputId: string, value: string | string[], description: string) => new TerraformOutput(this, outputId, { value, description });
    output("app_url", domain?.url ?? loadBalancer.url, "URL of the Inventory app (its domain, else the load balancer's DNS name)");
    output("load_balancer_dns_name", loadBalancer.dnsName, "DNS name of the load balancer");
    output("target_group_arn", loadBalancer.targetGroupArn, "Target group of the app servers");
    if (accessLogBucket) output("access_log_bucket", accessLogBucket.bucketName, "S3 bucket of the load balancer's access logs");
    output("autoscaling_group_name", appTier.autoScalingGroupName, "Auto Scaling group of the app servers");
    output(
      "app_artifact",
      `s3://${appArtifact.bucketName}/${appArtifact.objectKey}`,
      "The app's archive in S3 (versioned; the servers boot the launch template's version)",
    );
    output("app_artifact_version_id", appArtifact.versionId, "S3 version of the app's archive the current launch template version boots");
    output("app_artifact_sha256", appArtifact.sha256, "SHA-256 of the app's archive, which the servers check before they unpack it");
    output("db_instance_identifier", database.identifier, "RDS identifier of the database");
    output("db_endpoint", database.endpoint, "Database endpoint (address:port); it survives a Multi-AZ failover");
    output("db_secret_arn", database.masterUserSecretArn, "Secrets Manager secret of the database master user (the ARN, not the secret)");
    output("db_app_secret_arn", databaseAppUser.secretArn, "Secrets Manager secret of the app's database user, which the app servers read (the ARN)");
    output("vpc_id", network.vpcId, "The VPC");
    output("public_subnet_ids", network.publicSubnetIds, "Public subnets, in zone order");
    output("private_subnet_ids", network.privateSubnetIds, "Private subnets, in zone order");
    output("nat_gateway_ids", network.natGatewayIds, "NAT gateways (one per zone under per-az)");
    output("region", settings.region, "Region of the environment");
    output("alarm_topic_arn", monitoring.topic.topicArn, "SNS topic every alarm notifies; subscribe to it to be told");
    output(
      "alarm_names",
      [...monitoring.alarms.map((alarm) => alarm.name), ...(this.databaseBackups?.alarmNames ?? [])],
      "CloudWatch alarms of the environment (the drill reports their state changes)",
    );
    output("dashboard_url", monitoring.dashboard.url, "CloudWatch dashboard of the environment");
    if (zoneRehearsal)
      new TerraformOutput(this, "rehearsal_templates", {
        value: zoneRehearsal.templateIds,
        description: "AWS FIS experiment templates by scenario (zone:<zone>, instance, database): npm run drill -- zone starts one",
      });
  }
}
