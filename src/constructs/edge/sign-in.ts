import { Construct } from "constructs";
import { TerraformVariable, Token } from "cdktf";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import type { LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { integerProblem, type PropProblem, refuseProblems } from "../../props/prop-problems";

/**
 * Sign-in at the load balancer: before a request reaches the app, the ALB's
 * HTTPS listener sends whoever has no session to an identity provider and
 * back (`authenticate-oidc` or `authenticate-cognito`), then forwards with
 * the signed-in user in `X-Amzn-Oidc-*` headers, which the app binds its
 * CSRF tokens to. Either an OIDC provider of the organisation's own, or a
 * Cognito user pool created here, whose users an administrator adds (no
 * sign-up). Only on HTTPS: the ALB authenticates on HTTPS listeners only.
 */

/** The path on the app's host the ALB receives the provider's answer at. */
export const ALB_CALLBACK_PATH = "/oauth2/idpresponse";
/** Seconds a sign-in lasts, as [min, max] (the ALB's). */
export const SESSION_TIMEOUT_SECONDS = [1, 604800] as const;
const HTTPS_URL = /^https:\/\/[^\s/]+(\/\S*)?$/;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const COGNITO_DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An OpenID Connect provider of your own (Okta, Entra ID, Google, ...): its endpoints and the app's client id there. */
export interface OidcSignIn {
  readonly type: "oidc";
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
}

/** A Cognito user pool created for the app: users added by an administrator, no sign-up. */
export interface CognitoSignIn {
  readonly type: "cognito";
  /** Start of the pool's hosted sign-in domain, `<prefix>.auth.<region>.amazoncognito.com`; unique in the region. */
  readonly domainPrefix: string;
  /** Host names people reach the app by over HTTPS (the certificate's): the pool sends them back to `https://<host>/oauth2/idpresponse`. */
  readonly callbackHosts: readonly string[];
}

export type SignInProvider = OidcSignIn | CognitoSignIn;

/** What each optional prop is when left out (the settings schema reads these). */
export const SIGN_IN_DEFAULTS = {
  /** 12 hours. */
  sessionTimeoutSeconds: 43200,
  userPoolName: "Inventory-Users",
} as const satisfies Partial<SignInProps>;

export interface SignInProps {
  readonly provider: SignInProvider;
  /** Seconds a sign-in lasts before the ALB asks again. @default 43200 (12 hours) */
  readonly sessionTimeoutSeconds?: number;
  /** Name of the Cognito user pool and its client. @default "Inventory-Users" */
  readonly userPoolName?: string;
}

/** Problems with a provider's settings. */
export function signInProblems(provider: SignInProvider, sessionTimeoutSeconds: number): PropProblem[] {
  const url = (prop: string, value: string) =>
    Token.isUnresolved(value) || HTTPS_URL.test(value) ? undefined : { prop, message: `${JSON.stringify(value)} is not an https:// URL` };
  const problems: (PropProblem | undefined)[] = [integerProblem("sessionTimeoutSeconds", sessionTimeoutSeconds, ...SESSION_TIMEOUT_SECONDS)];
  if (provider.type === "oidc") {
    problems.push(
      url("provider.issuer", provider.issuer),
      url("provider.authorizationEndpoint", provider.authorizationEndpoint),
      url("provider.tokenEndpoint", provider.tokenEndpoint),
      url("provider.userInfoEndpoint", provider.userInfoEndpoint),
      provider.clientId === "" ? { prop: "provider.clientId", message: "is empty" } : undefined,
    );
  } else {
    problems.push(
      Token.isUnresolved(provider.domainPrefix) || (COGNITO_DOMAIN_PREFIX.test(provider.domainPrefix) && !/aws|amazon|cognito/.test(provider.domainPrefix))
        ? undefined
        : {
            prop: "provider.domainPrefix",
            message: `"${provider.domainPrefix}" must be lower-case letters, digits and hyphens, and may not hold aws, amazon or cognito`,
          },
      provider.callbackHosts.length === 0 ? { prop: "provider.callbackHosts", message: "needs the host name people reach the app by" } : undefined,
      ...provider.callbackHosts.map((host, index) =>
        Token.isUnresolved(host) || HOST.test(host)
          ? undefined
          : { prop: `provider.callbackHosts.${index}`, message: `"${host}" is not a host name like inventory.example.com` },
      ),
    );
  }
  return problems.filter((problem) => problem !== undefined);
}

/**
 * The sign-in step of the load balancer's HTTPS listener, and for Cognito
 * the user pool, its hosted domain and the ALB's client in it. The OIDC
 * client secret is a sensitive Terraform variable (`oidc_client_secret`), not
 * a setting: it is never in the code or the synthesized JSON; the listener
 * keeps it in Terraform's state, as ELB's API takes it.
 */
export class SignIn extends Construct {
  /** The listener action to put before the forward (order 1). */
  readonly action: LbListenerDefaultAction;
  /** The Cognito user pool, when the provider is Cognito. */
  readonly userPoolId?: string;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    const sessionTimeout = props.sessionTimeoutSeconds ?? SIGN_IN_DEFAULTS.sessionTimeoutSeconds;
    refuseProblems(this, signInProblems(props.provider, sessionTimeout));
    const provider = props.provider;
    if (provider.type === "oidc") {
      const secret = new TerraformVariable(this, "oidc_client_secret", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: "Client secret of the load balancer at the OIDC provider (TF_VAR_oidc_client_secret); kept in state by the listener",
      });
      // One name whatever the construct's path: what a person sets as TF_VAR_oidc_client_secret.
      secret.overrideLogicalId("oidc_client_secret");
      this.action = {
        type: "authenticate-oidc",
        order: 1,
        authenticateOidc: {
          issuer: provider.issuer,
          authorizationEndpoint: provider.authorizationEndpoint,
          tokenEndpoint: provider.tokenEndpoint,
          userInfoEndpoint: provider.userInfoEndpoint,
          clientId: provider.clientId,
          clientSecret: secret.stringValue,
          scope: "openid",
          onUnauthenticatedRequest: "authenticate",
          sessionTimeout,
        },
      };
      return;
    }
    const name = props.userPoolName ?? SIGN_IN_DEFAULTS.userPoolName;
    const pool = new CognitoUserPool(this, "user-pool", {
      name,
      // Users are added by an administrator: nobody signs themselves up.
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      passwordPolicy: {
        minimumLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: false,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      tags: { Name: name },
    });
    const domain = new CognitoUserPoolDomain(this, "domain", { domain: provider.domainPrefix, userPoolId: pool.id });
    const client = new CognitoUserPoolClient(this, "client", {
      name: `${name}-load-balancer`,
      userPoolId: pool.id,
      // The ALB exchanges the code for tokens with its client secret.
      generateSecret: true,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: ["openid", "email"],
      supportedIdentityProviders: ["COGNITO"],
      callbackUrls: provider.callbackHosts.map((host) => `https://${host}${ALB_CALLBACK_PATH}`),
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
    });
    this.action = {
      type: "authenticate-cognito",
      order: 1,
      authenticateCognito: {
        userPoolArn: pool.arn,
        userPoolClientId: client.id,
        userPoolDomain: domain.domain,
        scope: "openid email",
        onUnauthenticatedRequest: "authenticate",
        sessionTimeout,
      },
    };
    this.userPoolId = pool.id;
  }
}
