// A real OpenID provider (the certified `oidc-provider` package) for perfmon's tests, on
// loopback only. Started by tests/oidc/harness.py; never for production use.
//
//   PORT                   where to listen on 127.0.0.1
//   PERFMON_REDIRECT_URIS  JSON list: perfmon's callback URL(s)
//   PERFMON_LOGOUT_URIS    JSON list: where perfmon wants people after signing out
//   CODE_TTL_SECONDS       how long an authorization code works (60 unless set)
//
// People sign in on the provider's own development page with one of the account names
// below (any password). Prints "ready <issuer>" once it listens.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const list = (name) => JSON.parse(process.env[name] || '[]');

const ADMIN_GROUP = 'perfmon-performance-team';
const accounts = {
  'new-admin': {
    email: 'nia.admin@council.test', email_verified: true,
    given_name: 'Nia', family_name: 'Admin', groups: [ADMIN_GROUP, 'all-staff'],
  },
  'existing-officer': {
    email: 'alex.officer@council.test', email_verified: true,
    given_name: 'Alexandra', family_name: 'Officer', groups: ['all-staff'],
  },
  stranger: {
    email: 'sam.stranger@council.test', email_verified: true,
    given_name: 'Sam', family_name: 'Stranger', groups: ['all-staff'],
  },
  'unverified-officer': {
    email: 'alex.officer@council.test', email_verified: false,
    given_name: 'Not', family_name: 'Alex', groups: [ADMIN_GROUP],
  },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'perfmon',
      client_secret: 'perfmon-test-secret',
      redirect_uris: list('PERFMON_REDIRECT_URIS'),
      post_logout_redirect_uris: list('PERFMON_LOGOUT_URIS'),
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      // Another application of the same council, for tokens perfmon must refuse.
      client_id: 'other-app',
      client_secret: 'other-test-secret',
      redirect_uris: ['http://127.0.0.1/other-app/callback'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  cookies: { keys: ['perfmon-tests-only'] },
  ttl: { AuthorizationCode: Number(process.env.CODE_TTL_SECONDS || 60) },
  // Every client must use PKCE (this package offers S256 only).
  pkce: { required: () => true },
  // Scope claims in the ID token as well as from userinfo, as Entra ID sends them.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const person = accounts[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: `${person.given_name} ${person.family_name}`, ...person };
      },
    };
  },
  // The council has consented for its staff: no consent page after signing in.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
