import { Lazy, Testing, TerraformStack } from "cdktf";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LoadBalancer } from "../../src/constructs/edge/load-balancer";
import { SignIn, signInProblems, type SignInProvider } from "../../src/constructs/edge/sign-in";
import { expectRefused, onlyResource, resourcesOf } from "../support/stacks";

const CERTIFICATE = "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b";
const COGNITO: SignInProvider = { type: "cognito", domainPrefix: "inventory-sign-in", callbackHosts: ["inventory.example.com"] };
const OIDC: SignInProvider = {
  type: "oidc",
  issuer: "https://id.example.com",
  authorizationEndpoint: "https://id.example.com/authorize",
  tokenEndpoint: "https://id.example.com/token",
  userInfoEndpoint: "https://id.example.com/userinfo",
  clientId: "inventory",
};

/** A load balancer with HTTPS whose listener signs people in with `provider` first. */
function synthSignIn(provider: SignInProvider, https = true) {
  const certificateArn = https ? CERTIFICATE : undefined;
  const stack = new TerraformStack(Testing.app(), "stack");
  const signIn = new SignIn(stack, "sign-in", { provider });
  new LoadBalancer(stack, "load-balancer", {
    vpcId: "vpc-1",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupId: "sg-lb",
    certificateArn,
    signIn: signIn.action,
  });
  const json = Testing.synth(stack);
  return { json, document: JSON.parse(json) };
}

const httpsListener = (document: any) => resourcesOf(document, "aws_lb_listener").find(([, listener]) => listener.protocol === "HTTPS")![1];

describe("SignIn", () => {
  it("with Cognito, creates a pool only an administrator adds users to, and signs people in on HTTPS before forwarding", () => {
    const { json, document } = synthSignIn(COGNITO);
    expect(json).toHaveResourceWithProperties(CognitoUserPool, {
      name: "Inventory-Users",
      admin_create_user_config: { allow_admin_create_user_only: true },
      mfa_configuration: "OPTIONAL",
    });
    expect(json).toHaveResourceWithProperties(CognitoUserPoolClient, {
      generate_secret: true,
      allowed_oauth_flows: ["code"],
      callback_urls: ["https://inventory.example.com/oauth2/idpresponse"],
      supported_identity_providers: ["COGNITO"],
    });
    const [signInStep, forward] = httpsListener(document).default_action;
    expect(signInStep).toMatchObject({
      type: "authenticate-cognito",
      order: 1,
      authenticate_cognito: {
        on_unauthenticated_request: "authenticate",
        session_timeout: 43200,
        user_pool_domain: expect.stringContaining("aws_cognito_user_pool_domain."),
      },
    });
    expect(forward).toMatchObject({ type: "forward", order: 2 });
    const [poolName, pool] = onlyResource(document, "aws_cognito_user_pool");
    const poolId = `\${aws_cognito_user_pool.${poolName}.id}`;
    expect(pool).toStrictEqual({
      name: "Inventory-Users",
      admin_create_user_config: { allow_admin_create_user_only: true },
      password_policy: {
        minimum_length: 14,
        require_lowercase: true,
        require_uppercase: true,
        require_numbers: true,
        require_symbols: false,
        temporary_password_validity_days: 3,
      },
      mfa_configuration: "OPTIONAL",
      software_token_mfa_configuration: { enabled: true },
      username_attributes: ["email"],
      auto_verified_attributes: ["email"],
      account_recovery_setting: { recovery_mechanism: [{ name: "verified_email", priority: 1 }] },
      tags: { Name: "Inventory-Users" },
    });
    const [domainName, domain] = onlyResource(document, "aws_cognito_user_pool_domain");
    expect(domain).toStrictEqual({ domain: "inventory-sign-in", user_pool_id: poolId });
    const [clientName, client] = onlyResource(document, "aws_cognito_user_pool_client");
    expect(client).toStrictEqual({
      name: "Inventory-Users-load-balancer",
      user_pool_id: poolId,
      generate_secret: true,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: ["openid", "email"],
      supported_identity_providers: ["COGNITO"],
      callback_urls: ["https://inventory.example.com/oauth2/idpresponse"],
      prevent_user_existence_errors: "ENABLED",
      enable_token_revocation: true,
    });
    expect(signInStep).toStrictEqual({
      type: "authenticate-cognito",
      order: 1,
      authenticate_cognito: {
        user_pool_arn: `\${aws_cognito_user_pool.${poolName}.arn}`,
        user_pool_client_id: `\${aws_cognito_user_pool_client.${clientName}.id}`,
        user_pool_domain: `\${aws_cognito_user_pool_domain.${domainName}.domain}`,
        scope: "openid email",
        on_unauthenticated_request: "authenticate",
        session_timeout: 43200,
      },
    });
    // HTTP still only redirects to HTTPS.
    expect(json).toHaveResourceWithProperties(LbListener, { port: 80, default_action: [expect.objectContaining({ type: "redirect" })] });
  });

  it("with an OIDC provider, takes its client secret from a sensitive variable, never from the code", () => {
    const { json, document } = synthSignIn(OIDC);
    expect(document.variable.oidc_client_secret).toStrictEqual({
      type: "string",
      sensitive: true,
      nullable: false,
      description: "Client secret of the load balancer at the OIDC provider (TF_VAR_oidc_client_secret); kept in state by the listener",
    });
    expect(httpsListener(document).default_action[0]).toStrictEqual({
      type: "authenticate-oidc",
      order: 1,
      authenticate_oidc: {
        issuer: "https://id.example.com",
        authorization_endpoint: "https://id.example.com/authorize",
        token_endpoint: "https://id.example.com/token",
        user_info_endpoint: "https://id.example.com/userinfo",
        client_id: "inventory",
        client_secret: "${var.oidc_client_secret}",
        scope: "openid",
        on_unauthenticated_request: "authenticate",
        session_timeout: 43200,
      },
    });
    expect(httpsListener(document).default_action[0]).toMatchObject({
      type: "authenticate-oidc",
      authenticate_oidc: { issuer: "https://id.example.com", client_id: "inventory", client_secret: "${var.oidc_client_secret}" },
    });
    expect(json).not.toHaveResource(CognitoUserPool);
  });

  it("is refused by a load balancer without HTTPS", () => {
    expectRefused(
      () => synthSignIn(COGNITO, false),
      "LoadBalancer stack/load-balancer",
      "signIn: needs certificateArn: the load balancer signs people in on its HTTPS listener only",
    );
  });

  it.each<[string, SignInProvider, string]>([
    [
      "an OIDC endpoint without TLS",
      { ...OIDC, tokenEndpoint: "http://id.example.com/token" },
      'provider.tokenEndpoint: "http://id.example.com/token" is not an https:// URL',
    ],
    ["no host to come back to", { ...COGNITO, callbackHosts: [] }, "provider.callbackHosts: needs the host name people reach the app by"],
  ])("refuses %s, naming its path and the prop", (_kind, provider, message) => {
    expectRefused(() => synthSignIn(provider), "SignIn stack/sign-in", message);
  });
});

