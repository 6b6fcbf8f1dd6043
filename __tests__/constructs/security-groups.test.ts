import { TerraformVariable, Testing } from "cdktf";
import type { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { SecurityGroups, type SecurityGroupsProps, securityGroupNameProblems } from "../../src/constructs/network/security-groups";
import { expectRefused, resourcesOf } from "../support/stacks";

/** Who the database's group lets in: the app servers' group (the lab's end), the VPC's range (its start), or no one. */
type DatabaseWiring = "app" | "vpc" | "none";

/**
 * The lab's groups (docs/lab.md section 2), from the construct's defaults: clients from anywhere, the lab's names;
 * the database's group wired as the stack wires it.
 */
function synthGroups(wiring: DatabaseWiring = "app", overrides: Partial<SecurityGroupsProps> = {}) {
  const json = Testing.synthScope((scope) => {
    const groups = new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0", ...overrides });
    if (wiring === "app") groups.database.allowFrom(groups.app, groups.databasePort, "Traffic from App servers");
    if (wiring === "vpc") groups.database.allowFromCidr("10.0.0.0/20", groups.databasePort, "MySQL from the VPC");
  });
  const document = JSON.parse(json);
  const groupNameByReference = Object.fromEntries(
    resourcesOf(document, "aws_security_group").map(([address, group]) => [`\${aws_security_group.${address}.id}`, group.name]),
  );
  const rules = (type: "ingress" | "egress") =>
    resourcesOf(document, `aws_vpc_security_group_${type}_rule`).map(([, rule]) => ({
      group: groupNameByReference[rule.security_group_id],
      port: rule.from_port === rule.to_port ? rule.from_port : `${rule.from_port}-${rule.to_port}`,
      protocol: rule.ip_protocol,
      source: rule.referenced_security_group_id ? groupNameByReference[rule.referenced_security_group_id] : (rule.cidr_ipv4 ?? rule.cidr_ipv6),
      description: rule.description,
    }));
  const lifecycles = ["ingress", "egress"].flatMap((type) =>
    resourcesOf(document, `aws_vpc_security_group_${type}_rule`).map(([address, rule]) => [address, rule.lifecycle]),
  );
  return { json, ingress: rules("ingress"), egress: rules("egress"), lifecycles };
}

describe("SecurityGroups", () => {
  const final = synthGroups();

  it.each(["Inventory-LB", "Inventory-App", "Inventory-DB"])("creates %s in the VPC with a description", (name) => {
    expect(final.json).toHaveResourceWithProperties(SecurityGroup, { name, vpc_id: "vpc-0123456789abcdef0", description: expect.stringMatching(/\w+/) });
  });

  it("describes the groups in no app's words unless given the app's name", () => {
    const descriptions = (document: string) => resourcesOf(JSON.parse(document), "aws_security_group").map(([, group]) => group.description);
    expect(descriptions(final.json)).toEqual([
      "App servers: HTTP from the load balancer only",
      "Database: MySQL from the app servers only",
      "Load balancer: HTTP and HTTPS from clients",
    ]);
    expect(descriptions(synthGroups("app", { appName: "Inventory" }).json)).toEqual([
      "Inventory app servers: HTTP from the load balancer only",
      "Inventory database: MySQL from the app servers only",
      "Inventory load balancer: HTTP and HTTPS from clients",
    ]);
  });

  it("opens Inventory-LB to HTTP 80 and HTTPS 443 from anywhere, and nothing else", () => {
    expect(final.ingress.filter((rule) => rule.group === "Inventory-LB").map(({ port, protocol, source }) => ({ port, protocol, source }))).toEqual([
      { port: 80, protocol: "tcp", source: "0.0.0.0/0" },
      { port: 443, protocol: "tcp", source: "0.0.0.0/0" },
    ]);
  });

  it("opens Inventory-LB to IPv6 clients too when given their networks (a dual-stack load balancer), with the same ports", () => {
    const dualStack = synthGroups(undefined, { clientIpv6Cidrs: ["::/0"] });
    expect(dualStack.ingress.filter((rule) => rule.group === "Inventory-LB").map(({ port, source, description }) => ({ port, source, description }))).toEqual([
      { port: 80, source: "0.0.0.0/0", description: "HTTP from clients (0.0.0.0/0)" },
      { port: 80, source: "::/0", description: "HTTP from clients (::/0)" },
      { port: 443, source: "0.0.0.0/0", description: "HTTPS from clients (0.0.0.0/0)" },
      { port: 443, source: "::/0", description: "HTTPS from clients (::/0)" },
    ]);
    expect(final.ingress.some((rule) => String(rule.source).includes(":"))).toBe(false);
  });

  it("lets HTTP 80 into Inventory-App from the Inventory-LB group only", () => {
    expect(final.ingress.filter((rule) => rule.group === "Inventory-App")).toEqual([
      { group: "Inventory-App", port: 80, protocol: "tcp", source: "Inventory-LB", description: "Traffic from Load Balancer" },
    ]);
  });

  it("lets MySQL 3306 into Inventory-DB from the Inventory-App group only", () => {
    expect(final.ingress.filter((rule) => rule.group === "Inventory-DB")).toEqual([
      { group: "Inventory-DB", port: 3306, protocol: "tcp", source: "Inventory-App", description: "Traffic from App servers" },
    ]);
  });

  it("lets MySQL in from the whole VPC at the lab's start", () => {
    const labStart = synthGroups("vpc");
    expect(labStart.ingress.filter((rule) => rule.group === "Inventory-DB")).toEqual([
      expect.objectContaining({ port: 3306, protocol: "tcp", source: "10.0.0.0/20" }),
    ]);
  });

  it("lets nothing into Inventory-DB until told whom to trust, while the app servers may still send it MySQL", () => {
    const unwired = synthGroups("none");
    expect(unwired.ingress.filter((rule) => rule.group === "Inventory-DB")).toStrictEqual([]);
    expect(unwired.egress.filter((rule) => rule.source === "Inventory-DB")).toEqual([expect.objectContaining({ group: "Inventory-App", port: 3306 })]);
  });

  it("names each rule after its group and its peer, and a given id keeps a rule's address across a change of its source", () => {
    const ruleIds = (wire: (groups: SecurityGroups) => void) => {
      let ids: string[] = [];
      Testing.synthScope((scope) => {
        const groups = new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0" });
        wire(groups);
        ids = groups.node.children
          .filter((child) => child instanceof VpcSecurityGroupIngressRule || child instanceof VpcSecurityGroupEgressRule)
          .map((child) => child.node.id);
      });
      return ids.sort();
    };
    const chain = ["app-from-load-balancer", "app-to-database", "app-to-https", "load-balancer-http-in-1", "load-balancer-https-in-1", "load-balancer-to-app"];
    expect(ruleIds((groups) => groups.database.allowFrom(groups.app, 3306, "MySQL from the app"))).toEqual([...chain, "database-from-app"].sort());
    expect(ruleIds((groups) => groups.database.allowFromCidr("10.0.0.0/20", 3306, "MySQL from the VPC"))).toEqual(
      [...chain, "database-from-10.0.0.0--20"].sort(),
    );
    expect(ruleIds((groups) => groups.database.allowFromCidr("10.0.0.0/20", 3306, "MySQL from the VPC", { id: "database-from-app" }))).toEqual(
      [...chain, "database-from-app"].sort(),
    );
  });

  it("refuses a rule on a port out of range, naming the rule", () => {
    expectRefused(
      () =>
        Testing.synthScope((scope) => {
          const groups = new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0" });
          groups.database.allowFrom(groups.app, 0, "MySQL from the app");
        }),
      "SecurityGroups stack/security-groups",
      "database-from-app.port: 0 is not a whole number from 1 to 65535",
    );
  });

  it("refuses a rule from a CIDR that is a Terraform reference without an id, which would make no address", () => {
    expectRefused(
      () =>
        Testing.synthScope((scope) => {
          const groups = new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0" });
          groups.database.allowFromCidr(new TerraformVariable(scope, "client_cidr", { type: "string" }).stringValue, 3306, "MySQL from the clients");
        }),
      "SecurityGroups stack/security-groups",
      "allowFromCidr.id: the CIDR is a Terraform reference; give the rule an id",
    );
  });

  it("keeps each tier's egress to what it needs: LB to the app, app to the DB and HTTPS, DB nothing", () => {
    const egress = final.egress.map(({ group, port, protocol, source }) => `${group} -> ${source} ${protocol}/${port}`).sort();
    expect(egress).toEqual(["Inventory-App -> 0.0.0.0/0 tcp/443", "Inventory-App -> Inventory-DB tcp/3306", "Inventory-LB -> Inventory-App tcp/80"]);
  });

  it("describes every rule and never opens all protocols", () => {
    const rules = [...final.ingress, ...final.egress];
    // HTTP and HTTPS into the LB group, HTTP into the app group, MySQL into the DB group; the three egress rules.
    expect(rules).toHaveLength(7);
    for (const rule of rules) {
      expect(rule.description).toMatch(/\w{4,}/);
      expect(rule.protocol).not.toBe("-1");
    }
  });

  it("creates a replacement rule before it removes the old one, so a changed source never leaves a moment without a path", () => {
    for (const variant of [final, synthGroups("vpc")]) {
      expect(variant.lifecycles).toHaveLength(7);
      for (const [address, lifecycle] of variant.lifecycles) expect({ address, lifecycle }).toEqual({ address, lifecycle: { create_before_destroy: true } });
    }
  });

  it("tags each group with its name, and takes the names, the app port and the MySQL port it is given", () => {
    const custom = synthGroups("app", { names: { app: "Shop-App" }, appPort: 8080, databasePort: 5432 });
    const groups = resourcesOf(JSON.parse(custom.json), "aws_security_group").map(([, group]) => ({ name: group.name, tags: group.tags }));
    expect(groups).toEqual([
      { name: "Shop-App", tags: { Name: "Shop-App" } },
      { name: "Inventory-DB", tags: { Name: "Inventory-DB" } },
      { name: "Inventory-LB", tags: { Name: "Inventory-LB" } },
    ]);
    const chain = [...custom.ingress, ...custom.egress]
      .filter((rule) => typeof rule.source === "string" && !rule.source.includes("/"))
      .map(({ group, port, source }) => `${group} <-> ${source} ${port}`);
    expect(chain.sort()).toEqual([
      "Inventory-DB <-> Shop-App 5432",
      "Inventory-LB <-> Shop-App 8080",
      "Shop-App <-> Inventory-DB 5432",
      "Shop-App <-> Inventory-LB 8080",
    ]);
  });

  it("describes each egress rule by what it is for", () => {
    expect(final.egress.map(({ group, description }) => `${group}: ${description}`).sort()).toEqual([
      "Inventory-App: HTTPS to AWS APIs and package repositories",
      "Inventory-App: MySQL to the database",
      "Inventory-LB: HTTP to the app servers (traffic and health checks)",
    ]);
  });

  it("gives an IPv4 network as cidr_ipv4 and an IPv6 one as cidr_ipv6, each client's rules an id of its own", () => {
    const document = JSON.parse(synthGroups(undefined, { clientIpv6Cidrs: ["::/0", "2001:db8::/32"] }).json);
    const peers = resourcesOf(document, "aws_vpc_security_group_ingress_rule")
      .filter(([address]) => address.includes("_load-balancer-http"))
      .map(([address, rule]) => [address.replace(/_[0-9A-F]{8}$/, ""), rule.cidr_ipv4 ? `ipv4 ${rule.cidr_ipv4}` : `ipv6 ${rule.cidr_ipv6}`]);
    expect(peers.sort()).toEqual([
      ["security-groups_load-balancer-http-in-1", "ipv4 0.0.0.0/0"],
      ["security-groups_load-balancer-http-in-ipv6-1", "ipv6 ::/0"],
      ["security-groups_load-balancer-http-in-ipv6-2", "ipv6 2001:db8::/32"],
      ["security-groups_load-balancer-https-in-1", "ipv4 0.0.0.0/0"],
      ["security-groups_load-balancer-https-in-ipv6-1", "ipv6 ::/0"],
      ["security-groups_load-balancer-https-in-ipv6-2", "ipv6 2001:db8::/32"],
    ]);
    const [[, https]] = resourcesOf(document, "aws_vpc_security_group_egress_rule").filter(([address]) => address.includes("app-to-https"));
    expect({ cidr_ipv4: https.cidr_ipv4, cidr_ipv6: https.cidr_ipv6 }).toEqual({ cidr_ipv4: "0.0.0.0/0", cidr_ipv6: undefined });
  });

  it("names an egress rule to a network after its group and the network", () => {
    let id = "";
    Testing.synthScope((scope) => {
      const groups = new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0" });
      id = groups.app.allowToCidr("10.0.0.0/16", 443, "HTTPS to the VPC's endpoints").node.id;
    });
    expect(id).toBe("app-to-10.0.0.0--16");
  });

  it.each<[string, (groups: SecurityGroups, scope: Construct) => void, string]>([
    [
      "an egress rule on a port out of range",
      (groups) => groups.app.allowTo(groups.database, 65536, "MySQL"),
      "app-to-database.port: 65536 is not a whole number from 1 to 65535",
    ],
    [
      "an egress rule to a CIDR that is a Terraform reference without an id",
      (groups, scope) => groups.app.allowToCidr(new TerraformVariable(scope, "endpoint_cidr", { type: "string" }).stringValue, 443, "HTTPS"),
      "allowToCidr.id: the CIDR is a Terraform reference; give the rule an id",
    ],
  ])("refuses %s", (_kind, wire, message) => {
    expectRefused(
      () =>
        Testing.synthScope((scope) => {
          wire(new SecurityGroups(scope, "security-groups", { vpcId: "vpc-0123456789abcdef0" }), scope);
        }),
      "SecurityGroups stack/security-groups",
      message,
    );
  });

  it("lists only the group names AWS would refuse, one problem each, for the settings to name", () => {
    expect(securityGroupNameProblems({ loadBalancer: "Inventory-LB", app: "Inventory-App", database: "Inventory-DB" })).toStrictEqual([]);
    expect(securityGroupNameProblems({ loadBalancer: "Inventory-LB", app: "Inventory-App", database: "sg-db" })).toEqual([
      {
        prop: "names.database",
        message: 'the security group name "sg-db" must use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with sg-',
      },
    ]);
  });

  describe("refuses props it cannot build, naming its path and the prop", () => {
    it.each<[string, Partial<SecurityGroupsProps>, string]>([
      ["a malformed client CIDR", { clientCidrs: ["0.0.0.0/0", "10.0.0.0/33"] }, 'clientCidrs.1: "10.0.0.0/33" has a prefix length above 32'],
      ["no client CIDR", { clientCidrs: [] }, "clientCidrs: needs at least one CIDR (0.0.0.0/0 for anywhere)"],
      ["an IPv4 CIDR among the IPv6 ones", { clientIpv6Cidrs: ["0.0.0.0/0"] }, 'clientIpv6Cidrs.0: "0.0.0.0/0" is not an IPv6 CIDR block like 2001:db8::/32'],
      ["an IPv6 CIDR with host bits", { clientIpv6Cidrs: ["2001:db8::1/32"] }, 'clientIpv6Cidrs.0: "2001:db8::1/32" has host bits set'],
      ["a port out of range", { appPort: 70000 }, "appPort: 70000 is not a whole number from 1 to 65535"],
      ["a MySQL port out of range", { databasePort: 0 }, "databasePort: 0 is not a whole number from 1 to 65535"],
      ["a second IPv6 CIDR malformed", { clientIpv6Cidrs: ["::/0", "2001:db8::/129"] }, 'clientIpv6Cidrs.1: "2001:db8::/129"'],
      [
        "a group name with a character AWS refuses at its end",
        { names: { loadBalancer: "Inventory-LB?" } },
        'names.loadBalancer: the security group name "Inventory-LB?" must use letters',
      ],
      [
        "a group name AWS reserves",
        { names: { app: "sg-app" } },
        'names.app: the security group name "sg-app" must use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, not starting with sg-',
      ],
    ])("%s", (_kind, overrides, message) => {
      expectRefused(() => synthGroups(undefined, overrides), "SecurityGroups stack/security-groups", message);
    });
  });
});
