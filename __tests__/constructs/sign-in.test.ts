import { Testing, TerraformStack } from "cdktf";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LoadBalancer } from "../../src/constructs/edge/load-balancer";
import { SignIn, type SignInProvider } from "../../src/constructs/edge/sign-in";
import { expectRefused, resourcesOf } from "../support/stacks";

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
    // HTTP still only redirects to HTTPS.
    expect(json).toHaveResourceWithProperties(LbListener, { port: 80, default_action: [expect.objectContaining({ type: "redirect" })] });
  });

  it("with an OIDC provider, takes its client secret from a sensitive variable, never from the code", () => {
    const { json, document } = synthSignIn(OIDC);
    expect(document.variable.oidc_client_secret).toMatchObject({ type: "string", sensitive: true, nullable: false });
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