describe("signInProblems", () => {
  it("has nothing to say of valid providers, of hosts of any depth, or of values known only at apply time", () => {
    expect(signInProblems(OIDC, 43200)).toStrictEqual([]);
    expect(signInProblems({ ...OIDC, issuer: "https://id.example.com:8443" }, 1)).toStrictEqual([]);
    expect(signInProblems({ ...COGNITO, domainPrefix: "a", callbackHosts: ["inventory.example.com", "a.b.example.co.uk", "x.io"] }, 604800)).toStrictEqual([]);
    const unresolved = Lazy.stringValue({ produce: () => "Not Valid" });
    expect(signInProblems({ ...COGNITO, domainPrefix: unresolved, callbackHosts: [unresolved] }, 43200)).toStrictEqual([]);
  });

  it("names each OIDC endpoint that is not an https:// URL, and an empty client id", () => {
    const bad = {
      issuer: "id.example.com",
      authorizationEndpoint: "see https://id.example.com",
      tokenEndpoint: "https://id.example.com/a b",
      userInfoEndpoint: "http://id",
    };
    expect(signInProblems({ ...OIDC, ...bad, clientId: "" }, 43200)).toStrictEqual([
      { prop: "provider.issuer", message: '"id.example.com" is not an https:// URL' },
      { prop: "provider.authorizationEndpoint", message: '"see https://id.example.com" is not an https:// URL' },
      { prop: "provider.tokenEndpoint", message: '"https://id.example.com/a b" is not an https:// URL' },
      { prop: "provider.userInfoEndpoint", message: '"http://id" is not an https:// URL' },
      { prop: "provider.clientId", message: "is empty" },
    ]);
  });

  it.each(["Inventory", "-inventory", "inventory-", "my-aws-login", "amazon", "cognito-users", `a${"b".repeat(63)}`])(
    "refuses the Cognito domain prefix %s",
    (domainPrefix) => {
      expect(signInProblems({ ...COGNITO, domainPrefix }, 43200)).toStrictEqual([
        { prop: "provider.domainPrefix", message: `"${domainPrefix}" must be lower-case letters, digits and hyphens, and may not hold aws, amazon or cognito` },
      ]);
    },
  );

  it.each([
    "localhost",
    "Inventory.example.com",
    "inventory.example.com.",
    "-inventory.example.com",
    "inventory-.example.com",
    "https://inventory.example.com",
    "inventory.example.c0m",
    `${"a.".repeat(126)}com`,
  ])("refuses the callback host %s, by its index", (host) => {
    expect(signInProblems({ ...COGNITO, callbackHosts: ["inventory.example.com", host] }, 43200)).toStrictEqual([
      { prop: "provider.callbackHosts.1", message: `"${host}" is not a host name like inventory.example.com` },
    ]);
  });

  it("refuses a session shorter than a second or longer than a week, naming the prop", () => {
    expect(signInProblems(OIDC, 0).map((problem) => problem.prop)).toStrictEqual(["sessionTimeoutSeconds"]);
    expect(signInProblems(COGNITO, 604801).map((problem) => problem.prop)).toStrictEqual(["sessionTimeoutSeconds"]);
  });
});
