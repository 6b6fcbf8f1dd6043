import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSettings } from "../../src/config/load";
import { DOMAIN, domainSettings, HARDENED, hardenedSettings } from "../../src/policy/evaluate";

// The two variants the policy suite checks beside the environments, built
// from a default.json with every protection the hardened variant turns on
// turned off: each is turned on, what the file says beside it is kept, and
// nothing else changes. inventory-controls.test.ts proves the controls pass in
// them; this holds what they are.

const RAW = {
  state: { bucket: "inventory-ha-terraform-state" },
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  network: { flowLogs: { enabled: false, retentionDays: 30 } },
  loadBalancer: { deletionProtection: false, accessLogs: { enabled: false, retentionDays: 30 } },
  database: { multiAz: false, monitoringIntervalSeconds: 0, backups: { enabled: false, vaultLock: false, retentionDays: 14 } },
};

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "variants-"));
  fs.mkdirSync(path.join(root, "environments"));
  fs.writeFileSync(path.join(root, "environments", "default.json"), JSON.stringify(RAW));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("the hardened variant", () => {
  it("turns on HTTPS in its region, deletion protection, access logs, Multi-AZ, Enhanced Monitoring, backups locked and copied away, flow logs", () => {
    const plain = parseSettings(HARDENED, RAW);
    expect(hardenedSettings(root)).toStrictEqual({
      ...plain,
      loadBalancer: {
        ...plain.loadBalancer,
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
        deletionProtection: true,
        accessLogs: { ...plain.loadBalancer.accessLogs, enabled: true, retentionDays: 30 },
      },
      database: {
        ...plain.database,
        multiAz: true,
        monitoringIntervalSeconds: 60,
        backups: { ...plain.database.backups, enabled: true, copyRegion: "us-west-2", vaultLock: true, retentionDays: 14 },
      },
      network: { ...plain.network, flowLogs: { ...plain.network.flowLogs, enabled: true, retentionDays: 30 } },
    });
  });

  it("copies backups to us-east-1 and takes the certificate in us-west-2 when the file names no region", () => {
    const noRegion = fs.mkdtempSync(path.join(os.tmpdir(), "variants-"));
    try {
      fs.mkdirSync(path.join(noRegion, "environments"));
      const { region: _region, availabilityZones: _zones, ...rest } = RAW;
      fs.writeFileSync(path.join(noRegion, "environments", "default.json"), JSON.stringify(rest));
      const hardened = hardenedSettings(noRegion);
      expect([hardened.region, hardened.loadBalancer.certificateArn, hardened.database.backups.copyRegion]).toStrictEqual([
        "us-west-2",
        "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-4000-8000-000000000000",
        "us-east-1",
      ]);
    } finally {
      fs.rmSync(noRegion, { recursive: true, force: true });
    }
  });
});

describe("the domain variant", () => {
  it("gives the load balancer the example domain and turns IPv6 on, and changes nothing else", () => {
    const plain = parseSettings(DOMAIN, RAW);
    expect(domainSettings(root)).toStrictEqual({
      ...plain,
      network: { ...plain.network, ipv6: true },
      loadBalancer: { ...plain.loadBalancer, domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } },
    });
  });
});
