import { allocate, cidrProblem, contains, format, ipv6CidrProblem, overlaps, parseCidr } from "../../src/aws/cidr";

describe("cidrProblem", () => {
  it.each(["10.0.0.0/20", "10.0.2.0/23", "0.0.0.0/0", "192.168.1.128/25", "10.0.0.7/32"])("accepts %s", (text) => {
    expect(cidrProblem(text)).toBeUndefined();
  });

  it.each([
    ["10.0.0/20", /not an IPv4 CIDR/],
    ["10.0.0.0", /not an IPv4 CIDR/],
    ["10.0.0.0/33", /prefix length above 32/],
    ["10.0.256.0/24", /octet above 255/],
    ["10.0.1.0/20", /host bits set; the network address is 10\.0\.0\.0\/20/],
    ["fd00::/8", /not an IPv4 CIDR/],
  ])("rejects %s", (text, message) => {
    expect(cidrProblem(text)).toMatch(message);
  });
});

describe("block arithmetic", () => {
  const vpc = parseCidr("10.0.0.0/20");

  it("formats what it parses", () => {
    expect(format(parseCidr("172.31.240.0/20"))).toBe("172.31.240.0/20");
    expect(format(parseCidr("255.255.255.255/32"))).toBe("255.255.255.255/32");
  });

  it("knows what lies inside the lab's VPC", () => {
    expect(contains(vpc, parseCidr("10.0.4.0/23"))).toBe(true);
    expect(contains(vpc, parseCidr("10.0.15.0/24"))).toBe(true);
    expect(contains(vpc, parseCidr("10.0.16.0/24"))).toBe(false);
    expect(contains(vpc, parseCidr("10.0.0.0/16"))).toBe(false);
  });

  it("detects overlap in either direction, and adjacency is not overlap", () => {
    expect(overlaps(parseCidr("10.0.2.0/23"), parseCidr("10.0.3.0/24"))).toBe(true);
    expect(overlaps(parseCidr("10.0.3.0/24"), parseCidr("10.0.2.0/23"))).toBe(true);
    expect(overlaps(parseCidr("10.0.0.0/24"), parseCidr("10.0.1.0/24"))).toBe(false);
  });

  it("carves the lab's exact subnets out of 10.0.0.0/20", () => {
    expect(allocate(vpc, [24, 24, 23, 23]).map(format)).toEqual(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/23", "10.0.4.0/23"]);
  });

  it("aligns each block to its own size", () => {
    expect(allocate(vpc, [24, 22]).map(format)).toEqual(["10.0.0.0/24", "10.0.4.0/22"]);
  });

  it("starts after a given address", () => {
    expect(allocate(vpc, [24], parseCidr("10.0.8.0/24").base).map(format)).toEqual(["10.0.8.0/24"]);
  });

  it("refuses blocks that do not fit", () => {
    expect(() => allocate(vpc, [21, 21, 21])).toThrow(/no room left for a \/21/);
    expect(() => allocate(vpc, [19])).toThrow(/cannot be carved/);
  });
});

describe("ipv6CidrProblem", () => {
  it.each(["::/0", "2001:db8::/32", "2001:db8:0:0:0:0:0:0/48", "2001:db8:1234:5600::/56", "2001:db8::1/128", "fd00::/8"])("accepts %s", (text) => {
    expect(ipv6CidrProblem(text)).toBeUndefined();
  });

  it.each([
    ["0.0.0.0/0", '"0.0.0.0/0" is not an IPv6 CIDR block like 2001:db8::/32'],
    ["2001:db8::", '"2001:db8::" is not an IPv6 CIDR block like 2001:db8::/32'],
    ["2001:db8::g/32", '"2001:db8::g/32" is not an IPv6 CIDR block like 2001:db8::/32'],
    ["2001:db8::/129", '"2001:db8::/129" has a prefix length above 128'],
    ["2001:db8::1/64", '"2001:db8::1/64" has host bits set'],
    ["2001:db8:1234:5680::/56", '"2001:db8:1234:5680::/56" has host bits set'],
  ])("refuses %s", (text, problem) => {
    expect(ipv6CidrProblem(text)).toBe(problem);
  });
});
